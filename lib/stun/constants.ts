import type { StunAttributeType } from './types.js';

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
export const MESSAGE_INTEGRITY_LENGTH = 20;
export const FINGERPRINT_LENGTH = 4;
/** RFC 8489 §14.3/§14.9/§14.10/§14.14: text attributes stay below 763 bytes. USERNAME is
 *  "< 509" in RFC 8489, but ICE usernames (ufrag:ufrag, 256 chars each, RFC 8839) can reach
 *  513 bytes, so one limit of 763 is enforced for all text attributes. */
export const MAX_TEXT_ATTRIBUTE_BYTES = 763;
/** RFC 8489 §5: the 16-bit length field counts the body, which is a multiple of 4. */
export const MAX_BODY_LENGTH = 0xfffc;

export type KnownAttributeType = Exclude<StunAttributeType, 'unknown'>;

/** Attribute codes (RFC 8489 §18.3, RFC 8445 §16.1, RFC 3489 §11.2, RFC 5780 §7, RFC 8656 §18). */
export const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  SOURCE_ADDRESS: 0x0004, // RFC 3489, comprehension-required range but known.
  CHANGED_ADDRESS: 0x0005, // RFC 3489, comprehension-required range but known.
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  CHANNEL_NUMBER: 0x000c,
  LIFETIME: 0x000d,
  XOR_PEER_ADDRESS: 0x0012,
  DATA: 0x0013,
  REALM: 0x0014,
  NONCE: 0x0015,
  XOR_RELAYED_ADDRESS: 0x0016,
  REQUESTED_TRANSPORT: 0x0019,
  DONT_FRAGMENT: 0x001a,
  MESSAGE_INTEGRITY_SHA256: 0x001c,
  XOR_MAPPED_ADDRESS: 0x0020,
  PRIORITY: 0x0024,
  USE_CANDIDATE: 0x0025,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  ICE_CONTROLLED: 0x8029,
  ICE_CONTROLLING: 0x802a,
  RESPONSE_ORIGIN: 0x802b,
  OTHER_ADDRESS: 0x802c,
} as const;

/** name -> code for every typed attribute of types.ts. */
export const ATTRIBUTE_CODES: Readonly<Record<KnownAttributeType, number>> = {
  'MAPPED-ADDRESS': ATTR.MAPPED_ADDRESS,
  'SOURCE-ADDRESS': ATTR.SOURCE_ADDRESS,
  'CHANGED-ADDRESS': ATTR.CHANGED_ADDRESS,
  USERNAME: ATTR.USERNAME,
  'MESSAGE-INTEGRITY': ATTR.MESSAGE_INTEGRITY,
  'ERROR-CODE': ATTR.ERROR_CODE,
  'UNKNOWN-ATTRIBUTES': ATTR.UNKNOWN_ATTRIBUTES,
  'CHANNEL-NUMBER': ATTR.CHANNEL_NUMBER,
  LIFETIME: ATTR.LIFETIME,
  'XOR-PEER-ADDRESS': ATTR.XOR_PEER_ADDRESS,
  DATA: ATTR.DATA,
  REALM: ATTR.REALM,
  NONCE: ATTR.NONCE,
  'XOR-RELAYED-ADDRESS': ATTR.XOR_RELAYED_ADDRESS,
  'REQUESTED-TRANSPORT': ATTR.REQUESTED_TRANSPORT,
  'DONT-FRAGMENT': ATTR.DONT_FRAGMENT,
  'MESSAGE-INTEGRITY-SHA256': ATTR.MESSAGE_INTEGRITY_SHA256,
  'XOR-MAPPED-ADDRESS': ATTR.XOR_MAPPED_ADDRESS,
  PRIORITY: ATTR.PRIORITY,
  'USE-CANDIDATE': ATTR.USE_CANDIDATE,
  SOFTWARE: ATTR.SOFTWARE,
  'ALTERNATE-SERVER': ATTR.ALTERNATE_SERVER,
  FINGERPRINT: ATTR.FINGERPRINT,
  'ICE-CONTROLLED': ATTR.ICE_CONTROLLED,
  'ICE-CONTROLLING': ATTR.ICE_CONTROLLING,
  'RESPONSE-ORIGIN': ATTR.RESPONSE_ORIGIN,
  'OTHER-ADDRESS': ATTR.OTHER_ADDRESS,
};

/** code -> name, the reverse of ATTRIBUTE_CODES. */
export const ATTRIBUTE_NAMES: ReadonlyMap<number, KnownAttributeType> = new Map(
  (Object.entries(ATTRIBUTE_CODES) as [KnownAttributeType, number][]).map(([name, code]) => [code, name]),
);

export function attributeCode(type: KnownAttributeType): number {
  return ATTRIBUTE_CODES[type];
}

export function attributeName(code: number): KnownAttributeType | undefined {
  return ATTRIBUTE_NAMES.get(code);
}

/** RFC 8489 §14: 0x0000-0x7FFF must be understood or the request rejected with 420. */
export function isComprehensionRequired(code: number): boolean {
  return code < 0x8000;
}

/** RFC 8489 §14.8 / RFC 8445 §7.3.1.1 / RFC 8656 error codes the agent uses. */
export const ERROR_BAD_REQUEST = 400;
export const ERROR_UNAUTHORIZED = 401;
export const ERROR_UNKNOWN_ATTRIBUTE = 420;
export const ERROR_ROLE_CONFLICT = 487;
