import { HEADER_LENGTH, MAGIC_COOKIE } from './constants.js';

/** Length field equals the rest of the datagram and is a multiple of 4 (RFC 8489 §5). */
function lengthOk(buf: Buffer): boolean {
  const len = (buf[2]! << 8) | buf[3]!;
  return (len & 3) === 0 && len === buf.length - HEADER_LENGTH;
}

/**
 * RFC 7983 §7 structural test, no parsing: first byte 0..3 (DTLS is 20..63, RTP/RTCP 128..191),
 * consistent length, magic cookie (RFC 8489 §5).
 */
export function isStunDatagram(buf: Buffer): boolean {
  return buf.length >= HEADER_LENGTH && buf[0]! <= 3 && lengthOk(buf) && buf.readUInt32BE(4) === MAGIC_COOKIE;
}

/** RFC 3489 message (no magic cookie), e.g. a classic server's Binding response during gathering. */
export function looksLikeClassicStun(buf: Buffer): boolean {
  return buf.length >= HEADER_LENGTH && buf[0]! <= 3 && lengthOk(buf) && buf.readUInt32BE(4) !== MAGIC_COOKIE;
}
