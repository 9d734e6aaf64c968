import { type AttributeCodec, attribute, checkUint, misuse, uint32At } from './attribute-codec.js';
import type { EvenPortValue } from './types.js';

/** 32-bit unsigned (PRIORITY, LIFETIME, FINGERPRINT, NOMINATION ...). */
export const UINT32: AttributeCodec<number> = {
  size(value, row) {
    checkUint(value, 0xffffffff, row.name);
    return 4;
  },
  write(out, off, value) {
    out.writeUInt32BE(value, off);
  },
  read(buf, start, len, row) {
    return len === 4 ? attribute(row, uint32At(buf, start)) : 'length';
  },
};

/** One byte then 3 RFFU bytes (RFC 8656 §18: REQUESTED-TRANSPORT, REQUESTED-/ADDITIONAL-ADDRESS-FAMILY). */
export const UINT8_IN_32: AttributeCodec<number> = {
  size(value, row) {
    checkUint(value, 0xff, row.name);
    return 4;
  },
  write(out, off, value) {
    out.writeUInt32BE(value * 0x1000000, off);
  },
  read(buf, start, len, row) {
    return len === 4 ? attribute(row, buf[start]!) : 'length';
  },
};

/** 16 bits then 2 RFFU bytes (RFC 8656 §18.1 CHANNEL-NUMBER). */
export const UINT16_IN_32: AttributeCodec<number> = {
  size(value, row) {
    checkUint(value, 0xffff, row.name);
    return 4;
  },
  write(out, off, value) {
    out.writeUInt32BE(value * 0x10000, off);
  },
  read(buf, start, len, row) {
    return len === 4 ? attribute(row, (buf[start]! << 8) | buf[start + 1]!) : 'length';
  },
};

/** 64-bit unsigned as a bigint (RFC 8445 §16.1 ICE-CONTROLLED/ICE-CONTROLLING tie-breakers). */
export const UINT64: AttributeCodec<bigint> = {
  size(value, row) {
    if (typeof value !== 'bigint' || BigInt.asUintN(64, value) !== value) {
      misuse(`${row.name} must be a 64-bit unsigned bigint`);
    }
    return 8;
  },
  write(out, off, value) {
    out.writeBigUInt64BE(value, off);
  },
  read(buf, start, len, row) {
    return len === 8 ? attribute(row, buf.readBigUInt64BE(start)) : 'length';
  },
};

/** No value: presence is the information (USE-CANDIDATE, DONT-FRAGMENT). */
export const FLAG: AttributeCodec<undefined> = {
  size() {
    return 0;
  },
  write() {
    // nothing to write
  },
  read(_buf, _start, len, row) {
    return len === 0 ? ({ type: row.name } as ReturnType<typeof attribute>) : 'length';
  },
};

/** RFC 8656 §18 EVEN-PORT: one byte, R in its top bit, the other 7 bits RFFU. */
export const EVEN_PORT: AttributeCodec<EvenPortValue> = {
  size(value, row) {
    if (typeof value?.reserve !== 'boolean') misuse(`${row.name} needs { reserve: boolean }`);
    return 1;
  },
  write(out, off, value) {
    out[off] = value.reserve ? 0x80 : 0;
  },
  read(buf, start, len, row) {
    return len === 1 ? attribute(row, { reserve: (buf[start]! & 0x80) !== 0 }) : 'length';
  },
};
