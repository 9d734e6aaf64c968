import { ERROR_UNKNOWN_ATTRIBUTE, METHOD_BINDING } from './constants.js';
import { encodeMessage, type EncodeOptions } from './encode.js';
import type { StunAttribute, StunMessage, TransportAddress } from './types.js';

/** RFC 8489 §14.8 recommended reason phrases, used when the caller passes none. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  300: 'Try Alternate',
  400: 'Bad Request',
  401: 'Unauthenticated',
  420: 'Unknown Attribute',
  438: 'Stale Nonce',
  487: 'Role Conflict', // RFC 8445 §7.3.1.1
  500: 'Server Error',
};

export interface ErrorResponseOptions {
  /** Add MESSAGE-INTEGRITY with this key (the ICE agent signs 487 with its password). */
  readonly integrityKey?: Buffer;
  /** Codes for UNKNOWN-ATTRIBUTES (RFC 8489 §14.13), normally with 420. */
  readonly unknown?: readonly number[];
  readonly software?: string;
}

/**
 * Error response to `request` (same method and transaction id), RFC 8489 §6.3.1.1:
 * ERROR-CODE, [UNKNOWN-ATTRIBUTES], [SOFTWARE], [MESSAGE-INTEGRITY], FINGERPRINT.
 * RFC 3489 requests get the 16-byte id back and no FINGERPRINT (classic clients do not know it).
 */
export function errorResponse(
  request: StunMessage, code: number, reason: string, opts: ErrorResponseOptions = {},
): Buffer {
  const attributes: StunAttribute[] = [{ type: 'ERROR-CODE', value: { code, reason } }];
  if (opts.unknown && opts.unknown.length > 0) attributes.push({ type: 'UNKNOWN-ATTRIBUTES', value: opts.unknown });
  return encodeMessage(
    { method: request.method, cls: 'error', transactionId: request.transactionId, attributes },
    responseOptions(request, opts.software, opts.integrityKey),
  );
}

/**
 * Pure STUN Binding server (RFC 8489 §6.3, RFC 3489 §9.2): answer a Binding request from
 * `source`. Modern: XOR-MAPPED-ADDRESS, MAPPED-ADDRESS (for old clients), [SOFTWARE],
 * FINGERPRINT. Classic: MAPPED-ADDRESS only, same 16-byte id. Unknown comprehension-required
 * attributes -> 420 with UNKNOWN-ATTRIBUTES. Anything else -> undefined (drop).
 */
export function bindingResponse(
  request: StunMessage, source: TransportAddress, opts: { readonly software?: string } = {},
): Buffer | undefined {
  if (request.method !== METHOD_BINDING || request.cls !== 'request') return undefined;
  if (request.unknownRequired.length > 0) {
    const errOpts: ErrorResponseOptions = opts.software === undefined
      ? { unknown: request.unknownRequired }
      : { unknown: request.unknownRequired, software: opts.software };
    return errorResponse(request, ERROR_UNKNOWN_ATTRIBUTE, REASON_PHRASES[ERROR_UNKNOWN_ATTRIBUTE]!, errOpts);
  }
  const attributes: StunAttribute[] = request.classic
    ? [{ type: 'MAPPED-ADDRESS', value: source }]
    : [{ type: 'XOR-MAPPED-ADDRESS', value: source }, { type: 'MAPPED-ADDRESS', value: source }];
  return encodeMessage(
    { method: METHOD_BINDING, cls: 'success', transactionId: request.transactionId, attributes },
    responseOptions(request, opts.software, undefined),
  );
}

function responseOptions(request: StunMessage, software: string | undefined, key: Buffer | undefined): EncodeOptions {
  const classicId = request.classic ? request.classicTransactionId : undefined;
  if (classicId !== undefined) {
    return software === undefined ? { classicTransactionId: classicId } : { classicTransactionId: classicId, software };
  }
  const o: { -readonly [K in keyof EncodeOptions]: EncodeOptions[K] } = { fingerprint: true };
  if (software !== undefined) o.software = software;
  if (key !== undefined) o.integrityKey = key;
  return o;
}
