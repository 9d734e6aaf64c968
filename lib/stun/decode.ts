import { crc32 } from 'node:zlib';
import { type AttributeRow, type ReadFailure, uint32At } from './attribute-codec.js';
import { rowWithCode } from './attribute-table.js';
import { ATTR, CLASSIC_TRANSACTION_ID_LENGTH, FINGERPRINT_XOR, HEADER_LENGTH, MAGIC_COOKIE } from './constants.js';
import { classOf, methodOf } from './message-type.js';
import type { StunAttribute, StunDecodeFailure, StunDecodeResult, StunMessage } from './types.js';

/*
 * Strict, allocation-light STUN decoder (RFC 8489 §5, §14; RFC 3489 for cookie-less messages).
 * Never throws: every defect maps to a StunDecodeFailure.
 *
 * Padding (RFC 8489 §14): padding bytes may hold any value and are ignored. 'bad-padding' means
 * the body length is not a multiple of 4 *because* the final attribute's value ends exactly at
 * the end of the datagram without its 1-3 padding bytes (a sender bug); any other body length
 * that is not a multiple of 4 is 'not-multiple-of-4'.
 *
 * Ordering (RFC 8489 §14.5-§14.7): attributes after MESSAGE-INTEGRITY other than
 * MESSAGE-INTEGRITY-SHA256 / FINGERPRINT are skipped (framing still checked); after
 * MESSAGE-INTEGRITY-SHA256 only FINGERPRINT is kept; anything after FINGERPRINT fails
 * ('attribute-after-fingerprint' wins over 'fingerprint-mismatch': appending changes the length
 * field, so the CRC could not match anyway). FINGERPRINT, when present, is verified here.
 */

const NONE: readonly number[] = Object.freeze([]);
/** RFC 8489 §5: the transaction id is bytes 8..19 (for RFC 3489, the tail of its 16-byte id). */
const TRANSACTION_ID_OFFSET = 8;

function fail(reason: StunDecodeFailure, detail?: string): StunDecodeResult {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

export function decodeMessage(buf: Buffer): StunDecodeResult {
  const total = buf.length;
  if (total < HEADER_LENGTH) return fail('too-short');
  if ((buf[0]! & 0xc0) !== 0) return fail('not-stun'); // RFC 8489 §5: top two bits are zero
  const bodyLength = (buf[2]! << 8) | buf[3]!;
  if (bodyLength !== total - HEADER_LENGTH) {
    return fail('bad-length', `header says ${bodyLength}, datagram has ${total - HEADER_LENGTH}`);
  }
  if ((bodyLength & 3) !== 0) return fail(missingFinalPadding(buf) ? 'bad-padding' : 'not-multiple-of-4');

  const attributes: StunAttribute[] = [];
  let unknownRequired: number[] | undefined;
  let integrityOffset: number | undefined;
  let integritySha256Offset: number | undefined;
  let fingerprintOffset = -1;
  for (let pos = HEADER_LENGTH; pos < total;) {
    // pos and total are multiples of 4, so a full attribute header is always present.
    if (fingerprintOffset >= 0) return fail('attribute-after-fingerprint');
    const code = (buf[pos]! << 8) | buf[pos + 1]!;
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    const start = pos + 4;
    if (start + len > total) return fail('attribute-overrun', `attribute 0x${code.toString(16)} at ${pos}`);
    const at = pos;
    pos = start + ((len + 3) & ~3); // fits: total is a multiple of 4

    // RFC 8489 §14.5/§14.6: ignore what follows the integrity attributes (except the allowed ones).
    if (integritySha256Offset !== undefined && code !== ATTR.FINGERPRINT) continue;
    if (integrityOffset !== undefined && code !== ATTR.FINGERPRINT && code !== ATTR.MESSAGE_INTEGRITY_SHA256) continue;

    const row = rowWithCode(code);
    if (row === undefined) {
      // RFC 8489 §14: keep unknown attributes raw; required-range ones must be reported (420).
      if (code < 0x8000) (unknownRequired ??= []).push(code);
      attributes.push({ type: 'unknown', code, value: buf.subarray(start, start + len) });
      continue;
    }
    const attr = row.codec.read(buf, start, len, row);
    if (typeof attr === 'string') return readFailure(attr, row);
    attributes.push(attr);
    // Verified after the walk, so a misplaced FINGERPRINT reports the ordering error.
    if (code === ATTR.FINGERPRINT) fingerprintOffset = at;
    else if (code === ATTR.MESSAGE_INTEGRITY) integrityOffset = at;
    else if (code === ATTR.MESSAGE_INTEGRITY_SHA256) integritySha256Offset = at;
  }

  // RFC 8489 §14.7: CRC-32 over the message up to (excluding) FINGERPRINT, XOR 0x5354554e.
  if (fingerprintOffset >= 0
    && ((crc32(buf.subarray(0, fingerprintOffset)) ^ FINGERPRINT_XOR) >>> 0) !== uint32At(buf, fingerprintOffset + 4)) {
    return fail('fingerprint-mismatch');
  }
  return { ok: true, message: message(buf, attributes, integrityOffset, integritySha256Offset, unknownRequired ?? NONE) };
}

/** A value's defect as a failure: '<NAME> length' / '<NAME> value', or the address codec's reason. */
function readFailure(failure: ReadFailure, row: AttributeRow): StunDecodeResult {
  if (failure === 'length' || failure === 'value') return fail('bad-attribute', `${row.name} ${failure}`);
  return fail(failure, `attribute 0x${row.code.toString(16)}`);
}

function message(
  buf: Buffer, attributes: StunAttribute[], integrityOffset: number | undefined,
  integritySha256Offset: number | undefined, unknownRequired: readonly number[],
): StunMessage {
  const type = (buf[0]! << 8) | buf[1]!;
  const classic = uint32At(buf, 4) !== MAGIC_COOKIE;
  const base = {
    method: methodOf(type),
    cls: classOf(type),
    transactionId: buf.subarray(TRANSACTION_ID_OFFSET, HEADER_LENGTH),
    attributes,
    classic,
    integrityOffset,
    integritySha256Offset,
    unknownRequired,
  };
  return classic ? { ...base, classicTransactionId: buf.subarray(4, 4 + CLASSIC_TRANSACTION_ID_LENGTH) } : base;
}

/** True when walking the attributes ends with a value flush against the end (its padding missing). */
function missingFinalPadding(buf: Buffer): boolean {
  let pos = HEADER_LENGTH;
  while (pos + 4 <= buf.length) {
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    if (pos + 4 + len === buf.length) return true;
    pos += 4 + ((len + 3) & ~3);
  }
  return false;
}
