import type { StunClass } from './types.js';

/**
 * RFC 8489 §5 message type: 14 bits, method M0-M11 interleaved with class bits C0 (bit 4)
 * and C1 (bit 8): M11..M7 C1 M6..M4 C0 M3..M0.
 */
const CLASS_BITS: Readonly<Record<StunClass, number>> = {
  request: 0x0000,
  indication: 0x0010,
  success: 0x0100,
  error: 0x0110,
};

const CLASSES: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

export function messageType(method: number, cls: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | CLASS_BITS[cls];
}

export function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >>> 1) | ((type & 0x3e00) >>> 2);
}

export function classOf(type: number): StunClass {
  return CLASSES[((type >>> 4) & 1) | ((type >>> 7) & 2)]!;
}
