import { ATTRIBUTE_TABLE } from './attribute-table.js';

/** RFC 8489 §5: fixed value in bytes 4..7 of every modern STUN message. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: 2 type + 2 length + 4 cookie + 12 transaction id. */
export const HEADER_LENGTH = 20;
/** RFC 8489 §14.7: CRC-32 of the message is XORed with this ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;
/** RFC 8489 §5: transaction id length in bytes (16 in RFC 3489, cookie slot included). */
export const TRANSACTION_ID_LENGTH = 12;
export const CLASSIC_TRANSACTION_ID_LENGTH = 16;

/** RFC 8489 §18.2 method registry. */
export const METHOD_BINDING = 0x001;
/** RFC 8656 §17 TURN methods. */
export const METHOD_ALLOCATE = 0x003;
export const METHOD_REFRESH = 0x004;
export const METHOD_SEND = 0x006;
export const METHOD_DATA = 0x007;
export const METHOD_CREATE_PERMISSION = 0x008;
export const METHOD_CHANNEL_BIND = 0x009;

/** Sizes of fixed-size attribute values (RFC 8489 §14). */
export const MESSAGE_INTEGRITY_LENGTH = ATTRIBUTE_TABLE['MESSAGE-INTEGRITY'].size;
export const FINGERPRINT_LENGTH = 4;
export { MAX_TEXT_ATTRIBUTE_BYTES } from './codec-text.js';
/** RFC 8489 §5: the 16-bit length field counts the body, which is a multiple of 4. */
export const MAX_BODY_LENGTH = 0xfffc;

// Attribute names and codes come from the one attribute table.
export type { KnownAttributeType } from './types.js';
export {
  ATTR, ATTRIBUTE_CODES, ATTRIBUTE_NAMES, ATTRIBUTE_TABLE, attributeCode, attributeName,
} from './attribute-table.js';

/** RFC 8489 §14: 0x0000-0x7FFF must be understood or the request rejected with 420. */
export function isComprehensionRequired(code: number): boolean {
  return code < 0x8000;
}

/** RFC 8489 §14.8 / RFC 8445 §7.3.1.1 / RFC 8656 error codes the agent uses. */
export const ERROR_BAD_REQUEST = 400;
export const ERROR_UNAUTHORIZED = 401;
export const ERROR_UNKNOWN_ATTRIBUTE = 420;
export const ERROR_ROLE_CONFLICT = 487;
