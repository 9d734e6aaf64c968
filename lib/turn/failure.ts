import type { TransportAddress } from '../stun/index.js';
import {
  ERR_ALLOCATION_MISMATCH, ERR_ALLOCATION_QUOTA, ERR_INSUFFICIENT_CAPACITY, ERR_STALE_NONCE, ERR_TRY_ALTERNATE,
  ERR_UNAUTHORIZED, MAX_ALLOCATION_MISMATCH_RETRIES, MAX_REDIRECTS,
} from './constants.js';
import type { TurnAttemptHistory, TurnFailureReason, TurnRecovery } from './types.js';

export interface FailureVerdict {
  readonly reason: TurnFailureReason;
  readonly recovery: TurnRecovery;
}

/**
 * Errors that end the allocation whatever the request was (RFC 8656 §7-§12):
 * 401 on a signed request means the credential is refused (wrong password, or an expired REST
 * username: coturn checks it on every request) and must not loop; a 438 beyond the retry
 * limit; 437 on anything but Allocate means the allocation is gone.
 */
export function fatalForAnyRequest(code: number | undefined): FailureVerdict | undefined {
  if (code === ERR_UNAUTHORIZED) return { reason: 'auth-failed', recovery: 'none' };
  if (code === ERR_STALE_NONCE) return { reason: 'stale-nonce-loop', recovery: 'none' };
  return undefined;
}

/**
 * An error answer (or a timeout, code undefined) to Allocate. 300 with ALTERNATE-SERVER is a
 * redirect while the owner has followed fewer than MAX_REDIRECTS (RFC 8489 §10).
 */
export function allocateFailure(
  code: number | undefined, alternate: TransportAddress | undefined, history: TurnAttemptHistory,
): FailureVerdict | { readonly redirect: TransportAddress } {
  const fatal = fatalForAnyRequest(code);
  if (fatal !== undefined) return fatal;
  if (code === ERR_TRY_ALTERNATE) {
    if (alternate === undefined) return { reason: 'bad-response', recovery: 'none' };
    return history.redirects < MAX_REDIRECTS ? { redirect: alternate } : { reason: 'too-many-redirects', recovery: 'none' };
  }
  if (code === undefined) return { reason: 'timeout', recovery: 'none' };
  if (code === ERR_ALLOCATION_MISMATCH) {
    // RFC 8656 §7.2: retry from a different client address; the owner makes the socket.
    const more = history.mismatchRetries < MAX_ALLOCATION_MISMATCH_RETRIES;
    return { reason: 'allocation-mismatch', recovery: more ? 'new-socket' : 'none' };
  }
  // RFC 8445 §5.1.1.2: without relay resources, fall back to a Binding request.
  if (code === ERR_ALLOCATION_QUOTA || code === ERR_INSUFFICIENT_CAPACITY) return { reason: 'fallback-to-binding', recovery: 'binding' };
  return { reason: 'error-response', recovery: 'none' };
}

/** An error answer to Refresh while allocated (transient ones are retried before this). */
export function refreshFailure(code: number | undefined): FailureVerdict {
  const fatal = fatalForAnyRequest(code);
  if (fatal !== undefined) return fatal;
  if (code === ERR_ALLOCATION_MISMATCH) return { reason: 'allocation-lost', recovery: 'reallocate' };
  return { reason: 'error-response', recovery: 'reallocate' };
}

/** Worth retrying a Refresh: no answer, or a server-side (5xx) error. */
export function isTransient(code: number | undefined): boolean {
  return code === undefined || (code >= 500 && code !== ERR_INSUFFICIENT_CAPACITY);
}
