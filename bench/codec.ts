// 1. STUN codec: a connectivity check (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
// MESSAGE-INTEGRITY, FINGERPRINT) encoded, and decoded with integrity and fingerprint verified.
// werift's parseMessage(data, key) verifies FINGERPRINT always and MESSAGE-INTEGRITY when given the key
// (it is given the key here); ours is decodeMessage (checks FINGERPRINT) + verifyIntegrity.
// The yardstick is the node:crypto floor: the same HMAC-SHA1s (with a key object) and CRC-32s over
// the same bytes, nothing else (one of each to encode, one of each to decode), in the same rounds.
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Message, classes, methods, parseMessage } from 'werift-ice';
import { METHOD_BINDING, decodeMessage, encodeMessage, shortTermKey, verifyIntegrity } from '../lib/stun/index.js';
import { nowMs, rotate, row, runMain, type BenchOptions, type Row } from './stats.js';

const USERNAME = 'abcdEFGH:ijklMNOP';
const PASSWORD = 'A1b2C3d4E5f6G7h8I9j0K1l2';
const KEY = shortTermKey(PASSWORD);
const PRIORITY = 1845501695;
const TIE = 0x1234_5678_9abc_def0n;
// The first byte of each indexes it (the floor looks its message up by it).
const TIDS = Array.from({ length: 256 }, (_, i) => Buffer.concat([Buffer.from([i]), randomBytes(11)]));

export function encodeOurs(tid: Buffer): Buffer {
  return encodeMessage(
    {
      method: METHOD_BINDING,
      cls: 'request',
      transactionId: tid,
      attributes: [
        { type: 'USERNAME', value: USERNAME },
        { type: 'PRIORITY', value: PRIORITY },
        { type: 'ICE-CONTROLLING', value: TIE },
        { type: 'USE-CANDIDATE' },
      ],
    },
    { integrityKey: KEY, fingerprint: true },
  );
}

function encodeWerift(tid: Buffer): Buffer {
  return new Message(methods.BINDING, classes.REQUEST, tid)
    .setAttribute('USERNAME', USERNAME)
    .setAttribute('PRIORITY', PRIORITY)
    .setAttribute('ICE-CONTROLLING', TIE)
    .setAttribute('USE-CANDIDATE', null)
    .addMessageIntegrity(KEY)
    .addFingerprint().bytes;
}

function decodeOurs(buf: Buffer): boolean {
  const r = decodeMessage(buf);
  return r.ok && verifyIntegrity(buf, r.message, KEY);
}

function decodeWerift(buf: Buffer): boolean {
  return parseMessage(buf, KEY) !== undefined;
}

const KEY_OBJECT = createSecretKey(KEY);
/** A check's bytes: MESSAGE-INTEGRITY (24) and FINGERPRINT (8) close it. */
const INTEGRITY_FROM_END = 32;
const FINGERPRINT_FROM_END = 8;
const FLOOR_MESSAGES = TIDS.map(encodeOurs);

/** What encoding a check cannot avoid: its HMAC-SHA1 and its CRC-32. Returns the template for `tid`. */
function encodeFloor(tid: Buffer): Buffer {
  const buf = FLOOR_MESSAGES[tid[0]!]!;
  createHmac('sha1', KEY_OBJECT).update(buf.subarray(0, buf.length - INTEGRITY_FROM_END)).digest();
  crc32(buf.subarray(0, buf.length - FINGERPRINT_FROM_END));
  return buf;
}

/** What verifying one cannot avoid: the same HMAC-SHA1 and CRC-32 again. */
function decodeFloor(buf: Buffer): boolean {
  const mac = createHmac('sha1', KEY_OBJECT).update(buf.subarray(0, buf.length - INTEGRITY_FROM_END)).digest();
  return mac.length === 20 && crc32(buf.subarray(0, buf.length - FINGERPRINT_FROM_END)) !== 0;
}

