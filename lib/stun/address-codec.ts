import { IceError } from '../util/errors.js';
import type { TransportAddress } from './types.js';

/**
 * (XOR-)MAPPED-ADDRESS style values, RFC 8489 §14.1 / §14.2:
 *   0: reserved, 1: family (0x01 IPv4, 0x02 IPv6), 2-3: port, 4..: address.
 * XOR: port ^ top 16 bits of the cookie; address ^ cookie (IPv4) or cookie || transaction id (IPv6).
 */
export const FAMILY_IPV4 = 0x01;
export const FAMILY_IPV6 = 0x02;

const COOKIE_B0 = 0x21;
const COOKIE_B1 = 0x12;
const COOKIE_B2 = 0xa4;
const COOKIE_B3 = 0x42;

export type AddressDecodeFailure = 'bad-family' | 'bad-attribute';

/** Bytes the value of an address attribute takes (8 or 20). */
export function addressValueLength(addr: TransportAddress): number {
  return addr.family === 6 ? 20 : 8;
}

/**
 * Write the value of an address attribute into `out` at `offset`; returns the bytes written.
 * `xorTid` (12 bytes) turns on XOR encoding. Throws ERR_STUN_ENCODE on a bad literal or port.
 */
export function writeAddressValue(
  out: Buffer, offset: number, addr: TransportAddress, xorTid?: Buffer,
): number {
  const port = addr.port;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new IceError('ERR_STUN_ENCODE', `bad port ${String(port)}`);
  }
  out[offset] = 0;
  out[offset + 2] = xorTid ? (port >>> 8) ^ COOKIE_B0 : port >>> 8;
  out[offset + 3] = xorTid ? (port & 0xff) ^ COOKIE_B1 : port & 0xff;
  const a = offset + 4;
  if (addr.family === 4) {
    out[offset + 1] = FAMILY_IPV4;
    if (!parseIPv4(addr.address, out, a)) {
      throw new IceError('ERR_STUN_ENCODE', `bad IPv4 literal ${addr.address}`);
    }
    if (xorTid) xorCookie(out, a);
    return 8;
  }
  if (addr.family !== 6) throw new IceError('ERR_STUN_ENCODE', `bad family ${String(addr.family)}`);
  out[offset + 1] = FAMILY_IPV6;
  if (!parseIPv6(addr.address, out, a)) {
    throw new IceError('ERR_STUN_ENCODE', `bad IPv6 literal ${addr.address}`);
  }
  if (xorTid) {
    xorCookie(out, a);
    for (let i = 0; i < 12; i++) out[a + 4 + i] = out[a + 4 + i]! ^ xorTid[i]!;
  }
  return 20;
}

function xorCookie(out: Buffer, a: number): void {
  out[a] = out[a]! ^ COOKIE_B0;
  out[a + 1] = out[a + 1]! ^ COOKIE_B1;
  out[a + 2] = out[a + 2]! ^ COOKIE_B2;
  out[a + 3] = out[a + 3]! ^ COOKIE_B3;
}

/** Convenience: the value as a fresh Buffer. */
export function encodeAddressValue(addr: TransportAddress, xorTid?: Buffer): Buffer {
  const out = Buffer.allocUnsafe(addressValueLength(addr));
  writeAddressValue(out, 0, addr, xorTid);
  return out;
}

/**
 * Read an address value of `len` bytes at `start`. For XOR, `tid` holds the 12-byte
 * transaction id at `tidOffset` (the cookie is the constant, also for RFC 3489 messages).
 * Never throws: returns a failure reason instead.
 */
