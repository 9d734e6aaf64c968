// Two agents of each implementation, connected to each other on 127.0.0.1 in this process.
import { Candidate, Connection } from 'werift-ice';
import { IceAgent, type AgentTimers, type IceAgentOptions } from '../lib/index.js';
import { nowMs, withTimeout } from './stats.js';

export const LOOPBACK = '127.0.0.1';

export interface Connected<T> {
  readonly a: T;
  readonly b: T;
  /** Both agents gathering in parallel. */
  readonly gatherMs: number;
  /** From both holding the other's parameters and candidates to both connected. */
  readonly connectMs: number;
  /** The same clock, to each side's own connected. */
  readonly controllingMs: number;
  readonly controlledMs: number;
}

export interface OursOptions {
  readonly components?: number;
  readonly timers?: Partial<AgentTimers>;
  /** False: the controlled agent is not given the controlling one's candidates; it learns it from its first check (peer-reflexive). */
  readonly candidatesToControlled?: boolean;
  /** More agent options (TURN servers, a transport policy), and the candidate type every local candidate must have. */
  readonly extra?: IceAgentOptions;
  readonly onlyType?: 'host' | 'relay';
}

/** Our agents: host candidates on 127.0.0.1 only, candidates handed over as SDP strings. */
export async function connectOurs(o: OursOptions = {}, timeoutMs = 10_000): Promise<Connected<IceAgent>> {
  const common = { addresses: [LOOPBACK], components: o.components ?? 1, ...(o.timers && { timers: o.timers }), ...o.extra };
  const onlyType = o.onlyType ?? 'host';
  const a = new IceAgent({ ...common, role: 'controlling' });
  const b = new IceAgent({ ...common, role: 'controlled' });
  const fromA: string[] = [];
  const fromB: string[] = [];
  a.on('candidate', (_c, sdp) => fromA.push(sdp));
  b.on('candidate', (_c, sdp) => fromB.push(sdp));
  try {
    const t0 = nowMs();
    await Promise.all([a.gather(), b.gather()]);
    const gatherMs = nowMs() - t0;
    for (const c of [...a.localCandidates, ...b.localCandidates]) {
      if (c.address !== LOOPBACK || c.type !== onlyType) throw new Error(`unexpected local candidate ${c.type} ${c.address}`);
    }
    const connectedAt = [a, b].map((x) => {
      let at: number | undefined;
      x.on('statechange', (s) => void (at ??= s === 'connected' || s === 'completed' ? nowMs() : undefined));
      return () => at!;
    });
    const t1 = nowMs();
    a.setRemoteParameters(b.localParameters);
    b.setRemoteParameters(a.localParameters);
    for (const sdp of fromB) a.addRemoteCandidate(sdp);
    if (o.candidatesToControlled !== false) for (const sdp of fromA) b.addRemoteCandidate(sdp);
    a.addRemoteCandidate(null);
    b.addRemoteCandidate(null);
    const want = ['connected', 'completed'] as const;
    await Promise.all([a.waitFor(want, timeoutMs), b.waitFor(want, timeoutMs)]);
    const [ta, tb] = connectedAt.map((at) => at() - t1) as [number, number];
    return { a, b, gatherMs, connectMs: Math.max(ta, tb), controllingMs: ta, controlledMs: tb };
  } catch (err) {
    await Promise.all([a.close(), b.close()]);
    throw err;
  }
}

/**
 * werift-ice: IPv4 only, the only host address 127.0.0.1 (its interface enumeration skips loopback,
 * so it is added explicitly and the sockets bound to it), and no STUN server. Its constructor puts
 * stun.l.google.com:19302 in `stunServer` when the option is undefined, so the field is cleared
 * after construction; checked before connecting.
 */
export function newWerift(controlling: boolean): Connection {
  const c = new Connection(controlling, {
    useIpv4: false,
    useIpv6: false,
    additionalHostAddresses: [LOOPBACK],
    interfaceAddresses: { udp4: LOOPBACK },
  });
  (c as { stunServer?: unknown }).stunServer = undefined;
  return c;
}

export function assertWeriftLoopbackOnly(c: Connection): void {
  if (c.stunServer !== undefined || c.turnServer !== undefined) throw new Error('werift has a STUN/TURN server configured');
  if (c.localCandidates.length === 0) throw new Error('werift gathered no candidate');
  for (const cand of c.localCandidates) {
    if (cand.host !== LOOPBACK || cand.type !== 'host' || cand.transport !== 'udp') {
      throw new Error(`werift gathered a non-loopback candidate: ${cand.toSdp()}`);
    }
  }
}

export async function connectWerift(timeoutMs = 10_000): Promise<Connected<Connection>> {
  const a = newWerift(true);
  const b = newWerift(false);
  try {
    const t0 = nowMs();
    await Promise.all([a.gatherCandidates(), b.gatherCandidates()]);
    const gatherMs = nowMs() - t0;
    assertWeriftLoopbackOnly(a);
    assertWeriftLoopbackOnly(b);
    const t1 = nowMs();
    a.setRemoteParams({ iceLite: false, usernameFragment: b.localUsername, password: b.localPassword });
    b.setRemoteParams({ iceLite: false, usernameFragment: a.localUsername, password: a.localPassword });
    for (const c of b.localCandidates) await a.addRemoteCandidate(Candidate.fromSdp(c.toSdp()));
    for (const c of a.localCandidates) await b.addRemoteCandidate(Candidate.fromSdp(c.toSdp()));
    await a.addRemoteCandidate(undefined);
    await b.addRemoteCandidate(undefined);
    const [ta, tb] = await withTimeout(Promise.all([a, b].map((x) => x.connect().then(() => nowMs() - t1))), timeoutMs, 'werift connect');
    return { a, b, gatherMs, connectMs: Math.max(ta!, tb!), controllingMs: ta!, controlledMs: tb! };
  } catch (err) {
    await Promise.all([a.close(), b.close()]);
    throw err;
  }
}

export async function closeAll(agents: readonly { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(agents.map((x) => x.close()));
}
