import type { ATTRIBUTE_TABLE } from './attribute-table.js';

/** A UDP/TCP transport address. `family` is derived from the literal. */
export interface TransportAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export type StunClass = 'request' | 'indication' | 'success' | 'error';

/** ERROR-CODE value, RFC 8489 §14.8: code 300..699 and a reason phrase. */
export interface ErrorCodeValue {
  readonly code: number;
  readonly reason: string;
}

/** ADDRESS-ERROR-CODE value, RFC 8656 §18.12: the address family (0x01 IPv4, 0x02 IPv6) a code is about. */
export interface AddressErrorCodeValue extends ErrorCodeValue {
  readonly family: number;
}

/** EVEN-PORT value, RFC 8656 §18.6: R asks the server to reserve the next-higher port too. */
export interface EvenPortValue {
  readonly reserve: boolean;
}

/** One PASSWORD-ALGORITHM(S) entry, RFC 8489 §14.11/§14.12 (0x0001 MD5, 0x0002 SHA-256, §18.5). */
export interface PasswordAlgorithm {
  readonly algorithm: number;
  readonly parameters: Buffer;
}

/**
 * The value each kind of attribute-table.ts decodes to (its codec: attribute-kinds.ts). A kind whose value is `undefined`
 * is a flag: its attribute has no `value` property.
 */
export interface AttributeKindValues {
  readonly address: TransportAddress;
  readonly 'xor-address': TransportAddress;
  readonly text: string;
  readonly uint32: number;
  readonly 'uint8-in-32': number;
  readonly 'uint16-in-32': number;
  readonly uint64: bigint;
  readonly flag: undefined;
  readonly bytes: Buffer;
  readonly 'integrity-sha256': Buffer;
  readonly 'error-code': ErrorCodeValue;
  readonly 'address-error-code': AddressErrorCodeValue;
  readonly 'unknown-attributes': readonly number[];
  readonly 'even-port': EvenPortValue;
  readonly 'password-algorithm': PasswordAlgorithm;
  readonly 'password-algorithms': readonly PasswordAlgorithm[];
}

export type AttributeKind = keyof AttributeKindValues;

type AttributeTable = typeof ATTRIBUTE_TABLE;

/** Names of the attributes of the table (every typed attribute). */
export type KnownAttributeType = keyof AttributeTable;

type ValueOf<N extends KnownAttributeType> = AttributeKindValues[AttributeTable[N]['kind']];

/** One typed attribute: `{ type, value }`, or `{ type }` for a flag. */
export type KnownAttribute<N extends KnownAttributeType = KnownAttributeType> = {
  readonly [K in N]: ValueOf<K> extends undefined
    ? { readonly type: K }
    : { readonly type: K; readonly value: ValueOf<K> };
}[N];

/** An attribute the table does not know, kept raw (RFC 8489 §14). */
export interface UnknownAttribute {
  readonly type: 'unknown';
  readonly code: number;
  readonly value: Buffer;
}

/** Every attribute of the table (attribute-table.ts), typed by its kind; unknown ones are kept raw. */
export type StunAttribute = KnownAttribute | UnknownAttribute;

export type StunAttributeType = StunAttribute['type'];
export type AttributeOf<T extends StunAttributeType> = Extract<StunAttribute, { type: T }>;

/** What a caller hands to the encoder. */
export interface StunMessageInit {
  readonly method: number;
  readonly cls: StunClass;
  /** 12 bytes (RFC 5389+). */
  readonly transactionId: Buffer;
  readonly attributes: readonly StunAttribute[];
}

/** What the decoder returns. */
export interface StunMessage extends StunMessageInit {
  /** True for an RFC 3489 message (no magic cookie; the 16-byte id is cookie slot + transactionId). */
  readonly classic: boolean;
  /** Byte offset of the MESSAGE-INTEGRITY attribute header, if present (for verification). */
  readonly integrityOffset: number | undefined;
  /** Byte offset of the MESSAGE-INTEGRITY-SHA256 attribute header, if present. */
  readonly integritySha256Offset: number | undefined;
  /** Comprehension-required attribute codes (0x0000-0x7FFF) this decoder does not know: answer 420. */
  readonly unknownRequired: readonly number[];
  /** RFC 3489 only: the full 16-byte transaction id (cookie slot + `transactionId`); absent on modern messages. */
  readonly classicTransactionId?: Buffer;
}

export type StunDecodeFailure =
  | 'too-short'
  | 'not-stun'
  | 'bad-length'
  | 'not-multiple-of-4'
  | 'attribute-overrun'
  | 'bad-attribute'
  | 'bad-family'
  | 'bad-padding'
  | 'attribute-after-fingerprint'
  | 'fingerprint-mismatch';

export type StunDecodeResult =
  | { readonly ok: true; readonly message: StunMessage }
  | { readonly ok: false; readonly reason: StunDecodeFailure; readonly detail?: string };