export function readAddressValue(
  buf: Buffer, start: number, len: number, tid?: Buffer, tidOffset = 0,
): TransportAddress | AddressDecodeFailure {
  if (len < 4) return 'bad-attribute';
  const family = buf[start + 1];
  if (family !== FAMILY_IPV4 && family !== FAMILY_IPV6) return 'bad-family';
  let port = (buf[start + 2]! << 8) | buf[start + 3]!;
  if (tid) port ^= (COOKIE_B0 << 8) | COOKIE_B1;
  const a = start + 4;
  if (family === FAMILY_IPV4) {
    if (len !== 8) return 'bad-attribute';
    let b0 = buf[a]!, b1 = buf[a + 1]!, b2 = buf[a + 2]!, b3 = buf[a + 3]!;
    if (tid) { b0 ^= COOKIE_B0; b1 ^= COOKIE_B1; b2 ^= COOKIE_B2; b3 ^= COOKIE_B3; }
    return { address: `${b0}.${b1}.${b2}.${b3}`, port, family: 4 };
  }
  if (len !== 20) return 'bad-attribute';
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) {
    let hi = buf[a + 2 * i]!, lo = buf[a + 2 * i + 1]!;
    if (tid) {
      hi ^= i < 2 ? cookieByte(2 * i) : tid[tidOffset + 2 * i - 4]!;
      lo ^= i < 2 ? cookieByte(2 * i + 1) : tid[tidOffset + 2 * i - 3]!;
    }
    words[i] = (hi << 8) | lo;
  }
  return { address: formatIPv6(words), port, family: 6 };
}

/** Convenience over readAddressValue for a standalone value buffer. */
export function decodeAddressValue(value: Buffer, xorTid?: Buffer): TransportAddress | AddressDecodeFailure {
  return readAddressValue(value, 0, value.length, xorTid, 0);
}

function cookieByte(i: number): number {
  return i === 0 ? COOKIE_B0 : i === 1 ? COOKIE_B1 : i === 2 ? COOKIE_B2 : COOKIE_B3;
}

/** Dotted quad -> 4 bytes at out[off]. False if not a strict IPv4 literal. */
export function parseIPv4(text: string, out: Buffer, off: number): boolean {
  let part = 0, digits = 0, n = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a virtual trailing '.'
    if (c === 46) {
      if (digits === 0 || n > 3) return false;
      out[off + n] = part;
      n++; part = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255 || digits > 3) return false;
    } else {
      return false;
    }
  }
  return n === 4;
}

/** IPv6 literal (with '::', an optional dotted-quad tail, an optional %zone which is dropped) -> 16 bytes. */
export function parseIPv6(text: string, out: Buffer, off: number): boolean {
  const pct = text.indexOf('%');
  const s = pct >= 0 ? text.slice(0, pct) : text;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const words: number[] = [];
  const tailWords: number[] = [];
  if (!parseGroups(head, words, dbl < 0) || !parseGroups(tail, tailWords, true)) return false;
  const total = words.length + tailWords.length;
  if (dbl >= 0 ? total > 7 : total !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const fromTail = i - (8 - tailWords.length);
    const w = i < words.length ? words[i]! : fromTail >= 0 ? tailWords[fromTail]! : 0;
    out[off + 2 * i] = w >>> 8;
    out[off + 2 * i + 1] = w & 0xff;
  }
  return true;
}

/** Colon-separated hex groups; the last may be a dotted quad when `allowV4` (it ends the address). */
function parseGroups(s: string, into: number[], allowV4: boolean): boolean {
  if (s.length === 0) return true;
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (allowV4 && i === parts.length - 1 && p.includes('.')) {
      const v4 = Buffer.allocUnsafe(4);
      if (!parseIPv4(p, v4, 0)) return false;
      into.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (p.length === 0 || p.length > 4 || !/^[0-9a-fA-F]+$/.test(p)) return false;
    into.push(parseInt(p, 16));
  }
  return true;
}

/**
 * 8 words -> text, the same compressed form libuv's inet_ntop gives Node sockets (so a decoded
 * address compares equal to a socket's remote info): longest run of >= 2 zero words becomes '::'
 * (first wins on ties), lowercase hex, and ::ffff:a.b.c.d / ::a.b.c.d with a dotted-quad tail.
 */
export function formatIPv6(words: readonly number[]): string {
  let bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) { curBase = i; curLen = 1; } else curLen++;
      if (curLen > bestLen) { bestBase = curBase; bestLen = curLen; }
    } else {
      curBase = -1; curLen = 0;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // RFC 4291 §2.5.5 embedded IPv4 (same rule as BSD/libuv inet_ntop6).
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      const w6 = words[6]!, w7 = words[7]!;
      out += `${w6 >>> 8}.${w6 & 0xff}.${w7 >>> 8}.${w7 & 0xff}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
