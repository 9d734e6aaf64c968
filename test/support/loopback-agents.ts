// IceAgents on 127.0.0.1 for real-socket tests (security, fuzz, system): gathered, paired, talking.
import { IceAgent, type IceAgentOptions } from '../../lib/ice-agent.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { signalGathered } from './signalling.js';
import { LOOPBACK } from './udp.js';
import { nextData } from './waits.js';

/** An agent that gathers only on 127.0.0.1. */
export async function loopbackAgent(opts: IceAgentOptions = {}): Promise<IceAgent> {
  const agent = new IceAgent({ addresses: [LOOPBACK], includeLoopback: true, ipv6: false, ...opts });
  await agent.gather();
  if (agent.localCandidates.length === 0) throw new Error('no loopback host candidate');
  return agent;
}

/** The first host candidate's transport address. */
export function hostOf(agent: IceAgent): TransportAddress {
  const c = agent.localCandidates.find((l) => l.type === 'host');
  if (!c) throw new Error('agent has no host candidate');
  return { address: c.address, port: c.port, family: 4 };
}

/** Two gathered agents joined by in-process signalling; resolves when both are connected or completed. */
export async function connectedPair(
  aOpts: IceAgentOptions = {}, bOpts: IceAgentOptions = {}, timeoutMs = 10_000,
): Promise<{ a: IceAgent; b: IceAgent }> {
  const a = await loopbackAgent({ role: 'controlling', ...aOpts });
  const b = await loopbackAgent({ role: 'controlled', ...bOpts });
  signalGathered(a, b);
  await Promise.all([a.waitFor(['connected', 'completed'], timeoutMs), b.waitFor(['connected', 'completed'], timeoutMs)]);
  return { a, b };
}

/**
 * Sends `text` from a to b until b delivers it (the first send may precede b's selection); fails
 * if b delivers anything else first.
 */
export async function exchange(a: IceAgent, b: IceAgent, text: string, timeoutMs = 5000): Promise<void> {
  const got = nextData(b, undefined, timeoutMs);
  const send = (): void => {
    try { a.send(1, Buffer.from(text)); } catch { /* no pair yet */ }
  };
  const tick = setInterval(send, 50);
  send();
  try {
    const t = (await got).data.toString();
    if (t !== text) throw new Error(`got ${JSON.stringify(t)}, want ${JSON.stringify(text)}`);
  } finally {
    clearInterval(tick);
  }
}
