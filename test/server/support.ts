/**
 * Helpers for the server tests: an IceServer on 127.0.0.1, full IceAgent clients on loopback
 * signalled in-process, raw "attacker" sockets, and waiting on the server's own counters
 * (never on a burst arriving: the kernel may drop datagrams on a busy machine).
 */
import type { Socket } from 'node:dgram';
import { IceAgent, type IceAgentOptions } from '../../lib/ice-agent.js';
import { IceServer, type IceServerOptions, type ServerAgentOptions } from '../../lib/server/index.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import type { IceError } from '../../lib/util/errors.js';
import { chromeCheck } from '../support/chrome-check.js';

export const LOOPBACK = '127.0.0.1';

export function listen(o: Partial<IceServerOptions> = {}): Promise<IceServer> {
  return IceServer.listen({ address: LOOPBACK, ...o });
}

/** A full agent on 127.0.0.1 (the client side). */
export function loopbackClient(o: IceAgentOptions = {}): IceAgent {
  return new IceAgent({ addresses: [LOOPBACK], includeLoopback: true, ipv6: false, ...o });
}

/** Signals both ways (parameters with `lite`, candidates, end-of-candidates) and gathers both. */
export async function connect(server: IceAgent, client: IceAgent): Promise<void> {
  for (const [x, y] of [[server, client], [client, server]] as const) {
    x.on('candidate', (_c, sdp) => y.addRemoteCandidate(sdp));
    x.on('endofcandidates', () => y.addRemoteCandidate(null));
  }
  client.setRemoteParameters(server.localParameters);
  server.setRemoteParameters(client.localParameters);
  await Promise.all([server.gather(), client.gather()]);
}

/** The echo every test server agent runs, on the component's route (data before a pair is selected is not echoed). */
export function echo(agent: IceAgent): IceAgent {
  agent.on('data', (component, data) => {
    try {
      agent.send(component, data);
    } catch (err) {
      if ((err as IceError).code !== 'ERR_NO_SELECTED_PAIR') throw err;
    }
  });
  return agent;
}

/** A session: a server agent (echoing) and its connected client. */
export async function session(server: IceServer, agentOptions: ServerAgentOptions = {}, clientOptions: IceAgentOptions = {}): Promise<{ agent: IceAgent; client: IceAgent }> {
  const agent = echo(server.createAgent(agentOptions));
  const client = loopbackClient({ ...(agentOptions.components !== undefined && { components: agentOptions.components }), ...clientOptions });
  await connect(agent, client);
  await Promise.all([agent.waitFor(['completed'], 10_000), client.waitFor(['completed'], 10_000)]);
  return { agent, client };
}

/** Sends `text` on `component` until it comes back (the echo), at most `timeoutMs`. */
export async function roundTrip(client: IceAgent, text: string, component = 1, timeoutMs = 3000): Promise<{ data: string; from: TransportAddress }> {
  return new Promise((resolve, reject) => {
    const onData = (c: number, data: Buffer, from: TransportAddress): void => {
      if (c !== component || data.toString() !== text) return;
      done();
      resolve({ data: data.toString(), from });
    };
    const tick = setInterval(() => client.send(component, Buffer.from(text)), 100);
    const timer = setTimeout(() => { done(); reject(new Error(`no echo of ${JSON.stringify(text)} within ${timeoutMs} ms`)); }, timeoutMs);
    const done = (): void => { clearInterval(tick); clearTimeout(timer); client.off('data', onData); };
    client.on('data', onData);
    client.send(component, Buffer.from(text));
  });
}

/** Resolves when `cond()` holds, checked on every turn of the event loop (no fixed sleep); rejects after `timeoutMs`. */
export function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (cond()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 2);
    };
    poll();
  });
}

/** The server's port for component 1 (IPv4). */
export function portOf(server: IceServer): number {
  return server.localAddresses[0]!.port;
}

/** A signed (or, with `pwd` undefined or wrong, forged) check for the server agent `agent`, from a client ufrag. */
export function checkFor(agent: IceAgent, o: { pwd?: string; useCandidate?: boolean; clientUfrag?: string } = {}): Buffer {
  const { ufrag, pwd } = agent.localParameters;
  return chromeCheck({
    username: `${ufrag}:${o.clientUfrag ?? 'clnt'}`, pwd: 'pwd' in o ? o.pwd! : pwd, role: 'controlling',
    useCandidate: o.useCandidate ?? true,
  });
}

/** Datagrams a raw socket received (collected while the test runs). */
export function inbox(s: Socket): Buffer[] {
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  return got;
}
