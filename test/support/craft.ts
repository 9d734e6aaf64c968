// Crafted STUN packets and a bare core for packet-level tests (no Sim).
import { IceAgentCore } from '../../lib/ice/agent-core.js';
import type { Candidate } from '../../lib/ice/candidate-types.js';
import type { AgentEvent, Transmit } from '../../lib/ice/events.js';
import { METHOD_BINDING, encodeMessage, getAttribute, shortTermKey, type StunAttribute, type StunMessage, type TransportAddress } from '../../lib/stun/index.js';
import { seededRandom } from '../../lib/util/random.js';
import { checkSuccess } from './chrome-check.js';
import { mustDecode } from './stun-bytes.js';

export const A = { ufrag: 'aaaa', pwd: 'aaaaaaaaaaaaaaaaaaaaa1' };
export const B = { ufrag: 'bbbb', pwd: 'bbbbbbbbbbbbbbbbbbbbb2' };
export const LOCAL: TransportAddress = { address: '10.0.0.1', port: 5000, family: 4 };
export const PEER: TransportAddress = { address: '10.0.0.2', port: 6000, family: 4 };
/** The driver's handle for the socket bound to LOCAL, and one for a socket the agent does not own. */
export const SOCKET = 1;
export const OTHER_SOCKET = 99;
let idSeq = 0;

export function newAgent(role: 'controlling' | 'controlled', limits?: { maxPairs?: number; maxRemoteCandidates?: number }): IceAgentCore {
  const core = new IceAgentCore({ random: seededRandom(42), role, ...A, tieBreaker: 1000n, ...(limits && { limits }) });
  core.startGathering(0, [{ component: 1, socket: SOCKET, base: LOCAL, interfaceRank: 0 }]);
  drain(core);
  return core;
}

export function drain(core: IceAgentCore): { tx: Transmit[]; ev: AgentEvent[] } {
  const tx: Transmit[] = [];
  const ev: AgentEvent[] = [];
  for (let t = core.pollTransmit(); t; t = core.pollTransmit()) tx.push(t);
  for (let e = core.pollEvent(); e; e = core.pollEvent()) ev.push(e);
  return { tx, ev };
}

export function txId(): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(++idSeq, 8);
  return b;
}

export interface CheckOpts {
  username?: string | null;
  key?: Buffer | null;
  fingerprint?: boolean;
  role?: 'ICE-CONTROLLING' | 'ICE-CONTROLLED';
  tieBreaker?: bigint;
  extra?: StunAttribute[];
}

/** A connectivity check from B to A, altered by `o`. */
export function check(o: CheckOpts = {}): Buffer {
  const attributes: StunAttribute[] = [];
  if (o.username !== null) attributes.push({ type: 'USERNAME', value: o.username ?? `${A.ufrag}:${B.ufrag}` });
  if (o.extra) attributes.push(...o.extra);
  attributes.push({ type: 'PRIORITY', value: 1853824767 });
  attributes.push({ type: o.role ?? 'ICE-CONTROLLED', value: o.tieBreaker ?? 5n });
  const key = o.key === undefined ? shortTermKey(A.pwd) : o.key;
  return encodeMessage(
    { method: METHOD_BINDING, cls: 'request', transactionId: txId(), attributes },
    { ...(key && { integrityKey: key }), fingerprint: o.fingerprint ?? true },
  );
}

export function decoded(t: Transmit): StunMessage {
  return mustDecode(t.data);
}

/** The peer's signed success answer to a check `t` that we sent, as it arrives from `t.to`. */
export function answerTo(t: Transmit, mapped: TransportAddress = LOCAL, pwd = B.pwd): Buffer {
  return checkSuccess(decoded(t).transactionId, mapped, pwd);
}

/** Our requests among `tx` (checks and consent checks). */
export function requestsIn(tx: readonly Transmit[]): Transmit[] {
  return tx.filter((t) => decoded(t).cls === 'request');
}

export const codeOf = (m: StunMessage): number | undefined => getAttribute(m, 'ERROR-CODE')?.value.code;

export function hostCandidate(address: string, port: number): Candidate {
  return { foundation: `f${address}`, component: 1, transport: 'udp', priority: 2130706431, address, port, type: 'host', extensions: [] };
}

/** Size of the core's remote candidate list (private: no public getter exists yet). */
export function remoteCandidateCount(core: IceAgentCore): number {
  return core.remoteCandidateList.length;
}
