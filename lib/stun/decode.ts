import { crc32 } from 'node:zlib';
import { readAddressValue } from './address-codec.js';
import {
  ATTR, CLASSIC_TRANSACTION_ID_LENGTH, FINGERPRINT_XOR, HEADER_LENGTH, MAGIC_COOKIE,
  MESSAGE_INTEGRITY_LENGTH,
} from './constants.js';
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

  const type = (buf[0]! << 8) | buf[1]!;
  const classic = buf.readUInt32BE(4) !== MAGIC_COOKIE;
  const tidOffset = 8;

  const attributes: StunAttribute[] = [];
  let unknownRequired: number[] | undefined;
  let integrityOffset: number | undefined;
  let integritySha256Offset: number | undefined;
  let pos = HEADER_LENGTH;
  let fingerprintOffset = -1;

  while (pos < total) {
    // pos and total are multiples of 4, so a full attribute header is always present.
    if (fingerprintOffset >= 0) return fail('attribute-after-fingerprint');
    const code = (buf[pos]! << 8) | buf[pos + 1]!;
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    const start = pos + 4;
    if (start + len > total) return fail('attribute-overrun', `attribute 0x${code.toString(16)} at ${pos}`);
    const next = start + ((len + 3) & ~3); // fits: total is a multiple of 4

    // RFC 8489 §14.5/§14.6: ignore what follows the integrity attributes (except the allowed ones).
    if (integritySha256Offset !== undefined && code !== ATTR.FINGERPRINT) { pos = next; continue; }
    if (integrityOffset !== undefined && code !== ATTR.FINGERPRINT && code !== ATTR.MESSAGE_INTEGRITY_SHA256) {
      pos = next; continue;
    }

    let attr: StunAttribute | StunDecodeFailure;
    switch (code) {
      case ATTR.MAPPED_ADDRESS: attr = address(buf, start, len, 'MAPPED-ADDRESS'); break;
      case ATTR.SOURCE_ADDRESS: attr = address(buf, start, len, 'SOURCE-ADDRESS'); break;
      case ATTR.CHANGED_ADDRESS: attr = address(buf, start, len, 'CHANGED-ADDRESS'); break;
      case ATTR.RESPONSE_ORIGIN: attr = address(buf, start, len, 'RESPONSE-ORIGIN'); break;
      case ATTR.OTHER_ADDRESS: attr = address(buf, start, len, 'OTHER-ADDRESS'); break;
      case ATTR.ALTERNATE_SERVER: attr = address(buf, start, len, 'ALTERNATE-SERVER'); break;
      case ATTR.XOR_MAPPED_ADDRESS: attr = xorAddress(buf, start, len, tidOffset, 'XOR-MAPPED-ADDRESS'); break;
      case ATTR.XOR_PEER_ADDRESS: attr = xorAddress(buf, start, len, tidOffset, 'XOR-PEER-ADDRESS'); break;
      case ATTR.XOR_RELAYED_ADDRESS: attr = xorAddress(buf, start, len, tidOffset, 'XOR-RELAYED-ADDRESS'); break;
      case ATTR.USERNAME: attr = { type: 'USERNAME', value: buf.toString('utf8', start, start + len) }; break;
      case ATTR.SOFTWARE: attr = { type: 'SOFTWARE', value: buf.toString('utf8', start, start + len) }; break;
      case ATTR.REALM: attr = { type: 'REALM', value: buf.toString('utf8', start, start + len) }; break;
      case ATTR.NONCE: attr = { type: 'NONCE', value: buf.toString('utf8', start, start + len) }; break;
      case ATTR.MESSAGE_INTEGRITY:
        if (len !== MESSAGE_INTEGRITY_LENGTH) return fail('bad-attribute', 'MESSAGE-INTEGRITY length');
        attr = { type: 'MESSAGE-INTEGRITY', value: buf.subarray(start, start + len) };
        integrityOffset = pos;
        break;
      case ATTR.MESSAGE_INTEGRITY_SHA256:
        // RFC 8489 §14.6: 16..32 bytes, a multiple of 4.
        if (len < 16 || len > 32 || (len & 3) !== 0) return fail('bad-attribute', 'MESSAGE-INTEGRITY-SHA256 length');
        attr = { type: 'MESSAGE-INTEGRITY-SHA256', value: buf.subarray(start, start + len) };
        integritySha256Offset = pos;
        break;
      case ATTR.FINGERPRINT: {
        if (len !== 4) return fail('bad-attribute', 'FINGERPRINT length');
        // Verified after the walk, so a misplaced FINGERPRINT reports the ordering error.
        attr = { type: 'FINGERPRINT', value: buf.readUInt32BE(start) };
        fingerprintOffset = pos;
        break;
      }
      case ATTR.ERROR_CODE: {
        // RFC 8489 §14.8: 21 reserved bits, class (3 bits, 3..6), number (0..99), reason.
        if (len < 4) return fail('bad-attribute', 'ERROR-CODE length');
        const errClass = buf[start + 2]! & 0x07;
        const errNumber = buf[start + 3]!;
        if (errClass < 3 || errClass > 6 || errNumber > 99) return fail('bad-attribute', 'ERROR-CODE value');
        attr = {
          type: 'ERROR-CODE',
          value: { code: errClass * 100 + errNumber, reason: buf.toString('utf8', start + 4, start + len) },
        };
        break;
      }
      case ATTR.UNKNOWN_ATTRIBUTES: {
        if ((len & 1) !== 0) return fail('bad-attribute', 'UNKNOWN-ATTRIBUTES length');
        const codes: number[] = [];
        for (let i = 0; i < len; i += 2) codes.push((buf[start + i]! << 8) | buf[start + i + 1]!);
        attr = { type: 'UNKNOWN-ATTRIBUTES', value: codes };
        break;
      }
      case ATTR.PRIORITY:
        if (len !== 4) return fail('bad-attribute', 'PRIORITY length');
        attr = { type: 'PRIORITY', value: buf.readUInt32BE(start) };
        break;
      case ATTR.USE_CANDIDATE:
        if (len !== 0) return fail('bad-attribute', 'USE-CANDIDATE length');
        attr = { type: 'USE-CANDIDATE' };
        break;
      case ATTR.ICE_CONTROLLED:
        if (len !== 8) return fail('bad-attribute', 'ICE-CONTROLLED length');
        attr = { type: 'ICE-CONTROLLED', value: buf.readBigUInt64BE(start) };
        break;
      case ATTR.ICE_CONTROLLING:
        if (len !== 8) return fail('bad-attribute', 'ICE-CONTROLLING length');
        attr = { type: 'ICE-CONTROLLING', value: buf.readBigUInt64BE(start) };
        break;
      case ATTR.LIFETIME:
        if (len !== 4) return fail('bad-attribute', 'LIFETIME length');
        attr = { type: 'LIFETIME', value: buf.readUInt32BE(start) };
        break;
      case ATTR.DATA:
        attr = { type: 'DATA', value: buf.subarray(start, start + len) };
        break;
      case ATTR.REQUESTED_TRANSPORT: // RFC 8656 §18.7: protocol byte + 3 RFFU
        if (len !== 4) return fail('bad-attribute', 'REQUESTED-TRANSPORT length');
        attr = { type: 'REQUESTED-TRANSPORT', value: buf[start]! };
        break;
      case ATTR.CHANNEL_NUMBER: // RFC 8656 §18.1: 16-bit number + 2 RFFU
        if (len !== 4) return fail('bad-attribute', 'CHANNEL-NUMBER length');
        attr = { type: 'CHANNEL-NUMBER', value: (buf[start]! << 8) | buf[start + 1]! };
        break;
      case ATTR.DONT_FRAGMENT:
        if (len !== 0) return fail('bad-attribute', 'DONT-FRAGMENT length');
        attr = { type: 'DONT-FRAGMENT' };
        break;
      default:
        // RFC 8489 §14: keep unknown attributes raw; required-range ones must be reported (420).
        if (code < 0x8000) (unknownRequired ??= []).push(code);
        attr = { type: 'unknown', code, value: buf.subarray(start, start + len) };
    }
    if (typeof attr === 'string') return fail(attr, `attribute 0x${code.toString(16)}`);
    attributes.push(attr);
    pos = next;
  }

  // RFC 8489 §14.7: CRC-32 over the message up to (excluding) FINGERPRINT, XOR 0x5354554e.
  if (fingerprintOffset >= 0
    && ((crc32(buf.subarray(0, fingerprintOffset)) ^ FINGERPRINT_XOR) >>> 0) !== buf.readUInt32BE(fingerprintOffset + 4)) {
    return fail('fingerprint-mismatch');
  }

  const base = {
    method: methodOf(type),
    cls: classOf(type),
    transactionId: buf.subarray(tidOffset, HEADER_LENGTH),
    attributes,
    classic,
    integrityOffset,
    integritySha256Offset,
    unknownRequired: unknownRequired ?? NONE,
  };
  const message: StunMessage = classic
    ? { ...base, classicTransactionId: buf.subarray(4, 4 + CLASSIC_TRANSACTION_ID_LENGTH) }
    : base;
  return { ok: true, message };
}

type AddressName =
  | 'MAPPED-ADDRESS' | 'SOURCE-ADDRESS' | 'CHANGED-ADDRESS' | 'RESPONSE-ORIGIN' | 'OTHER-ADDRESS'
  | 'ALTERNATE-SERVER';
type XorAddressName = 'XOR-MAPPED-ADDRESS' | 'XOR-PEER-ADDRESS' | 'XOR-RELAYED-ADDRESS';

function address(buf: Buffer, start: number, len: number, type: AddressName): StunAttribute | StunDecodeFailure {
  const value = readAddressValue(buf, start, len);
  return typeof value === 'string' ? value : { type, value };
}

function xorAddress(
  buf: Buffer, start: number, len: number, tidOffset: number, type: XorAddressName,
): StunAttribute | StunDecodeFailure {
  const value = readAddressValue(buf, start, len, buf, tidOffset);
  return typeof value === 'string' ? value : { type, value };
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
