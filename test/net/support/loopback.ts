/**
 * Helpers for driver tests over real loopback sockets: signalling between two
 * in-process agents, waiting for data, and counting the handles a test leaves.
 */
import * as dgram from 'node:dgram';
import type { IceAgent } from '../../../lib/ice-agent.js';
import type { TransportAddress } from '../../../lib/stun/types.js';

/** Trickle candidates, end-of-candidates and credentials between two agents in one process. */
export function wire(a: IceAgent, b: IceAgent): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('candidate', (_c, sdp) => y.addRemoteCandidate(sdp));
    x.on('endofcandidates', () => y.addRemoteCandidate(null));
  }
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
}

/** Hands everything two already-gathered agents have to each other: credentials, candidates, end-of-candidates. */
export function signalGathered(a: IceAgent, b: IceAgent): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    y.setRemoteParameters(x.localParameters);
    for (const c of x.localCandidates) y.addRemoteCandidate(c);
    y.endOfRemoteCandidates();
  }
}

/** Resolves with the first datagram `agent` delivers on `component`, or rejects after `timeoutMs` (timer always cleared). */
export function nextData(agent: IceAgent, component: number, timeoutMs = 2000): Promise<{ data: Buffer; from: TransportAddress }> {
  return new Promise((resolve, reject) => {
    const onData = (c: number, data: Buffer, from: TransportAddress): void => {
      if (c !== component) return;
      clearTimeout(timer);
      agent.off('data', onData);
      resolve({ data, from });
    };
    const timer = setTimeout(() => {
      agent.off('data', onData);
      reject(new Error(`no data on component ${component} within ${timeoutMs} ms`));
    }, timeoutMs);
    agent.on('data', onData);
  });
}

/** Handles of the kinds a leaking agent would leave behind. */
export interface ResourceCounts {
  readonly UDPWrap: number;
  readonly Timeout: number;
}

/**
 * The counts to compare with after a test. Mocha arms its own timeout timer only after
 * a test function's synchronous part has returned, so sample after one loop turn.
 */
export async function baselineResourceCounts(): Promise<ResourceCounts> {
  await new Promise((r) => setImmediate(r));
  return resourceCounts();
}

export function resourceCounts(): ResourceCounts {
  const info = process.getActiveResourcesInfo();
  return {
    UDPWrap: info.filter((r) => r === 'UDPWrap').length,
    Timeout: info.filter((r) => r === 'Timeout').length,
  };
}

/**
 * A closed dgram socket stays listed until libuv's close callback runs, one or two
 * loop turns after `close()`'s callback; give it a few turns, then report what is left.
 */
export async function settledResourceCounts(baseline: ResourceCounts, turns = 10): Promise<ResourceCounts> {
  let now = resourceCounts();
  for (let i = 0; i < turns && (now.UDPWrap > baseline.UDPWrap || now.Timeout > baseline.Timeout); i++) {
    await new Promise((r) => setImmediate(r));
    now = resourceCounts();
  }
  return now;
}

/** True if a UDP socket can be bound on `address` (e.g. ::1 is absent when IPv6 is disabled). */
export async function canBind(address: string): Promise<boolean> {
  const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.once('listening', () => resolve(true));
    socket.bind(0, address);
  });
  await new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound: nothing to release
    }
  });
  return ok;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Network discipline for a test file: wraps dgram's send so that a datagram to anything
 * but 127.0.0.0/8 or ::1 is never sent (it is dropped and recorded instead). Covers our
 * agent, the STUN servers and third-party agents (werift) in the same process.
 * Call in `before`; `restore()` in `after` returns the destinations that were refused.
 */
export function guardLoopbackEgress(): { restore(): string[] } {
  const proto = dgram.Socket.prototype as unknown as { send: (...args: unknown[]) => void };
  const original = proto.send;
  const refused: string[] = [];
  proto.send = function (this: dgram.Socket, ...args: unknown[]): void {
    // send(msg, port, address, cb) or send(msg, offset, length, port, address, cb); a missing address means localhost.
    const address = typeof args[2] === 'string' ? args[2] : typeof args[4] === 'string' ? args[4] : undefined;
    if (address !== undefined && !(address === '::1' || address === 'localhost' || /^127\./.test(address) || /^::ffff:127\./i.test(address))) {
      refused.push(address);
      const cb = [...args].reverse().find((a) => typeof a === 'function') as ((err: Error) => void) | undefined;
      cb?.(new Error(`test network discipline: refused to send to ${address}`));
      return;
    }
    original.apply(this, args);
  };
  return {
    restore: () => {
      proto.send = original;
      return refused;
    },
  };
}
