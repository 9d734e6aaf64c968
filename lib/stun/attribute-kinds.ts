import type { AttributeCodec } from './attribute-codec.js';
import { ADDRESS, XOR_ADDRESS } from './codec-addresses.js';
import { BYTES, INTEGRITY_SHA256, PASSWORD_ALGORITHM, PASSWORD_ALGORITHMS, UNKNOWN_ATTRIBUTES } from './codec-bytes.js';
import { EVEN_PORT, FLAG, UINT16_IN_32, UINT32, UINT64, UINT8_IN_32 } from './codec-numbers.js';
import { ADDRESS_ERROR_CODE, ERROR_CODE, TEXT } from './codec-text.js';
import type { AttributeKind, AttributeKindValues } from './types.js';

/** The codec of each value kind; the type checks each against the value type of types.ts. */
export const KIND_CODECS: { readonly [K in AttributeKind]: AttributeCodec<AttributeKindValues[K]> } = {
  address: ADDRESS,
  'xor-address': XOR_ADDRESS,
  text: TEXT,
  uint32: UINT32,
  'uint8-in-32': UINT8_IN_32,
  'uint16-in-32': UINT16_IN_32,
  uint64: UINT64,
  flag: FLAG,
  bytes: BYTES,
  'integrity-sha256': INTEGRITY_SHA256,
  'error-code': ERROR_CODE,
  'address-error-code': ADDRESS_ERROR_CODE,
  'unknown-attributes': UNKNOWN_ATTRIBUTES,
  'even-port': EVEN_PORT,
  'password-algorithm': PASSWORD_ALGORITHM,
  'password-algorithms': PASSWORD_ALGORITHMS,
};
