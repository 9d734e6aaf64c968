// Fixtures for the STUN codec tests. (Decoding in assertions: test/support/stun-bytes.ts.)
import { readFileSync } from 'node:fs';

/** Read a file under fixtures/stun (tests run from dist/test/stun). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/stun/${name}`, import.meta.url));
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

