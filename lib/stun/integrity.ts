import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hmacKey } from './hmac-key.js';
import { FINGERPRINT_XOR, HEADER_LENGTH, MESSAGE_INTEGRITY_LENGTH } from './constants.js';
import type { StunMessage } from './types.js';

/**
 * RFC 8489 §9.1 short-term key: the password's UTF-8 bytes. The OpaqueString (RFC 8265)
 * preparation is skipped: ICE passwords are ice-chars (ALPHA / DIGIT / "+" / "/", RFC 8839),
 * which OpaqueString leaves unchanged.
 */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(password, 'utf8');
}

/**
 * RFC 8489 §9.2.2 long-term key (MD5 algorithm): MD5(username ":" realm ":" password).
 * Callers pass already-prepared strings (SASLprep/OpaqueString is not applied here).
 */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

// Copy of the 20-byte header with the patched length field; reused (verification is synchronous).
const scratchHeader = Buffer.alloc(HEADER_LENGTH);

/** HMAC of buf[0..off) with the header length rewritten to end at off + 4 + macLength (RFC 8489 §14.5). */
function macUpTo(algorithm: 'sha1' | 'sha256', buf: Buffer, off: number, macLength: number, key: Buffer): Buffer {
  buf.copy(scratchHeader, 0, 0, HEADER_LENGTH);
  scratchHeader.writeUInt16BE(off - HEADER_LENGTH + 4 + macLength, 2);
  return createHmac(algorithm, hmacKey(key)).update(scratchHeader).update(buf.subarray(HEADER_LENGTH, off)).digest();
}

/**
 * Verify MESSAGE-INTEGRITY (HMAC-SHA1) of the decoded `msg` against its raw bytes `buf`
 * (the same buffer decodeMessage was given). False when there is no MESSAGE-INTEGRITY.
 */
export function verifyIntegrity(buf: Buffer, msg: StunMessage, key: Buffer): boolean {
  const off = msg.integrityOffset;
  if (off === undefined || off < HEADER_LENGTH || off + 4 + MESSAGE_INTEGRITY_LENGTH > buf.length) return false;
  const mac = macUpTo('sha1', buf, off, MESSAGE_INTEGRITY_LENGTH, key);
  return timingSafeEqual(mac, buf.subarray(off + 4, off + 4 + MESSAGE_INTEGRITY_LENGTH));
}

/**
 * Verify MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6); the value may be truncated to 16..32 bytes
 * (a multiple of 4), in which case the leading bytes of the HMAC are compared.
 */
export function verifyIntegritySha256(buf: Buffer, msg: StunMessage, key: Buffer): boolean {
  const off = msg.integritySha256Offset;
  if (off === undefined || off < HEADER_LENGTH || off + 4 > buf.length) return false;
  const len = buf.readUInt16BE(off + 2);
  if (len < 16 || len > 32 || (len & 3) !== 0 || off + 4 + len > buf.length) return false;
  const mac = macUpTo('sha256', buf, off, len, key);
  return timingSafeEqual(mac.subarray(0, len), buf.subarray(off + 4, off + 4 + len));
}

/** RFC 8489 §14.7: FINGERPRINT value for a message whose FINGERPRINT attribute starts at `end`. */
export function fingerprintOf(buf: Buffer, end: number): number {
  return (crc32(buf.subarray(0, end)) ^ FINGERPRINT_XOR) >>> 0;
}
