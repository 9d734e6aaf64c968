import { randomFillSync } from 'node:crypto';

/** Randomness is injected into the core so tests can make it deterministic. */
export interface RandomSource {
  /** Fill `buf` with random bytes and return it. */
  fill(buf: Buffer): Buffer;
}

export const cryptoRandom: RandomSource = {
  fill: (buf) => randomFillSync(buf),
};

/** Deterministic source for tests and simulations (xorshift32; not for production). */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0 || 0x9e3779b9;
  return {
    fill(buf) {
      for (let i = 0; i < buf.length; i++) {
        s ^= s << 13; s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5; s >>>= 0;
        buf[i] = s & 0xff;
      }
      return buf;
    },
  };
}

export function randomUint32(rng: RandomSource): number {
  return rng.fill(Buffer.allocUnsafe(4)).readUInt32BE(0);
}

export function randomBigUint64(rng: RandomSource): bigint {
  return rng.fill(Buffer.allocUnsafe(8)).readBigUInt64BE(0);
}

/** ICE ufrag/pwd alphabet (RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/"). */
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function randomIceString(rng: RandomSource, length: number): string {
  const bytes = rng.fill(Buffer.allocUnsafe(length));
  let out = '';
  for (let i = 0; i < length; i++) out += ICE_CHARS[bytes[i]! & 63];
  return out;
}

