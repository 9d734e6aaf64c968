import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { decodeMessage } from '../../lib/stun/decode.js';
import type { StunMessage } from '../../lib/stun/types.js';

/** Read a file under fixtures/stun (tests run from dist/test/stun). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../../../fixtures/stun/${name}`, import.meta.url));
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** Decode and fail the test with the reason if it does not decode. */
export function mustDecode(buf: Buffer): StunMessage {
  const r = decodeMessage(buf);
  if (!r.ok) expect.fail(`decode failed: ${r.reason} ${r.detail ?? ''}`);
  return r.message;
}
