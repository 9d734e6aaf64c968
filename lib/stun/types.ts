/** A UDP/TCP transport address. `family` is derived from the literal. */
export interface TransportAddress {
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export type StunClass = 'request' | 'indication' | 'success' | 'error';

/** RFC 8489 §14 / RFC 8445 §16 / RFC 8656 attributes, typed. Unknown ones are kept raw. */
export type StunAttribute =
  | { readonly type: 'MAPPED-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'XOR-MAPPED-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'USERNAME'; readonly value: string }
  | { readonly type: 'MESSAGE-INTEGRITY'; readonly value: Buffer }
  | { readonly type: 'MESSAGE-INTEGRITY-SHA256'; readonly value: Buffer }
  | { readonly type: 'FINGERPRINT'; readonly value: number }
  | { readonly type: 'ERROR-CODE'; readonly value: { readonly code: number; readonly reason: string } }
  | { readonly type: 'UNKNOWN-ATTRIBUTES'; readonly value: readonly number[] }
  | { readonly type: 'SOFTWARE'; readonly value: string }
  | { readonly type: 'REALM'; readonly value: string }
  | { readonly type: 'NONCE'; readonly value: string }
  | { readonly type: 'PRIORITY'; readonly value: number }
  | { readonly type: 'USE-CANDIDATE' }
  | { readonly type: 'ICE-CONTROLLED'; readonly value: bigint }
  | { readonly type: 'ICE-CONTROLLING'; readonly value: bigint }
  // RFC 3489 classic attributes (node-stun and other old servers send them).
  | { readonly type: 'SOURCE-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'CHANGED-ADDRESS'; readonly value: TransportAddress }
  // RFC 5780 / RFC 8489 extras a server may send.
  | { readonly type: 'RESPONSE-ORIGIN'; readonly value: TransportAddress }
  | { readonly type: 'OTHER-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'ALTERNATE-SERVER'; readonly value: TransportAddress }
  // RFC 8656 (TURN) attributes: decoded now so a TURN client can be added later.
  | { readonly type: 'LIFETIME'; readonly value: number }
  | { readonly type: 'XOR-PEER-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'XOR-RELAYED-ADDRESS'; readonly value: TransportAddress }
  | { readonly type: 'DATA'; readonly value: Buffer }
  | { readonly type: 'REQUESTED-TRANSPORT'; readonly value: number }
  | { readonly type: 'CHANNEL-NUMBER'; readonly value: number }
  | { readonly type: 'DONT-FRAGMENT' }
  | { readonly type: 'unknown'; readonly code: number; readonly value: Buffer };

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