interface Impl {
  readonly name: string;
  readonly encode: (tid: Buffer) => Buffer;
  readonly decode: (buf: Buffer) => boolean;
}
const FLOOR = 'node:crypto floor';
const IMPLS: readonly Impl[] = [
  { name: 'ice-agent', encode: encodeOurs, decode: decodeOurs },
  { name: 'werift-ice', encode: encodeWerift, decode: decodeWerift },
  { name: FLOOR, encode: encodeFloor, decode: decodeFloor },
];

/** Both sides must agree on the bytes before anything is timed; a tampered message must fail both. */
function crossCheck(): Buffer[] {
  const inputs = TIDS.map(encodeOurs);
  for (const tid of TIDS.slice(0, 8)) {
    const w = encodeWerift(tid);
    const o = encodeOurs(tid);
    if (!decodeOurs(w) || !decodeWerift(o)) throw new Error('codec cross-check failed');
    const bad = Buffer.from(o);
    bad[24] = bad[24]! ^ 1; // inside USERNAME: integrity and fingerprint both break
    if (decodeOurs(bad) || decodeWerift(bad)) throw new Error('tampered message accepted');
    const refp = encodeOurs(tid); // valid fingerprint, wrong integrity
    refp[refp.length - 9] = refp[refp.length - 9]! ^ 1;
    const ours = decodeMessage(refp);
    if (ours.ok && verifyIntegrity(refp, ours.message, KEY)) throw new Error('bad integrity accepted');
  }
  return inputs;
}

/** Runs `op` in batches for about `ms`; returns operations per second. */
function rate(ms: number, op: (i: number) => void): number {
  let n = 0;
  const t0 = nowMs();
  let t = t0;
  do {
    for (let i = 0; i < 256; i++) op(n + i);
    n += 256;
    t = nowMs();
  } while (t - t0 < ms);
  return (n * 1000) / (t - t0);
}

type Op = 'encode' | 'decode+verify' | 'encode+decode+verify';
const OPS: readonly Op[] = ['encode+decode+verify', 'encode', 'decode+verify'];

export async function main(o: BenchOptions): Promise<Row[]> {
  const inputs = crossCheck();
  const rounds = o.quick ? 8 : 25;
  const sliceMs = o.quick ? 60 : 100;
  let sink = 0;
  const samples = new Map<string, number[]>();
  const run = (impl: Impl, op: Op): number => {
    if (op === 'encode') return rate(sliceMs, (i) => (sink += impl.encode(TIDS[i & 255]!).length));
    if (op === 'decode+verify') return rate(sliceMs, (i) => (sink += impl.decode(inputs[i & 255]!) ? 1 : 0));
    return rate(sliceMs, (i) => (sink += impl.decode(impl.encode(TIDS[i & 255]!)) ? 1 : 0));
  };
  for (const impl of IMPLS) for (const op of OPS) run(impl, op); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const op of OPS) {
      for (const impl of rotate(IMPLS, r)) {
        const key = `${impl.name}/${op}`;
        samples.set(key, [...(samples.get(key) ?? []), run(impl, op)]);
      }
    }
  }
  if (sink === 0) throw new Error('nothing was computed');
  const rows: Row[] = [];
  for (const op of OPS) {
    const floor = samples.get(`${FLOOR}/${op}`)!;
    const common = { bench: 'codec', metric: `STUN check ${op}`, unit: 'msg/s', higherIsBetter: true };
    for (const impl of ['ice-agent', 'werift-ice']) {
      rows.push(row({ ...common, impl, ratioVs: FLOOR, ...(impl === 'ice-agent' && op === OPS[0] && { note: 'goal >= 0.9x the node:crypto floor' }) }, samples.get(`${impl}/${op}`)!, floor));
    }
    rows.push(row({ ...common, impl: FLOOR, note: 'HMAC-SHA1 + CRC-32 only' }, floor));
  }
  return rows;
}

runMain(import.meta.url, main);
