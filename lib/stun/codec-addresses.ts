import { addressValueLength, readAddressValue, writeAddressValue } from './address-codec.js';
import { type AttributeCodec, attribute } from './attribute-codec.js';
import type { TransportAddress } from './types.js';

/** RFC 8489 §5: bytes 8..19 of the header; XOR addresses use them (the tail of an RFC 3489 id too). */
const TRANSACTION_ID_OFFSET = 8;

/** RFC 8489 §14.1 MAPPED-ADDRESS layout (also RFC 3489 and RFC 5780 addresses). */
export const ADDRESS: AttributeCodec<TransportAddress> = {
  size(value) {
    return addressValueLength(value);
  },
  write(out, off, value) {
    writeAddressValue(out, off, value);
  },
  read(buf, start, len, row) {
    const value = readAddressValue(buf, start, len);
    return typeof value === 'string' ? value : attribute(row, value);
  },
};

/** RFC 8489 §14.2 XOR-MAPPED-ADDRESS layout (also RFC 8656 XOR-PEER-/XOR-RELAYED-ADDRESS). */
export const XOR_ADDRESS: AttributeCodec<TransportAddress> = {
  size(value) {
    return addressValueLength(value);
  },
  write(out, off, value, _len, xorTid) {
    writeAddressValue(out, off, value, xorTid);
  },
  read(buf, start, len, row) {
    const value = readAddressValue(buf, start, len, buf, TRANSACTION_ID_OFFSET);
    return typeof value === 'string' ? value : attribute(row, value);
  },
};
