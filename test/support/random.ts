// Seeded randomness for tests: loss functions, gaps, shuffles. (The core's own randomness is a
// RandomSource from lib/util/random.ts: seededRandom.)

/** A seeded PRNG in [0, 1) (mulberry32): small, fast, deterministic; test use only. */
export function seededUnit(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
