/** Agents on one flat in-memory network (no NAT) with a STUN server, on a virtual clock. */
import { IceAgent, type IceAgentOptions } from '../../../lib/ice-agent.js';
import { seededRandom } from '../../../lib/util/random.js';
import { VirtualNetwork } from '../../support/virtual-net.js';
import { VirtualScheduler } from '../../support/virtual-clock.js';

export const STUN = '198.18.0.1:3478';

export function virtualWorld(latencyMs = 10) {
  const clock = new VirtualScheduler();
  const net = new VirtualNetwork(clock, { latencyMs });
  net.addStunServer();
  let seed = 1;
  const agent = (address: string, options: IceAgentOptions = {}): IceAgent => {
    net.addHost(address);
    return new IceAgent({
      ...net.agentOptions(address),
      random: seededRandom(seed++),
      ...options,
    });
  };
  return { clock, net, agent };
}


/** Tracks a promise's outcome without awaiting it. */
export function track<T>(p: Promise<T>): { readonly value?: T; readonly error?: unknown; readonly settled: boolean } {
  const t: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (v) => Object.assign(t, { value: v, settled: true }),
    (e: unknown) => Object.assign(t, { error: e, settled: true }),
  );
  return t;
}

/**
 * Runs `fn` with mocha's uncaughtException handlers set aside, collecting what is thrown
 * uncaught meanwhile (what a user without an `error` listener would see), then restores them.
 */
export async function collectUncaught<T>(fn: (caught: unknown[]) => Promise<T>): Promise<T> {
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const caught: unknown[] = [];
  const collect = (err: unknown): void => void caught.push(err);
  process.on('uncaughtException', collect);
  try {
    return await fn(caught);
  } finally {
    process.off('uncaughtException', collect);
    for (const l of saved) process.on('uncaughtException', l);
  }
}
