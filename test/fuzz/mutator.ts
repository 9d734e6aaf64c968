/**
 * Seeded generator of hostile datagrams: pure random bytes, structurally valid STUN
 * with random attributes, and mutations of captured checks, responses and
 * indications. Mutations can repair the header length and FINGERPRINT (so the
 * packet gets past the decoder into the agent) and re-sign MESSAGE-INTEGRITY with a
 * given key (so it gets past authentication into the ICE logic).
 */
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';

const FINGERPRINT_XOR = 0x5354554e;
const MAGIC = 0x2112a442;

/** xorshift128+ on two 32-bit halves: fast, seeded, good enough for fuzzing. */
export class Rng {
  private s0: number;
  private s1: number;
  constructor(seed: number) {
    this.s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
    this.s1 = (Math.imul(seed, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0 || 2;
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= x << 23; x >>>= 0;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.s1 = x >>> 0;
    return (this.s0 + this.s1) >>> 0;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.u32();
      for (let j = 0; j < 4 && i + j < n; j++) b[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return b;
  }
}

/** Attribute codes worth hitting: known, classic, TURN, ICE, Chrome's, unknown in both ranges. */
const CODES = [
  0x0001, 0x0002, 0x0004, 0x0005, 0x0006, 0x0008, 0x0009, 0x000a, 0x000c, 0x000d, 0x0012, 0x0013,
  0x0014, 0x0015, 0x0016, 0x0019, 0x001a, 0x001c, 0x0020, 0x0024, 0x0025, 0x0026, 0x0027, 0x7f01,
  0x8022, 0x8023, 0x8028, 0x8029, 0x802a, 0x802b, 0x802c, 0xc057, 0xc058, 0xffff, 0x0000,
];
const INTERESTING = [0x00, 0x01, 0x03, 0x04, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x21, 0x12, 0xa4, 0x42];

/** Offsets of each attribute header in a STUN message (stops at the first overrun). */
export function attributeOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  let p = 20;
  while (p + 4 <= buf.length) {
    out.push(p);
    const len = buf.readUInt16BE(p + 2);
    p += 4 + ((len + 3) & ~3);
  }
  return out;
}

/** Header length field := datagram length - 20. */
export function fixLength(buf: Buffer): Buffer {
  if (buf.length >= 20 && buf.length - 20 <= 0xffff) buf.writeUInt16BE(buf.length - 20, 2);
  return buf;
}

/** If the message ends with a FINGERPRINT attribute, recompute it. */
export function fixFingerprint(buf: Buffer): Buffer {
  const n = buf.length;
  if (n >= 28 && buf.readUInt16BE(n - 8) === 0x8028 && buf.readUInt16BE(n - 6) === 4) {
    buf.writeUInt32BE((crc32(buf.subarray(0, n - 8)) ^ FINGERPRINT_XOR) >>> 0, n - 4);
  }
  return buf;
}

/** Re-signs MESSAGE-INTEGRITY (if present and framed) with `key`, then fixes FINGERPRINT. */
export function resign(buf: Buffer, key: Buffer): Buffer {
  for (const off of attributeOffsets(buf)) {
    if (buf.readUInt16BE(off) !== 0x0008 || buf.readUInt16BE(off + 2) !== 20 || off + 24 > buf.length) continue;
    const saved = buf.readUInt16BE(2);
    buf.writeUInt16BE(off + 24 - 20, 2);
    createHmac('sha1', key).update(buf.subarray(0, off)).digest().copy(buf, off + 4);
    buf.writeUInt16BE(saved, 2);
    break;
  }
  return fixFingerprint(buf);
}

/** A STUN-looking header + random attributes (sometimes with a valid FINGERPRINT). */
function structured(rng: Rng): Buffer {
  const parts: Buffer[] = [];
  const type = rng.chance(0.7) ? rng.pick([0x0001, 0x0101, 0x0111, 0x0011, 0x0003, 0x0103, 0x0113]) : rng.int(0x4000);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(rng.chance(0.9) ? MAGIC : rng.u32(), 4);
  rng.bytes(12).copy(header, 8);
  parts.push(header);
  const count = rng.int(12);
  for (let i = 0; i < count; i++) {
    const code = rng.chance(0.8) ? rng.pick(CODES) : rng.int(0x10000);
    const len = rng.chance(0.7) ? rng.pick([0, 1, 2, 4, 8, 12, 20, 32, 64]) : rng.int(300);
    const a = Buffer.alloc(4 + ((len + 3) & ~3));
    a.writeUInt16BE(code, 0);
    a.writeUInt16BE(rng.chance(0.9) ? len : rng.int(0x10000), 2);
    rng.bytes(len).copy(a, 4);
    if ((code === 0x0001 || code === 0x0020) && len >= 4) a[5] = rng.pick([1, 2, 0, 3]); // family
    parts.push(a);
  }
  if (rng.chance(0.5)) parts.push(Buffer.from([0x80, 0x28, 0, 4, 0, 0, 0, 0]));
  return fixFingerprint(fixLength(Buffer.concat(parts)));
}

function mutateOnce(rng: Rng, b: Buffer): Buffer {
  const n = b.length;
  switch (rng.int(11)) {
    case 0: // flip a bit
      if (n > 0) b[rng.int(n)]! ^= 1 << rng.int(8);
      return b;
    case 1: // random byte
      if (n > 0) b[rng.int(n)] = rng.int(256);
      return b;
    case 2: // interesting byte
      if (n > 0) b[rng.int(n)] = rng.pick(INTERESTING);
      return b;
    case 3: // truncate
      return b.subarray(0, rng.int(n + 1));
    case 4: // append
      return Buffer.concat([b, rng.bytes(rng.int(64))]);
    case 5: { // an attribute length field
      const offs = attributeOffsets(b);
      if (offs.length > 0) b.writeUInt16BE(rng.chance(0.5) ? rng.int(0x10000) : Math.max(0, b.readUInt16BE(rng.pick(offs) + 2) + rng.int(9) - 4), rng.pick(offs) + 2);
      return b;
    }
    case 6: { // an attribute type
      const offs = attributeOffsets(b);
      if (offs.length > 0) b.writeUInt16BE(rng.chance(0.7) ? rng.pick(CODES) : rng.int(0x10000), rng.pick(offs));
      return b;
    }
    case 7: { // drop an attribute
      const offs = attributeOffsets(b);
      if (offs.length === 0) return b;
      const i = rng.int(offs.length);
      const end = offs[i + 1] ?? b.length;
      return Buffer.concat([b.subarray(0, offs[i]), b.subarray(Math.min(end, b.length))]);
    }
    case 8: { // duplicate an attribute
      const offs = attributeOffsets(b);
      if (offs.length === 0) return b;
      const i = rng.int(offs.length);
      const chunk = b.subarray(offs[i]!, Math.min(offs[i + 1] ?? b.length, b.length));
      const at = rng.pick(offs);
      return Buffer.concat([b.subarray(0, at), chunk, b.subarray(at)]);
    }
    case 9: { // insert a random attribute (0xC057-like and unknown required ones too)
      const offs = attributeOffsets(b);
      const len = rng.int(24);
      const a = Buffer.alloc(4 + ((len + 3) & ~3));
      a.writeUInt16BE(rng.chance(0.5) ? rng.pick(CODES) : rng.int(0x10000), 0);
      a.writeUInt16BE(len, 2);
      rng.bytes(len).copy(a, 4);
      const at = offs.length > 0 ? rng.pick(offs) : Math.min(20, n);
      return Buffer.concat([b.subarray(0, at), a, b.subarray(at)]);
    }
    default: { // message type / class
      if (n >= 2) b.writeUInt16BE(rng.chance(0.5) ? rng.pick([0x0001, 0x0101, 0x0111, 0x0011, 0x0002, 0x0201]) : rng.int(0x10000), 0);
      return b;
    }
  }
}

export type FuzzKind = 'random' | 'structured' | 'mutated' | 'mutated-fixed' | 'mutated-signed';

export interface FuzzInput {
  readonly kind: FuzzKind;
  readonly data: Buffer;
}

export interface GeneratorOptions {
  readonly seeds: readonly Buffer[];
  /** Keys to re-sign with (wrong ones for a target that must stay untouched, the right one to go deep). */
  readonly signKeys: readonly Buffer[];
}

/** One hostile datagram. Kinds: 10% random, 15% structured, 25% raw mutation, 25% length+fingerprint fixed, 25% re-signed. */
export function nextInput(rng: Rng, o: GeneratorOptions): FuzzInput {
  const r = rng.int(100);
  if (r < 10) {
    const b = rng.bytes(rng.chance(0.9) ? rng.int(200) : rng.int(1500));
    if (b.length > 0 && rng.chance(0.5)) b[0]! &= 0x03; // gets past the first demux byte
    if (b.length >= 8 && rng.chance(0.5)) b.writeUInt32BE(MAGIC, 4);
    return { kind: 'random', data: b };
  }
  if (r < 25) return { kind: 'structured', data: structured(rng) };
  let b: Buffer = Buffer.from(rng.pick(o.seeds));
  const ops = 1 + rng.int(rng.chance(0.8) ? 3 : 8);
  for (let i = 0; i < ops; i++) b = mutateOnce(rng, b);
  if (r < 50) return { kind: 'mutated', data: b };
  b = fixFingerprint(fixLength(Buffer.from(b)));
  if (r < 75 || o.signKeys.length === 0) return { kind: 'mutated-fixed', data: b };
  return { kind: 'mutated-signed', data: resign(fixLength(b), rng.pick(o.signKeys)) };
}
