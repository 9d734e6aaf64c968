import { METHOD_BINDING } from '../stun/constants.js';
import { encodeMessage } from '../stun/encode.js';
import type { StunAttribute, StunMessage, TransportAddress } from '../stun/types.js';
import type { IceRole } from './config.js';

export interface CheckRequest {
  readonly transactionId: Buffer;
  /** `remoteUfrag:localUfrag` (RFC 8445 §7.2.2). */
  readonly username: string;
  /** Priority a peer-reflexive candidate of ours would have (§7.1.1). */
  readonly priority: number;
  readonly role: IceRole;
  readonly tieBreaker: bigint;
  readonly useCandidate: boolean;
  /** Short-term key: the remote password. */
  readonly key: Buffer;
}

/** A connectivity check (RFC 8445 §7.1.1): USERNAME, PRIORITY, role, [USE-CANDIDATE], MESSAGE-INTEGRITY, FINGERPRINT. */
export function encodeCheck(c: CheckRequest): Buffer {
  const attributes: StunAttribute[] = [
    { type: 'USERNAME', value: c.username },
    { type: 'PRIORITY', value: c.priority },
    c.role === 'controlling'
      ? { type: 'ICE-CONTROLLING', value: c.tieBreaker }
      : { type: 'ICE-CONTROLLED', value: c.tieBreaker },
  ];
  if (c.useCandidate) attributes.push({ type: 'USE-CANDIDATE' });
  return encodeMessage(
    { method: METHOD_BINDING, cls: 'request', transactionId: c.transactionId, attributes },
    { integrityKey: c.key, fingerprint: true },
  );
}

/** §7.3.1.3 success response: what Chrome sends too, XOR-MAPPED-ADDRESS + integrity + fingerprint. */
export function encodeCheckSuccess(request: StunMessage, source: TransportAddress, key: Buffer): Buffer {
  return encodeMessage(
    {
      method: METHOD_BINDING,
      cls: 'success',
      transactionId: request.transactionId,
      attributes: [{ type: 'XOR-MAPPED-ADDRESS', value: source }],
    },
    { integrityKey: key, fingerprint: true },
  );
}
