import { IceError } from '../util/errors.js';
import { randomIceString, type RandomSource } from '../util/random.js';
import { MAX_UFRAG_LENGTH, isIceUfrag } from './username.js';

/** RFC 8839 ice-char, in the order that encodes a digit 0..63. */
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...ICE_CHARS].map((c, i) => [c, i]));

/** Two ice-chars of prefix: 64 × 64 workers. */
export const MAX_WORKERS = 4096;
const PREFIX = 2;
/** RFC 8445 §5.3: at least 24 random bits in a ufrag; each ice-char carries 6. */
const MIN_RANDOM_CHARS = 4;
/** Default: 8 random chars (48 bits, as many as a standalone agent's ufrag) after the prefix. */
export const DEFAULT_WORKER_UFRAG_LENGTH = PREFIX + 8;

/**
 * A ufrag that names the worker holding the agent. A server spread over cores gives each worker
 * its own UDP port (the kernel's reuseport hashing would scatter one client's candidates over
 * workers); signalling that arrives at any process (a trickled candidate, a restart, a close)
 * finds the agent's worker from the ufrag alone: two ice-chars encode `worker` (0..4095), the
 * rest are random.
 */
export function workerUfrag(worker: number, random: RandomSource, length = DEFAULT_WORKER_UFRAG_LENGTH): string {
  if (!Number.isInteger(worker) || worker < 0 || worker >= MAX_WORKERS) {
    throw new IceError('ERR_INVALID_ARGUMENT', `worker must be an integer 0..${MAX_WORKERS - 1}, got ${String(worker)}`);
  }
  if (!Number.isInteger(length) || length < PREFIX + MIN_RANDOM_CHARS || length > MAX_UFRAG_LENGTH) {
    throw new IceError('ERR_INVALID_ARGUMENT', `a worker ufrag is ${PREFIX + MIN_RANDOM_CHARS}..${MAX_UFRAG_LENGTH} chars (≥ 24 random bits), got ${String(length)}`);
  }
  return ICE_CHARS[worker >> 6]! + ICE_CHARS[worker & 63]! + randomIceString(random, length - PREFIX);
}

/** The worker a ufrag made by `workerUfrag` names, or undefined if it cannot be one. Never throws. */
export function workerOf(ufrag: string): number | undefined {
  if (typeof ufrag !== 'string' || ufrag.length < PREFIX + MIN_RANDOM_CHARS || !isIceUfrag(ufrag)) return undefined;
  return DIGIT.get(ufrag[0]!)! * 64 + DIGIT.get(ufrag[1]!)!;
}
