import { type AttributeCodec, attribute, checkUint, misuse, pad4 } from './attribute-codec.js';
import type { PasswordAlgorithm } from './types.js';

/** Raw bytes, a view into the message (DATA, MESSAGE-INTEGRITY, USERHASH ...). A row `size` fixes the length. */
export const BYTES: AttributeCodec<Buffer> = {
  size(value, row) {
    if (value.length > 0xffff) misuse(`${row.name} value too long`);
    if (row.size >= 0 && value.length !== row.size) misuse(`${row.name} must be ${row.size} bytes`);
    return value.length;
  },
  write(out, off, value) {
    value.copy(out, off);
  },
  read(buf, start, len, row) {
    return row.size < 0 || len === row.size ? attribute(row, buf.subarray(start, start + len)) : 'length';
  },
};

/** RFC 8489 §14.6 MESSAGE-INTEGRITY-SHA256: 16 to 32 bytes, a multiple of 4 (a truncated HMAC). */
export const INTEGRITY_SHA256: AttributeCodec<Buffer> = {
  size(value, row) {
    if (!isSha256MacLength(value.length)) misuse(`${row.name} must be 16..32 bytes, a multiple of 4`);
    return value.length;
  },
  write(out, off, value) {
    value.copy(out, off);
  },
  read(buf, start, len, row) {
    return isSha256MacLength(len) ? attribute(row, buf.subarray(start, start + len)) : 'length';
  },
};

function isSha256MacLength(len: number): boolean {
  return len >= 16 && len <= 32 && (len & 3) === 0;
}

/** RFC 8489 §14.13 UNKNOWN-ATTRIBUTES: a list of 16-bit codes. */
export const UNKNOWN_ATTRIBUTES: AttributeCodec<readonly number[]> = {
  size(value, row) {
    for (const code of value) checkUint(code, 0xffff, row.name);
    return 2 * value.length;
  },
  write(out, off, value) {
    for (let i = 0; i < value.length; i++) out.writeUInt16BE(value[i]!, off + 2 * i);
  },
  read(buf, start, len, row) {
    if ((len & 1) !== 0) return 'length';
    const codes: number[] = [];
    for (let i = 0; i < len; i += 2) codes.push((buf[start + i]! << 8) | buf[start + i + 1]!);
    return attribute(row, codes);
  },
};

/*
 * RFC 8489 §14.11/§14.12: an algorithm entry is algorithm (16 bits), parameters length (16 bits,
 * before padding), parameters padded to 4 bytes. PASSWORD-ALGORITHM is one entry, written padded
 * like an entry of the list; the last entry may also leave its padding to the attribute's.
 */

function entrySize(entry: PasswordAlgorithm, name: string): number {
  checkUint(entry.algorithm, 0xffff, name);
  if (entry.parameters.length > 0xffff - 4) misuse(`${name} parameters too long`);
  return 4 + pad4(entry.parameters.length);
}

function writeEntry(out: Buffer, off: number, entry: PasswordAlgorithm): number {
  const n = entry.parameters.length;
  out.writeUInt16BE(entry.algorithm, off);
  out.writeUInt16BE(n, off + 2);
  entry.parameters.copy(out, off + 4);
  const end = off + 4 + pad4(n);
  out.fill(0, off + 4 + n, end);
  return end;
}

/** Entries of the value at buf[start, end), or undefined when one overruns it. */
function readEntries(buf: Buffer, start: number, end: number): PasswordAlgorithm[] | undefined {
  const entries: PasswordAlgorithm[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 4) return undefined;
    const n = (buf[at + 2]! << 8) | buf[at + 3]!;
    if (at + 4 + n > end) return undefined;
    entries.push({ algorithm: (buf[at]! << 8) | buf[at + 1]!, parameters: buf.subarray(at + 4, at + 4 + n) });
    at += 4 + pad4(n);
  }
  return entries;
}

export const PASSWORD_ALGORITHM: AttributeCodec<PasswordAlgorithm> = {
  size(value, row) {
    return entrySize(value, row.name);
  },
  write(out, off, value) {
    writeEntry(out, off, value);
  },
  read(buf, start, len, row) {
    const entries = readEntries(buf, start, start + len);
    return entries?.length === 1 ? attribute(row, entries[0]) : 'length';
  },
};

export const PASSWORD_ALGORITHMS: AttributeCodec<readonly PasswordAlgorithm[]> = {
  size(value, row) {
    let n = 0;
    for (const entry of value) n += entrySize(entry, row.name);
    if (n > 0xffff) misuse(`${row.name} value too long`);
    return n;
  },
  write(out, off, value) {
    let at = off;
    for (const entry of value) at = writeEntry(out, at, entry);
  },
  read(buf, start, len, row) {
    const entries = readEntries(buf, start, start + len);
    return entries === undefined ? 'length' : attribute(row, entries);
  },
};
