/**
 * Waiting in real-socket tests without guessing durations: wait for a condition (a counter, a
 * state), for an event, or for a number of event-loop turns. A timeout here only turns a hang into
 * a failure with a message; no test may pass or fail by how fast the machine is.
 */
import type { IceAgent } from '../../lib/ice-agent.js';
import type { TransportAddress } from '../../lib/stun/types.js';

/** Let pending I/O callbacks and promise continuations run: `n` turns of the event loop. */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Resolves once `condition()` holds, checked every loop turn at first, then every few ms; rejects
 * after `timeoutMs` naming `what` (and `detail()`, if given, for the failure message).
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000, detail?: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let n = 0; !condition(); n++) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
    if (n < 100) await turns(1);
    else await new Promise((r) => setTimeout(r, 2));
  }
}

export interface Delivered {
  readonly component: number;
  readonly data: Buffer;
  readonly from: TransportAddress;
}

/** The next datagram `agent` delivers on `component` (any component if undefined); rejects after `timeoutMs`. */
export function nextData(agent: IceAgent, component?: number, timeoutMs = 5000): Promise<Delivered> {
  return new Promise((resolve, reject) => {
    const onData = (c: number, data: Buffer, from: TransportAddress): void => {
      if (component !== undefined && c !== component) return;
      clearTimeout(timer);
      agent.off('data', onData);
      resolve({ component: c, data, from });
    };
    const timer = setTimeout(() => {
      agent.off('data', onData);
      reject(new Error(`no data on ${component === undefined ? 'any component' : `component ${component}`} within ${timeoutMs} ms`));
    }, timeoutMs);
    agent.on('data', onData);
  });
}

/**
 * A pause that paces a sender (a flood, a stream of datagrams against a server's real timers).
 * Never use it to "wait and see that nothing happened": wait for a counter or a round trip.
 */
export function pace(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
