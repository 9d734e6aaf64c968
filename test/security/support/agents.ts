/**
 * Real-socket helpers shared by the security, fuzz and system tests: IceAgents on
 * 127.0.0.1, a raw dgram "attacker" socket, and checks built with our encoder the
 * way Chrome builds them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { IceAgent, type IceAgentOptions } from '../../../lib/ice-agent.js';
import { encodeMessage } from '../../../lib/stun/encode.js';
import { decodeMessage } from '../../../lib/stun/decode.js';
import { shortTermKey } from '../../../lib/stun/integrity.js';
import { METHOD_BINDING } from '../../../lib/stun/constants.js';
import type { StunAttribute, StunMessage, TransportAddress } from '../../../lib/stun/types.js';
import { signalGathered } from '../../net/support/loopback.js';

export const LOOPBACK = '127.0.0.1';

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

/** Resolves with the first 'data' payload `to` receives (text), or rejects after timeoutMs. */
export function nextData(to: IceAgent, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { to.off('data', on); reject(new Error(`no data within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (_c: number, data: Buffer): void => { clearTimeout(timer); to.off('data', on); resolve(data.toString()); };
    to.on('data', on);
  });
}

/** Sends `text` from a to b repeatedly until b gets it (loopback may still be settling). */
export async function exchange(a: IceAgent, b: IceAgent, text: string, timeoutMs = 3000): Promise<void> {
  const got = nextData(b, timeoutMs);
  const tick = setInterval(() => { try { a.send(1, Buffer.from(text)); } catch { /* no pair yet */ } }, 50);
  try { a.send(1, Buffer.from(text)); } catch { /* no pair yet */ }
  try {
    const t = await got;
    if (t !== text) throw new Error(`got ${JSON.stringify(t)}, want ${JSON.stringify(text)}`);
  } finally {
    clearInterval(tick);
  }
}

export async function rawSocket(address = LOOPBACK): Promise<Socket> {
  const s = createSocket('udp4');
  s.on('error', () => { /* an attacker's socket errors are not the agent's */ });
  s.bind(0, address);
  await once(s, 'listening');
  return s;
}

export function closeSocket(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try { s.close(() => resolve()); } catch { resolve(); }
  });
}

/** Sends `data` to `to` and collects every datagram that comes back within `waitMs`. */
export async function sendAndCollect(s: Socket, data: Buffer, to: TransportAddress, waitMs = 250): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const on = (m: Buffer): void => void got.push(m);
  s.on('message', on);
  s.send(data, to.port, to.address);
  await new Promise((r) => setTimeout(r, waitMs));
  s.off('message', on);
  return got;
}

export function decodeOrThrow(buf: Buffer): StunMessage {
  const r = decodeMessage(buf);
  if (!r.ok) throw new Error(`undecodable: ${r.reason}`);
  return r.message;
}

/** GOOG-NETWORK-INFO (0xC057), comprehension-optional, as Chrome sends it. */
export const GOOG_NETWORK_INFO: StunAttribute = { type: 'unknown', code: 0xc057, value: Buffer.from('000003e7', 'hex') };

export interface ChromeCheckOptions {
  /** USERNAME `targetUfrag:senderUfrag`. */
  readonly username: string;
  /** The target's password (short-term key); undefined = no MESSAGE-INTEGRITY. */
  readonly pwd?: string;
  readonly fingerprint?: boolean;
  readonly role?: 'controlling' | 'controlled';
  readonly tieBreaker?: bigint;
  readonly useCandidate?: boolean;
  readonly priority?: number;
  readonly extra?: readonly StunAttribute[];
  readonly transactionId?: Buffer;
  /** Drop GOOG-NETWORK-INFO. */
  readonly plain?: boolean;
  /** Another STUN method than Binding (an attack: only Binding requests are checks). */
  readonly method?: number;
}

/** A connectivity check laid out like Chrome's: USERNAME, 0xC057, role, [USE-CANDIDATE], PRIORITY, [extra], MI, FINGERPRINT. */
export function chromeCheck(o: ChromeCheckOptions): Buffer {
  const attributes: StunAttribute[] = [{ type: 'USERNAME', value: o.username }];
  if (!o.plain) attributes.push(GOOG_NETWORK_INFO);
  const tb = o.tieBreaker ?? 17929064277920668017n;
  attributes.push((o.role ?? 'controlled') === 'controlling' ? { type: 'ICE-CONTROLLING', value: tb } : { type: 'ICE-CONTROLLED', value: tb });
  if (o.useCandidate) attributes.push({ type: 'USE-CANDIDATE' });
  attributes.push({ type: 'PRIORITY', value: o.priority ?? 1853824767 });
  if (o.extra) attributes.push(...o.extra);
  return encodeMessage(
    { method: o.method ?? METHOD_BINDING, cls: 'request', transactionId: o.transactionId ?? randomBytes(12), attributes },
    {
      ...(o.pwd !== undefined && { integrityKey: shortTermKey(o.pwd) }),
      fingerprint: o.fingerprint ?? true,
    },
  );
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

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
