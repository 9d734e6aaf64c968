import { ERROR_BAD_REQUEST, ERROR_UNAUTHORIZED, ERROR_UNKNOWN_ATTRIBUTE } from '../stun/constants.js';
import { getAttribute } from '../stun/get-attribute.js';
import { verifyIntegrity } from '../stun/integrity.js';
import type { StunMessage } from '../stun/types.js';

/** What an authenticated check carried. */
export interface CheckAccepted {
  readonly ok: true;
  readonly remoteUfrag: string;
  readonly priority: number;
  readonly useCandidate: boolean;
  readonly controlling: bigint | undefined;
  readonly controlled: bigint | undefined;
}

export type CheckVerdict =
  | CheckAccepted
  /** `error` undefined: drop silently. `authenticated` says whether the error response may be signed. */
  | { readonly ok: false; readonly error?: { readonly code: number; readonly reason: string }; readonly authenticated: boolean; readonly why: string };

/**
 * Authenticates an incoming Binding request (RFC 8445 §7.3, RFC 8489 §9.1.3),
 * in the order Chrome applies: no FINGERPRINT → drop; no USERNAME or
 * MESSAGE-INTEGRITY → 400; wrong ufrag or password → 401; then 420 and 400
 * for an authenticated request that we cannot process.
 */
export function authenticateCheck(buf: Buffer, msg: StunMessage, localUfrag: string, localKey: Buffer): CheckVerdict {
  if (!getAttribute(msg, 'FINGERPRINT')) return { ok: false, authenticated: false, why: 'no FINGERPRINT' };
  const username = getAttribute(msg, 'USERNAME')?.value;
  if (username === undefined || msg.integrityOffset === undefined) {
    return { ok: false, error: { code: ERROR_BAD_REQUEST, reason: 'Bad Request' }, authenticated: false, why: 'no USERNAME or MESSAGE-INTEGRITY' };
  }
  const colon = username.indexOf(':');
  if (colon < 0 || username.slice(0, colon) !== localUfrag) {
    return { ok: false, error: { code: ERROR_UNAUTHORIZED, reason: 'Unauthorized' }, authenticated: false, why: 'unknown ufrag' };
  }
  if (!verifyIntegrity(buf, msg, localKey)) {
    return { ok: false, error: { code: ERROR_UNAUTHORIZED, reason: 'Unauthorized' }, authenticated: false, why: 'bad MESSAGE-INTEGRITY' };
  }
  if (msg.unknownRequired.length > 0) {
    return { ok: false, error: { code: ERROR_UNKNOWN_ATTRIBUTE, reason: 'Unknown Attribute' }, authenticated: true, why: 'unknown required attribute' };
  }
  const priority = getAttribute(msg, 'PRIORITY')?.value;
  const controlling = getAttribute(msg, 'ICE-CONTROLLING')?.value;
  const controlled = getAttribute(msg, 'ICE-CONTROLLED')?.value;
  if (priority === undefined || (controlling === undefined) === (controlled === undefined)) {
    return { ok: false, error: { code: ERROR_BAD_REQUEST, reason: 'Bad Request' }, authenticated: true, why: 'no PRIORITY or role' };
  }
  return {
    ok: true,
    remoteUfrag: username.slice(colon + 1),
    priority,
    useCandidate: getAttribute(msg, 'USE-CANDIDATE') !== undefined,
    controlling,
    controlled,
  };
}

/**
 * §7.3.1.1: what an authenticated request's role attribute asks of us. Both sides claiming the
 * same role: the larger 64-bit tie-breaker stays controlling; the other side switches, or we
 * answer 487 so that it does.
 */
export function roleConflict(
  role: 'controlling' | 'controlled',
  tieBreaker: bigint,
  verdict: { readonly controlling: bigint | undefined; readonly controlled: bigint | undefined },
): 'none' | 'switch' | 'reject' {
  if (role === 'controlling' && verdict.controlling !== undefined) return tieBreaker >= verdict.controlling ? 'reject' : 'switch';
  if (role === 'controlled' && verdict.controlled !== undefined) return tieBreaker >= verdict.controlled ? 'switch' : 'reject';
  return 'none';
}
