/**
 * Two IceAgents on the virtual clock and in-memory network of the driver tests
 * (no sockets, no wall clock), recorded into one report: deterministic runs for
 * recorder and renderer tests.
 */
import { IceAgent } from '../../../lib/ice-agent.js';
import { Recorder } from '../../../lib/report/recorder.js';
import type { IceRecord } from '../../../lib/report/record.js';
import type { TransportAddress } from '../../../lib/stun/types.js';
import { seededRandom } from '../../../lib/util/random.js';
import { VirtualNetwork, type NetworkOptions } from '../../support/virtual-net.js';
import { VirtualScheduler } from '../../support/virtual-clock.js';

export interface VirtualRun {
  readonly clock: VirtualScheduler;
  readonly net: VirtualNetwork;
  readonly a: IceAgent;
  readonly b: IceAgent;
  readonly recorder: Recorder;
  /** Every trace event each agent emitted, counted independently of the recorder. */
  readonly traces: Map<IceAgent, { type: string }[]>;
  /** Runs until both are completed (or failed), or `limitMs` of virtual time. */
  connect(limitMs?: number): Promise<void>;
  close(): Promise<IceRecord>;
}

export interface VirtualRunOptions {
  readonly components?: number;
  /** Both agents behind one endpoint-independent NAT each (srflx candidates that work), or on the open network. */
  readonly nat?: boolean;
  readonly dropIf?: NetworkOptions['dropIf'];
  readonly maxEntries?: number;
}

export function virtualRun(o: VirtualRunOptions = {}): VirtualRun {
  const clock = new VirtualScheduler();
  const net = new VirtualNetwork(clock, { latencyMs: 10, ...(o.dropIf && { dropIf: o.dropIf }) });
  const stun = net.addStunServer();
  const natA = o.nat ? net.addNat({ publicAddress: '203.0.113.10', mapping: 'endpoint-independent', filtering: 'endpoint-independent', firstPort: 30000 }) : undefined;
  const natB = o.nat ? net.addNat({ publicAddress: '203.0.113.20', mapping: 'endpoint-independent', filtering: 'endpoint-independent', firstPort: 40000 }) : undefined;
  net.addHost('100.64.1.2', natA);
  net.addHost('100.64.2.2', natB);
  const make = (address: string, role: 'controlling' | 'controlled', seed: number): IceAgent =>
    new IceAgent({
      role, components: o.components ?? 1, stunServers: [`${stun.address}:${stun.port}`],
      ...net.agentOptions(address), random: seededRandom(seed),
    });
  const a = make('100.64.1.2', 'controlling', 11);
  const b = make('100.64.2.2', 'controlled', 22);
  const traces = new Map<IceAgent, { type: string }[]>([[a, []], [b, []]]);
  const recorder = new Recorder({ clock, title: 'virtual run', startedAt: '2024-01-01T00:00:00.000Z', options: { components: o.components ?? 1 }, ...(o.maxEntries !== undefined && { maxEntries: o.maxEntries }) });
  recorder.add(a, { label: 'A' });
  recorder.add(b, { label: 'B' });
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('trace', (e) => traces.get(x)!.push(e));
    x.on('candidate', (_c, sdp) => clock.schedule(clock.now() + 5, () => y.iceState !== 'closed' && y.addRemoteCandidate(sdp)));
    x.on('endofcandidates', () => clock.schedule(clock.now() + 5, () => y.iceState !== 'closed' && y.addRemoteCandidate(null)));
    // An ICE restart's new parameters go to the peer like candidates do (RFC 8445 §9).
    x.on('restart', (params) => clock.schedule(clock.now() + 5, () => y.iceState !== 'closed' && y.setRemoteParameters(params)));
  }
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
  void a.gather();
  void b.gather();
  const settled = (x: IceAgent): boolean => x.iceState === 'completed' || x.iceState === 'failed';
  return {
    clock, net, a, b, recorder, traces,
    async connect(limitMs = 60_000) {
      await clock.runUntilTrue(() => settled(a) && settled(b), clock.now() + limitMs);
    },
    async close() {
      await Promise.all([a.close(), b.close()]);
      await clock.runUntilIdle(10_000);
      recorder.stop();
      return recorder.record();
    },
  };
}

/** Sends `data` to `to` from a fresh virtual endpoint on a stranger's host. */
export async function sendFromStranger(net: VirtualNetwork, to: TransportAddress, data: Buffer, count = 1): Promise<void> {
  try {
    net.addHost('198.51.100.66');
  } catch {
    // already added by an earlier call
  }
  const endpoint = await net.endpointFactory('198.51.100.66', { onMessage: () => undefined });
  for (let i = 0; i < count; i++) endpoint.send(to, data);
  await endpoint.close();
}
