// Crafted datagrams and a fake agent for the mux tests.
import {
  METHOD_ALLOCATE, METHOD_BINDING, decodeMessage, encodeMessage, getAttribute, shortTermKey, verifyIntegrity,
  type StunAttribute, type StunClass,
} from '../../lib/stun/index.js';
import type { MuxRouter, PeerAddress } from '../../lib/mux/index.js';

let seq = 0;

/** A fresh 12-byte transaction id (distinct per call). */
export function tid(): Buffer {
  const b = Buffer.alloc(12, 0x5a);
  b.writeUInt32BE(++seq, 8);
  return b;
}

export interface RequestOpts {
  readonly username?: string | null;
  readonly key?: Buffer | null;
  readonly method?: number;
  readonly cls?: StunClass;
  readonly transactionId?: Buffer;
  readonly extra?: readonly StunAttribute[];
}

/** A connectivity check (RFC 8445 §7.2.2) addressed to `ufrag`, signed with `key` (or not). */
export function check(ufrag: string, o: RequestOpts = {}): Buffer {
  const attributes: StunAttribute[] = [];
  if (o.username !== null) attributes.push({ type: 'USERNAME', value: o.username ?? `${ufrag}:peer` });
  if (o.extra) attributes.push(...o.extra);
  attributes.push({ type: 'PRIORITY', value: 1853824767 }, { type: 'ICE-CONTROLLING', value: 7n });
  return encodeMessage(
    { method: o.method ?? METHOD_BINDING, cls: o.cls ?? 'request', transactionId: o.transactionId ?? tid(), attributes },
    { ...(o.key && { integrityKey: o.key }), fingerprint: true },
  );
}

/** A Binding success response carrying `transactionId`. */
export function response(transactionId: Buffer, cls: 'success' | 'error' = 'success'): Buffer {
  const attributes: StunAttribute[] = cls === 'error'
    ? [{ type: 'ERROR-CODE', value: { code: 487, reason: 'Role Conflict' } }]
    : [{ type: 'XOR-MAPPED-ADDRESS', value: { address: '192.0.2.1', port: 1, family: 4 } }];
  return encodeMessage({ method: METHOD_BINDING, cls, transactionId, attributes }, { fingerprint: true });
}

export const allocate = (): Buffer => check('unused', { method: METHOD_ALLOCATE, username: null });

/** An RTP-looking datagram (RFC 7983: first byte 128..191). */
export const rtp = (): Buffer => Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);

export const addr = (address: string, port: number): PeerAddress => ({ address, port });

/**
 * An agent as the driver would run it behind the router: it verifies MESSAGE-INTEGRITY with its
 * own password (the real lib/stun code) and only then calls `router.authenticated`, and it would
 * answer (counted in `answered`) only an authenticated check.
 */
export class FakeAgent {
  readonly key: Buffer;
  rejected = 0;
  answered = 0;
  constructor(readonly ufrag: string, readonly pwd: string) {
    this.key = shortTermKey(pwd);
  }
  handle(router: MuxRouter<FakeAgent>, from: PeerAddress, data: Buffer, now: number): void {
    const d = decodeMessage(data);
    const username = d.ok ? getAttribute(d.message, 'USERNAME')?.value : undefined;
    if (!d.ok || d.message.cls !== 'request' || username?.split(':')[0] !== this.ufrag || !verifyIntegrity(data, d.message, this.key)) {
      this.rejected++;
      return;
    }
    this.answered++;
    router.authenticated(this, from, now);
  }
}
