import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hmacKey } from './hmac-key.js';
import { type AttributeRow, checkUint, misuse, pad4 } from './attribute-codec.js';
import { UNKNOWN_ROW, rowNamed } from './attribute-table.js';
import { textLength, writeText } from './codec-text.js';
import {
  ATTR, CLASSIC_TRANSACTION_ID_LENGTH, FINGERPRINT_XOR, HEADER_LENGTH, MAGIC_COOKIE, MAX_BODY_LENGTH,
  MESSAGE_INTEGRITY_LENGTH, TRANSACTION_ID_LENGTH,
} from './constants.js';
import { messageType } from './message-type.js';
import type { StunAttribute, StunMessageInit } from './types.js';

export interface EncodeOptions {
  /** Append MESSAGE-INTEGRITY (HMAC-SHA1) with this key, RFC 8489 §14.5. */
  readonly integrityKey?: Buffer;
  /** Append MESSAGE-INTEGRITY-SHA256 (full 32 bytes) with this key, RFC 8489 §14.6. */
  readonly integritySha256Key?: Buffer;
  /** Append FINGERPRINT, RFC 8489 §14.7. */
  readonly fingerprint?: boolean;
  /** Append SOFTWARE after the given attributes (before the integrity attributes). */
  readonly software?: string;
  /** Padding byte value (RFC 8489 §14: any value; 0 by default). 0x20 reproduces RFC 5769 §2.1-2.3. */
  readonly padByte?: number;
  /** RFC 3489: write this 16-byte id in bytes 4..19 instead of cookie + transactionId. */
  readonly classicTransactionId?: Buffer;
}

const NO_OPTIONS: EncodeOptions = {};
/** RFC 8489 §14.6: this encoder sends the full 32-byte HMAC-SHA256. */
const SHA256_LENGTH = 32;

// Table rows and value lengths found in the sizing pass, reused when writing.
// Safe to share: encodeMessage is synchronous and not re-entrant.
const rows: AttributeRow[] = [];
const lengths: number[] = [];

/** The table row of `attr`; throws on a name the table does not know. */
function rowOf(attr: StunAttribute): AttributeRow {
  if (attr.type === 'unknown') {
    checkUint(attr.code, 0xffff, 'unknown attribute code');
    return UNKNOWN_ROW;
  }
  return rowNamed(attr.type) ?? misuse(`unknown attribute type ${String(attr.type)}`);
}

/** The attribute's value (undefined for a flag), as the type-erased codec of its row takes it. */
function valueOf(attr: StunAttribute): unknown {
  return (attr as { readonly value?: unknown }).value;
}

/**
 * Encode a message into one exactly-sized buffer (RFC 8489 §5, §14). The integrity attributes and
 * FINGERPRINT from `opts` are appended last, each computed with the length field covering it.
 * Throws IceError('ERR_STUN_ENCODE') on misuse.
 */
