import type { StunClass } from '../stun/types.js';

/** RFC 8489 §5: a STUN header is 20 bytes; bytes 4..7 hold the magic cookie 0x2112A442. */
const HEADER_LENGTH = 20;
const CLASSES: readonly StunClass[] = ['request', 'indication', 'success', 'error'];

/**
 * The class of a modern STUN message, read from its header only (no attribute is decoded), or
 * undefined when the datagram is not structurally STUN: RFC 7983 §7 first byte 0..3, RFC 8489 §5
 * length field = datagram − 20 and a multiple of 4, magic cookie. Never throws.
 */
export function stunClassOf(data: Uint8Array): StunClass | undefined {
  const n = data.length;
  if (n < HEADER_LENGTH || data[0]! > 3) return undefined;
  const bodyLength = (data[2]! << 8) | data[3]!;
  if (bodyLength !== n - HEADER_LENGTH || (bodyLength & 3) !== 0) return undefined;
  if (data[4] !== 0x21 || data[5] !== 0x12 || data[6] !== 0xa4 || data[7] !== 0x42) return undefined;
  // RFC 8489 §5: class bit C0 is bit 4 of the type (byte 1), C1 is bit 8 (byte 0, bit 0).
  return CLASSES[((data[1]! >>> 4) & 1) | ((data[0]! & 1) << 1)];
}

/** RFC 8489 §5/§18.2: type 0x0001 is exactly "Binding request" (method 0x001, class request). */
export function isBindingRequestType(data: Uint8Array): boolean {
  return data[0] === 0x00 && data[1] === 0x01;
}
