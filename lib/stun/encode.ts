import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { IceError } from '../util/errors.js';
import { hmacKey } from './hmac-key.js';
import { addressValueLength, writeAddressValue } from './address-codec.js';
import {
  ATTR, ATTRIBUTE_CODES, CLASSIC_TRANSACTION_ID_LENGTH, FINGERPRINT_XOR, HEADER_LENGTH,
  MAGIC_COOKIE, MAX_BODY_LENGTH, MAX_TEXT_ATTRIBUTE_BYTES, MESSAGE_INTEGRITY_LENGTH,
  TRANSACTION_ID_LENGTH,
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

// Value lengths measured in the sizing pass and reused when writing.
// Safe to share: encodeMessage is synchronous and not re-entrant.
const lengths: number[] = [];

function misuse(message: string): never {
  throw new IceError('ERR_STUN_ENCODE', message);
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** UTF-8 length; ASCII (every ICE username) is counted in JS, skipping a native call. */
function textLength(value: string, type: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) >= 0x80) { n = Buffer.byteLength(value, 'utf8'); break; }
  }
  if (n > MAX_TEXT_ATTRIBUTE_BYTES) misuse(`${type} is ${n} bytes (max ${MAX_TEXT_ATTRIBUTE_BYTES})`);
  return n;
}

function checkUint(value: number, max: number, type: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) misuse(`${type} value ${String(value)} out of range`);
}

/** Value length of one attribute (unpadded); validates the value. */
function valueLength(attr: StunAttribute): number {
  switch (attr.type) {
    case 'MAPPED-ADDRESS': case 'XOR-MAPPED-ADDRESS': case 'SOURCE-ADDRESS': case 'CHANGED-ADDRESS':
    case 'RESPONSE-ORIGIN': case 'OTHER-ADDRESS': case 'ALTERNATE-SERVER':
    case 'XOR-PEER-ADDRESS': case 'XOR-RELAYED-ADDRESS':
      return addressValueLength(attr.value);
    case 'USERNAME': case 'SOFTWARE': case 'REALM': case 'NONCE':
      return textLength(attr.value, attr.type);
    case 'ERROR-CODE': {
      // RFC 8489 §14.8: class 3..6, number 0..99; reason < 128 characters (763 bytes).
      checkUint(attr.value.code, 699, 'ERROR-CODE');
      if (attr.value.code < 300) misuse(`ERROR-CODE ${attr.value.code} out of range 300..699`);
      return 4 + textLength(attr.value.reason, attr.type);
    }
    case 'UNKNOWN-ATTRIBUTES':
      for (const code of attr.value) checkUint(code, 0xffff, attr.type);
      return 2 * attr.value.length;
    case 'MESSAGE-INTEGRITY': case 'MESSAGE-INTEGRITY-SHA256': case 'DATA': case 'unknown':
      if (attr.type === 'unknown') checkUint(attr.code, 0xffff, 'unknown attribute code');
      if (attr.value.length > 0xffff) misuse(`${attr.type} value too long`);
      return attr.value.length;
    case 'FINGERPRINT': case 'PRIORITY': case 'LIFETIME':
      checkUint(attr.value, 0xffffffff, attr.type);
      return 4;
    case 'REQUESTED-TRANSPORT':
      checkUint(attr.value, 0xff, attr.type);
      return 4;
    case 'CHANNEL-NUMBER':
      checkUint(attr.value, 0xffff, attr.type);
      return 4;
    case 'ICE-CONTROLLED': case 'ICE-CONTROLLING':
      if (typeof attr.value !== 'bigint' || BigInt.asUintN(64, attr.value) !== attr.value) {
        misuse(`${attr.type} must be a 64-bit unsigned bigint`);
      }
      return 8;
    case 'USE-CANDIDATE': case 'DONT-FRAGMENT':
      return 0;
  }
}

/** Write one attribute value at `off` (length already validated). */
function writeValue(out: Buffer, off: number, attr: StunAttribute, len: number, tid: Buffer): void {
  switch (attr.type) {
    case 'MAPPED-ADDRESS': case 'SOURCE-ADDRESS': case 'CHANGED-ADDRESS':
    case 'RESPONSE-ORIGIN': case 'OTHER-ADDRESS': case 'ALTERNATE-SERVER':
      writeAddressValue(out, off, attr.value);
      return;
    case 'XOR-MAPPED-ADDRESS': case 'XOR-PEER-ADDRESS': case 'XOR-RELAYED-ADDRESS':
      writeAddressValue(out, off, attr.value, tid);
      return;
    case 'USERNAME': case 'SOFTWARE': case 'REALM': case 'NONCE':
      writeText(out, off, attr.value, len);
      return;
    case 'ERROR-CODE':
      out[off] = 0;
      out[off + 1] = 0;
      out[off + 2] = Math.floor(attr.value.code / 100);
      out[off + 3] = attr.value.code % 100;
      writeText(out, off + 4, attr.value.reason, len - 4);
      return;
    case 'UNKNOWN-ATTRIBUTES':
      for (let i = 0; i < attr.value.length; i++) out.writeUInt16BE(attr.value[i]!, off + 2 * i);
      return;
    case 'MESSAGE-INTEGRITY': case 'MESSAGE-INTEGRITY-SHA256': case 'DATA': case 'unknown':
      attr.value.copy(out, off);
      return;
    case 'FINGERPRINT': case 'PRIORITY': case 'LIFETIME':
      out.writeUInt32BE(attr.value, off);
      return;
    case 'REQUESTED-TRANSPORT': // RFC 8656 §18.7: protocol, then 3 RFFU bytes.
      out.writeUInt32BE(attr.value * 0x1000000, off);
      return;
    case 'CHANNEL-NUMBER': // RFC 8656 §18.1: number, then 2 RFFU bytes.
      out.writeUInt32BE(attr.value * 0x10000, off);
      return;
    case 'ICE-CONTROLLED': case 'ICE-CONTROLLING':
      out.writeBigUInt64BE(attr.value, off);
      return;
    case 'USE-CANDIDATE': case 'DONT-FRAGMENT':
      return;
  }
}

