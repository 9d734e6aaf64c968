// Connectivity checks built with our encoder the way Chrome builds them (attribute order and all), and their answers.
import { randomBytes } from 'node:crypto';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { shortTermKey } from '../../lib/stun/integrity.js';
import type { StunAttribute, TransportAddress } from '../../lib/stun/types.js';

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

/** A peer's success answer to a check with `transactionId` from `mapped`, signed with the password `pwd` (RFC 8445 §7.3.1.3). */
export function checkSuccess(transactionId: Buffer, mapped: TransportAddress, pwd: string): Buffer {
  return encodeMessage(
    { method: METHOD_BINDING, cls: 'success', transactionId, attributes: [{ type: 'XOR-MAPPED-ADDRESS', value: mapped }] },
    { integrityKey: shortTermKey(pwd), fingerprint: true },
  );
}
