// Two IceAgents in one process, signalling handed over directly; what each received and from where.
import { IceAgent, type IceAgentOptions, type TransportAddress } from '../../../lib/index.js';
import type { RelayInfo } from '../../../lib/relay/types.js';

export interface Received {
  readonly text: string;
  readonly from: TransportAddress;
}

export interface AgentPair {
  readonly a: IceAgent;
  readonly b: IceAgent;
  readonly received: Map<IceAgent, Received[]>;
  readonly relayEvents: Map<IceAgent, RelayInfo[]>;
  readonly warnings: Map<IceAgent, string[]>;
  close(): Promise<void>;
}

/** Creates, wires and gathers both agents; resolves once both gathered (connecting is up to the caller). */
export async function gatherPair(common: IceAgentOptions, a: IceAgentOptions = {}, b: IceAgentOptions = {}): Promise<AgentPair> {
  const x = new IceAgent({ role: 'controlling', ...common, ...a });
  const y = new IceAgent({ role: 'controlled', ...common, ...b });
  const pair: AgentPair = {
    a: x, b: y, received: new Map([[x, []], [y, []]]), relayEvents: new Map([[x, []], [y, []]]), warnings: new Map([[x, []], [y, []]]),
    close: async () => { await Promise.all([x.close(), y.close()]); },
  };
  for (const [self, other] of [[x, y], [y, x]] as const) {
    self.on('candidate', (_c, sdp) => other.addRemoteCandidate(sdp));
    self.on('endofcandidates', () => other.addRemoteCandidate(null));
    self.on('data', (_component, data, from) => pair.received.get(self)!.push({ text: data.toString('utf8'), from }));
    self.on('relay', (r) => pair.relayEvents.get(self)!.push(r));
    self.on('warning', (w) => pair.warnings.get(self)!.push(`${w.code}: ${w.message}`));
  }
  x.setRemoteParameters(y.localParameters);
  y.setRemoteParameters(x.localParameters);
  await Promise.all([x.gather(), y.gather()]);
  return pair;
}

/** Resolves when `pred` holds, polled every 20 ms; rejects after `ms` with `what`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !pred(); ) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Sends `text` from `from` and waits until `to` received it. */
export async function exchange(p: AgentPair, from: IceAgent, text: string, ms = 5000): Promise<Received> {
  const to = from === p.a ? p.b : p.a;
  from.send(1, Buffer.from(text));
  await until(() => p.received.get(to)!.some((r) => r.text === text), ms, `'${text}'`);
  return p.received.get(to)!.find((r) => r.text === text)!;
}