/** `len` is the UTF-8 length; equal to the string length means ASCII, copied in JS. */
function writeText(out: Buffer, off: number, text: string, len: number): void {
  if (len === text.length) {
    for (let i = 0; i < len; i++) out[off + i] = text.charCodeAt(i);
  } else {
    out.write(text, off, len, 'utf8');
  }
}

function codeOf(attr: StunAttribute): number {
  return attr.type === 'unknown' ? attr.code : ATTRIBUTE_CODES[attr.type];
}

/**
 * Encode a message into one exactly-sized buffer (RFC 8489 §5, §14). The integrity attributes and
 * FINGERPRINT from `opts` are appended last, each computed with the length field covering it.
 * Throws IceError('ERR_STUN_ENCODE') on misuse.
 */
export function encodeMessage(msg: StunMessageInit, opts: EncodeOptions = NO_OPTIONS): Buffer {
  const tid = msg.transactionId;
  const classicId = opts.classicTransactionId;
  if (classicId !== undefined) {
    if (classicId.length !== CLASSIC_TRANSACTION_ID_LENGTH) misuse('classic transaction id must be 16 bytes');
  } else if (tid.length !== TRANSACTION_ID_LENGTH) {
    misuse(`transaction id must be ${TRANSACTION_ID_LENGTH} bytes, got ${tid.length}`);
  }
  if (!Number.isInteger(msg.method) || msg.method < 0 || msg.method > 0xfff) misuse(`bad method ${msg.method}`);
  const padByte = opts.padByte ?? 0;
  const attrs = msg.attributes;
  const software = opts.software;

  // Pass 1: size everything.
  let body = 0;
  for (let i = 0; i < attrs.length; i++) body += 4 + pad4((lengths[i] = valueLength(attrs[i]!)));
  let softwareLength = 0;
  if (software !== undefined) {
    softwareLength = textLength(software, 'SOFTWARE');
    body += 4 + pad4(softwareLength);
  }
  const miAt = body;
  if (opts.integrityKey) body += 4 + MESSAGE_INTEGRITY_LENGTH;
  const mi256At = body;
  if (opts.integritySha256Key) body += 4 + 32;
  const fpAt = body;
  if (opts.fingerprint) body += 8;
  if (body > MAX_BODY_LENGTH) misuse(`message body of ${body} bytes exceeds ${MAX_BODY_LENGTH}`);

  // Pass 2: write into one buffer.
  const out = Buffer.allocUnsafe(HEADER_LENGTH + body);
  out.writeUInt16BE(messageType(msg.method, msg.cls), 0);
  if (classicId !== undefined) {
    classicId.copy(out, 4);
  } else {
    out.writeUInt32BE(MAGIC_COOKIE, 4);
    tid.copy(out, 8);
  }
  // XOR addresses use the last 12 bytes of the id slot (for RFC 3489 that is the classic id's tail).
  const xorTid = classicId !== undefined ? classicId.subarray(4) : tid;
  let off = HEADER_LENGTH;
  for (let i = 0; i < attrs.length; i++) {
    const attr = attrs[i]!;
    const len = lengths[i]!;
    out.writeUInt16BE(codeOf(attr), off);
    out.writeUInt16BE(len, off + 2);
    writeValue(out, off + 4, attr, len, xorTid);
    off = padTo(out, off + 4, len, padByte);
  }
  if (software !== undefined) {
    out.writeUInt16BE(ATTR.SOFTWARE, off);
    out.writeUInt16BE(softwareLength, off + 2);
    writeText(out, off + 4, software, softwareLength);
    off = padTo(out, off + 4, softwareLength, padByte);
  }

  // RFC 8489 §14.5: HMAC over everything before MI, length field counting MI itself.
  if (opts.integrityKey) {
    out.writeUInt16BE(miAt + 4 + MESSAGE_INTEGRITY_LENGTH, 2);
    const hmac = createHmac('sha1', hmacKey(opts.integrityKey)).update(out.subarray(0, off)).digest();
    out.writeUInt16BE(ATTR.MESSAGE_INTEGRITY, off);
    out.writeUInt16BE(MESSAGE_INTEGRITY_LENGTH, off + 2);
    hmac.copy(out, off + 4);
    off += 4 + MESSAGE_INTEGRITY_LENGTH;
  }
  // RFC 8489 §14.6: same rule with HMAC-SHA256.
  if (opts.integritySha256Key) {
    out.writeUInt16BE(mi256At + 36, 2);
    const hmac = createHmac('sha256', hmacKey(opts.integritySha256Key)).update(out.subarray(0, off)).digest();
    out.writeUInt16BE(ATTR.MESSAGE_INTEGRITY_SHA256, off);
    out.writeUInt16BE(32, off + 2);
    hmac.copy(out, off + 4);
    off += 36;
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

/** Fill the 0-3 padding bytes after a value (RFC 8489 §14); returns the next attribute offset. */
function padTo(out: Buffer, valueAt: number, len: number, padByte: number): number {
  const end = valueAt + pad4(len);
  for (let p = valueAt + len; p < end; p++) out[p] = padByte;
  return end;
}