export function encodeMessage(msg: StunMessageInit, opts: EncodeOptions = NO_OPTIONS): Buffer {
  checkHeader(msg, opts.classicTransactionId);
  const attrs = msg.attributes;
  const software = opts.software;

  // Pass 1: size everything. (Both attribute loops stay here: moved into helpers, V8 stopped
  // inlining the per-attribute calls, +5% instructions under callgrind.)
  let body = 0;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i]!;
    const row = (rows[i] = rowOf(attr));
    body += 4 + pad4((lengths[i] = row.codec.size(valueOf(attr), row)));
  }
  const softwareLength = software === undefined ? 0 : textLength(software, 'SOFTWARE');
  if (software !== undefined) body += 4 + pad4(softwareLength);
  const miAt = body;
  if (opts.integrityKey) body += 4 + MESSAGE_INTEGRITY_LENGTH;
  const mi256At = body;
  if (opts.integritySha256Key) body += 4 + SHA256_LENGTH;
  const fpAt = body;
  if (opts.fingerprint) body += 8;
  if (body > MAX_BODY_LENGTH) misuse(`message body of ${body} bytes exceeds ${MAX_BODY_LENGTH}`);

  // Pass 2: write into one buffer.
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body);
  const padByte = opts.padByte ?? 0;
  const xorTid = writeHeader(out, msg, opts.classicTransactionId);
  let off = HEADER_LENGTH;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i]!;
    const len = lengths[i]!;
    const row = rows[i]!;
    out.writeUInt16BE(attr.type === 'unknown' ? attr.code : row.code, off);
    out.writeUInt16BE(len, off + 2);
    row.codec.write(out, off + 4, valueOf(attr), len, xorTid);
    off = padTo(out, off + 4, len, padByte);
  }
  if (software !== undefined) {
    out.writeUInt16BE(ATTR.SOFTWARE, off);
    out.writeUInt16BE(softwareLength, off + 2);
    writeText(out, off + 4, software, softwareLength);
    off = padTo(out, off + 4, softwareLength, padByte);
  }
  // RFC 8489 §14.5 / §14.6: HMAC over everything before the MAC, the length field counting the MAC.
  if (opts.integrityKey) {
    off = appendMac(out, off, miAt, 'sha1', opts.integrityKey, ATTR.MESSAGE_INTEGRITY, MESSAGE_INTEGRITY_LENGTH);
  }
  if (opts.integritySha256Key) {
    off = appendMac(out, off, mi256At, 'sha256', opts.integritySha256Key, ATTR.MESSAGE_INTEGRITY_SHA256, SHA256_LENGTH);
  }
  out.writeUInt16BE(body, 2);
  // RFC 8489 §14.7: CRC-32 of everything before FINGERPRINT, final length in the header.
  if (opts.fingerprint) {
    out.writeUInt16BE(ATTR.FINGERPRINT, off);
    out.writeUInt16BE(4, off + 2);
    out.writeUInt32BE((crc32(out.subarray(0, fpAt + HEADER_LENGTH)) ^ FINGERPRINT_XOR) >>> 0, off + 4);
  }
  return out;
}

function checkHeader(msg: StunMessageInit, classicId: Buffer | undefined): void {
  if (classicId !== undefined) {
    if (classicId.length !== CLASSIC_TRANSACTION_ID_LENGTH) misuse('classic transaction id must be 16 bytes');
  } else if (msg.transactionId.length !== TRANSACTION_ID_LENGTH) {
    misuse(`transaction id must be ${TRANSACTION_ID_LENGTH} bytes, got ${msg.transactionId.length}`);
  }
  if (!Number.isInteger(msg.method) || msg.method < 0 || msg.method > 0xfff) misuse(`bad method ${msg.method}`);
}

/** Type, cookie and transaction id; returns the 12 bytes XOR addresses use. */
function writeHeader(out: Buffer, msg: StunMessageInit, classicId: Buffer | undefined): Buffer {
  out.writeUInt16BE(messageType(msg.method, msg.cls), 0);
  if (classicId === undefined) {
    out.writeUInt32BE(MAGIC_COOKIE, 4);
    msg.transactionId.copy(out, 8);
    return msg.transactionId;
  }
  classicId.copy(out, 4);
  return classicId.subarray(4); // RFC 3489: the last 12 bytes of the id slot
}

/** Append a MESSAGE-INTEGRITY(-SHA256) at `off`, `bodyAt` being its offset in the body. */
function appendMac(
  out: Buffer, off: number, bodyAt: number, algorithm: 'sha1' | 'sha256', key: Buffer, code: number, length: number,
): number {
  out.writeUInt16BE(bodyAt + 4 + length, 2);
  const hmac = createHmac(algorithm, hmacKey(key)).update(out.subarray(0, off)).digest();
  out.writeUInt16BE(code, off);
  out.writeUInt16BE(length, off + 2);
  hmac.copy(out, off + 4); // full-length MACs: 20 (SHA-1) or 32 (SHA-256) bytes
  return off + 4 + length;
}

/** Fill the 0-3 padding bytes after a value (RFC 8489 §14); returns the next attribute offset. */
function padTo(out: Buffer, valueAt: number, len: number, padByte: number): number {
  const end = valueAt + pad4(len);
  for (let p = valueAt + len; p < end; p++) out[p] = padByte;
  return end;
}
