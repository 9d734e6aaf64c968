import { IceError } from '../util/errors.js';
import type { AddressDecodeFailure } from './address-codec.js';
import type { AttributeKind, StunAttribute, StunAttributeType } from './types.js';

/*
 * One codec per value kind (attribute-kinds.ts), shared by every attribute of that kind. A codec is
 * a plain object of three functions that take the attribute's table row as an argument: no closure
 * and no object per attribute beyond the decoded attribute itself (this is the hot path of checks).
 */

/** Why a value did not decode. decodeMessage turns it into 'bad-attribute' / 'bad-family' with a detail. */
export type ReadFailure = 'length' | 'value' | AddressDecodeFailure;

export interface AttributeCodec<V> {
  /** Unpadded value length in bytes. Throws IceError ERR_STUN_ENCODE when `value` cannot be sent. */
  size(value: V, row: AttributeRow): number;
  /** Write the value at `off`; `len` is what size() returned, `xorTid` the 12 bytes XOR addresses use. */
  write(out: Buffer, off: number, value: V, len: number, xorTid: Buffer): void;
  /** The attribute whose `len`-byte value starts at `start` of the whole message `buf`, or why not. */
  read(buf: Buffer, start: number, len: number, row: AttributeRow): StunAttribute | ReadFailure;
}

/** A table row ready for use (attribute-table.ts builds one per entry; every row has this shape). */
export interface AttributeRow {
  readonly name: StunAttributeType;
  readonly code: number;
  readonly kind: AttributeKind;
  /** Exact value length for a fixed-size 'bytes' attribute; -1 when any length goes. */
  readonly size: number;
  readonly codec: AttributeCodec<unknown>;
}

/** The decoded attribute of `row` (one object: the attribute itself). */
export function attribute(row: AttributeRow, value: unknown): StunAttribute {
  return { type: row.name, value } as StunAttribute;
}

export function misuse(message: string): never {
  throw new IceError('ERR_STUN_ENCODE', message);
}

export function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) misuse(`${name} value ${String(value)} out of range`);
}

/** RFC 8489 §14: values are padded to a multiple of 4 bytes. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Big-endian uint32 at `at`, without Buffer#readUInt32BE's argument checks (callers checked the length). */
export function uint32At(buf: Buffer, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}
