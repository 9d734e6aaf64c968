import { type AttributeCodec, attribute, checkUint, misuse } from './attribute-codec.js';
import type { AddressErrorCodeValue, ErrorCodeValue } from './types.js';

/** RFC 8489 §14.3/§14.9/§14.10/§14.14: text attributes stay below 763 bytes. USERNAME is
 *  "< 509" in RFC 8489, but ICE usernames (ufrag:ufrag, 256 chars each, RFC 8839) can reach
 *  513 bytes, so one limit of 763 is enforced for all text attributes. */
export const MAX_TEXT_ATTRIBUTE_BYTES = 763;

/** UTF-8 length; ASCII (every ICE username) is counted in JS, skipping a native call. */
export function textLength(value: string, name: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) >= 0x80) { n = Buffer.byteLength(value, 'utf8'); break; }
  }
  if (n > MAX_TEXT_ATTRIBUTE_BYTES) misuse(`${name} is ${n} bytes (max ${MAX_TEXT_ATTRIBUTE_BYTES})`);
  return n;
}

/** Write `len` UTF-8 bytes of `text`; a length equal to the string length means ASCII, copied in JS. */
export function writeText(out: Buffer, off: number, text: string, len: number): void {
  if (len === text.length) {
    for (let i = 0; i < len; i++) out[off + i] = text.charCodeAt(i);
  } else {
    out.write(text, off, len, 'utf8');
  }
}

/** UTF-8 text (USERNAME, REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN); any length is accepted on decode. */
export const TEXT: AttributeCodec<string> = {
  size(value, row) {
    return textLength(value, row.name);
  },
  write(out, off, value, len) {
    writeText(out, off, value, len);
  },
  read(buf, start, len, row) {
    return attribute(row, buf.toString('utf8', start, start + len));
  },
};

/* RFC 8489 §14.8: 21 reserved bits, class (3 bits, 3..6), number (0..99), reason phrase. */

function checkErrorCode(code: number, name: string): void {
  checkUint(code, 699, name);
  if (code < 300) misuse(`${name} ${code} out of range 300..699`);
}

function writeErrorCode(out: Buffer, off: number, value: ErrorCodeValue, len: number): void {
  out[off + 2] = Math.floor(value.code / 100);
  out[off + 3] = value.code % 100;
  writeText(out, off + 4, value.reason, len - 4);
}

/** The code in the 4-byte header at `start`, or -1 when the class or number is out of range. */
function errorCodeAt(buf: Buffer, start: number): number {
  const errClass = buf[start + 2]! & 0x07;
  const errNumber = buf[start + 3]!;
  return errClass < 3 || errClass > 6 || errNumber > 99 ? -1 : errClass * 100 + errNumber;
}

export const ERROR_CODE: AttributeCodec<ErrorCodeValue> = {
  size(value, row) {
    checkErrorCode(value.code, row.name);
    return 4 + textLength(value.reason, row.name);
  },
  write(out, off, value, len) {
    out[off] = 0;
    out[off + 1] = 0;
    writeErrorCode(out, off, value, len);
  },
  read(buf, start, len, row) {
    if (len < 4) return 'length';
    const code = errorCodeAt(buf, start);
    if (code < 0) return 'value';
    return attribute(row, { code, reason: buf.toString('utf8', start + 4, start + len) });
  },
};

/** RFC 8656 §18 ADDRESS-ERROR-CODE: ERROR-CODE with the address family in its first byte. */
export const ADDRESS_ERROR_CODE: AttributeCodec<AddressErrorCodeValue> = {
  size(value, row) {
    checkUint(value.family, 0xff, row.name);
    checkErrorCode(value.code, row.name);
    return 4 + textLength(value.reason, row.name);
  },
  write(out, off, value, len) {
    out[off] = value.family;
    out[off + 1] = 0;
    writeErrorCode(out, off, value, len);
  },
  read(buf, start, len, row) {
    if (len < 4) return 'length';
    const code = errorCodeAt(buf, start);
    if (code < 0) return 'value';
    return attribute(row, { family: buf[start]!, code, reason: buf.toString('utf8', start + 4, start + len) });
  },
};
