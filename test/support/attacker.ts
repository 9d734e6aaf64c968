/**
 * Attacking a live IceAgent from a raw loopback socket, and proving what happened without waiting
 * "long enough": after the attack, a round trip from the same socket. UDP between the same two
 * loopback sockets is delivered in order and the agent handles a datagram (and sends what it
 * answers) before it reads the next, so when the round trip's answer arrives, the agent has
 * processed the attack and every answer to it has arrived before.
 */
import type { Socket } from 'node:dgram';
import type { IceAgent } from '../../lib/ice-agent.js';
import { METHOD_ALLOCATE } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { chromeCheck } from './chrome-check.js';
import { hostOf } from './loopback-agents.js';

/** Transaction ids of every round-trip probe sent, so that a late answer to one is never taken for an answer to an attack. */
const probeIds = new Set<string>();

export function isProbeAnswer(m: Buffer): boolean {
  const d = decodeMessage(m);
  return d.ok && probeIds.has(d.message.transactionId.toString('hex'));
}

/**
 * The probe: an authenticated STUN request of another method than Binding. The agent answers it
 * with a signed 400 and changes nothing (RFC 8445 §7.3: only Binding requests are checks); it is
 * counted in drops.notBinding and nowhere else.
 */
function probe(agent: IceAgent): { data: Buffer; id: string } {
  const { ufrag, pwd } = agent.localParameters;
  const data = chromeCheck({ username: `${ufrag}:probe`, pwd, method: METHOD_ALLOCATE, plain: true });
  const d = decodeMessage(data);
  if (!d.ok) throw new Error('probe does not decode');
  const id = d.message.transactionId.toString('hex');
  probeIds.add(id);
  return { data, id };
}

/**
 * Resolves once `agent` has processed everything `socket` sent it before this call (see the file
 * comment). A probe lost in the kernel is sent again after `retryMs` (a liveness retry: the
 * proof holds for whichever probe is answered).
 */
export async function roundTrip(socket: Socket, agent: IceAgent, to: TransportAddress = hostOf(agent), retryMs = 2000, attempts = 5): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const p = probe(agent);
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), retryMs);
      const on = (m: Buffer): void => {
        const d = decodeMessage(m);
        if (d.ok && d.message.transactionId.toString('hex') === p.id) done(true);
      };
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        socket.off('message', on);
        resolve(ok);
      };
      socket.on('message', on);
    });
    socket.send(p.data, to.port, to.address);
    if (await answered) return;
  }
  throw new Error(`the agent answered none of ${attempts} round-trip probes`);
}

/** Sends `data` to the agent's host candidate from `socket`; returns every datagram that came back before a round trip proved it processed. */
export async function sendAndCollect(socket: Socket, data: Buffer, agent: IceAgent, to: TransportAddress = hostOf(agent)): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const on = (m: Buffer): void => {
    if (!isProbeAnswer(m)) got.push(m);
  };
  socket.on('message', on);
  try {
    socket.send(data, to.port, to.address);
    await roundTrip(socket, agent, to);
  } finally {
    socket.off('message', on);
  }
  return got;
}

/** What a test compares before and after an attack. */
export function snapshot(agent: IceAgent): string {
  return JSON.stringify(
    {
      state: agent.iceState,
      role: agent.role,
      local: agent.localCandidates.map((c) => `${c.type} ${c.address}:${c.port}`),
      pairs: agent.getPairs().map((p) => ({ l: `${p.local.address}:${p.local.port}`, r: `${p.remote.type} ${p.remote.address}:${p.remote.port}`, s: p.state, n: p.nominated })),
      selected: agent.getSelectedPair() ? `${agent.getSelectedPair()!.remote.address}:${agent.getSelectedPair()!.remote.port}` : null,
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
  );
}
