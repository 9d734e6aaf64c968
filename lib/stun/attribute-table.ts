import type { AttributeCodec, AttributeRow } from './attribute-codec.js';
import { KIND_CODECS } from './attribute-kinds.js';
import { BYTES } from './codec-bytes.js';
import type { AttributeKind, KnownAttributeType } from './types.js';

interface AttributeSpec {
  readonly code: number;
  /** How the value is coded: one codec per kind (attribute-kinds.ts), its value type in types.ts. */
  readonly kind: AttributeKind;
  /** 'bytes' only: the exact value length (otherwise any length). */
  readonly size?: number;
}

/**
 * Every attribute this library types: name -> code and value kind. Encoder, decoder, the
 * StunAttribute union (types.ts), ATTR and ATTRIBUTE_CODES all come from here, so adding an
 * attribute is one row (plus a codec in attribute-kinds.ts only for a new kind). Codes not
 * listed decode as { type: 'unknown' } and, in 0x0000-0x7FFF, make a request 420-worthy.
 */
export const ATTRIBUTE_TABLE = {
  // RFC 8489 §14 (STUN)
  'MAPPED-ADDRESS': { code: 0x0001, kind: 'address' },
  'XOR-MAPPED-ADDRESS': { code: 0x0020, kind: 'xor-address' },
  USERNAME: { code: 0x0006, kind: 'text' },
  USERHASH: { code: 0x001e, kind: 'bytes', size: 32 },
  'MESSAGE-INTEGRITY': { code: 0x0008, kind: 'bytes', size: 20 },
  'MESSAGE-INTEGRITY-SHA256': { code: 0x001c, kind: 'integrity-sha256' },
  FINGERPRINT: { code: 0x8028, kind: 'uint32' },
  'ERROR-CODE': { code: 0x0009, kind: 'error-code' },
  REALM: { code: 0x0014, kind: 'text' },
  NONCE: { code: 0x0015, kind: 'text' },
  'PASSWORD-ALGORITHMS': { code: 0x8002, kind: 'password-algorithms' },
  'PASSWORD-ALGORITHM': { code: 0x001d, kind: 'password-algorithm' },
  'UNKNOWN-ATTRIBUTES': { code: 0x000a, kind: 'unknown-attributes' },
  SOFTWARE: { code: 0x8022, kind: 'text' },
  'ALTERNATE-SERVER': { code: 0x8023, kind: 'address' },
  'ALTERNATE-DOMAIN': { code: 0x8003, kind: 'text' },
  // RFC 8445 §16.1 (ICE)
  PRIORITY: { code: 0x0024, kind: 'uint32' },
  'USE-CANDIDATE': { code: 0x0025, kind: 'flag' },
  'ICE-CONTROLLED': { code: 0x8029, kind: 'uint64' },
  'ICE-CONTROLLING': { code: 0x802a, kind: 'uint64' },
  // draft-thatcher-ice-renomination: a 24-bit count, carried in 32 bits as libwebrtc and pion do.
  NOMINATION: { code: 0xc001, kind: 'uint32' },
  // RFC 3489 §11.2 classic attributes (node-stun and other old servers send them).
  'SOURCE-ADDRESS': { code: 0x0004, kind: 'address' },
  'CHANGED-ADDRESS': { code: 0x0005, kind: 'address' },
  // RFC 5780 §7 (NAT behaviour discovery).
  'RESPONSE-ORIGIN': { code: 0x802b, kind: 'address' },
  'OTHER-ADDRESS': { code: 0x802c, kind: 'address' },
  // RFC 8656 §18 (TURN)
  'CHANNEL-NUMBER': { code: 0x000c, kind: 'uint16-in-32' },
  LIFETIME: { code: 0x000d, kind: 'uint32' },
  'XOR-PEER-ADDRESS': { code: 0x0012, kind: 'xor-address' },
  DATA: { code: 0x0013, kind: 'bytes' },
  'XOR-RELAYED-ADDRESS': { code: 0x0016, kind: 'xor-address' },
  'REQUESTED-ADDRESS-FAMILY': { code: 0x0017, kind: 'uint8-in-32' },
  'EVEN-PORT': { code: 0x0018, kind: 'even-port' },
  'REQUESTED-TRANSPORT': { code: 0x0019, kind: 'uint8-in-32' },
  'DONT-FRAGMENT': { code: 0x001a, kind: 'flag' },
  'RESERVATION-TOKEN': { code: 0x0022, kind: 'bytes', size: 8 },
  'ADDITIONAL-ADDRESS-FAMILY': { code: 0x8000, kind: 'uint8-in-32' },
  'ADDRESS-ERROR-CODE': { code: 0x8001, kind: 'address-error-code' },
  ICMP: { code: 0x8004, kind: 'bytes', size: 8 }, // reserved(16) type(8) code(8) error data(32), kept raw
} as const satisfies Readonly<Record<string, AttributeSpec>>;

type Table = typeof ATTRIBUTE_TABLE;

const NAMES = Object.keys(ATTRIBUTE_TABLE) as KnownAttributeType[];

const ROWS: readonly AttributeRow[] = NAMES.map((name) => {
  const spec: AttributeSpec = ATTRIBUTE_TABLE[name];
  const codec = KIND_CODECS[spec.kind] as AttributeCodec<unknown>;
  return { name, code: spec.code, kind: spec.kind, size: spec.size ?? -1, codec };
});

/** Encoder row of { type: 'unknown' } attributes: raw bytes, the code taken from the attribute. */
export const UNKNOWN_ROW: AttributeRow = {
  name: 'unknown', code: -1, kind: 'bytes', size: -1, codec: BYTES as AttributeCodec<unknown>,
};

const BY_NAME: ReadonlyMap<string, AttributeRow> = new Map(ROWS.map((row) => [row.name, row]));
// code -> row in two array steps (high byte, low byte): cheaper than a Map on the decode path.
const BY_CODE: (readonly (AttributeRow | undefined)[] | undefined)[] = new Array<undefined>(256).fill(undefined);
for (const row of ROWS) {
  const page = (BY_CODE[row.code >>> 8] ??= new Array<undefined>(256).fill(undefined));
  (page as (AttributeRow | undefined)[])[row.code & 0xff] = row;
}

export function rowNamed(name: string): AttributeRow | undefined {
  return BY_NAME.get(name);
}

export function rowWithCode(code: number): AttributeRow | undefined {
  return BY_CODE[code >>> 8]?.[code & 0xff];
}

/** 'XOR-MAPPED-ADDRESS' -> 'XOR_MAPPED_ADDRESS'. */
type ConstantName<N extends string> = N extends `${infer Head}-${infer Tail}` ? `${Head}_${ConstantName<Tail>}` : N;

/** Attribute codes by constant name (ATTR.XOR_MAPPED_ADDRESS === 0x0020), from the table. */
export const ATTR = Object.freeze(Object.fromEntries(NAMES.map((name) => [name.replaceAll('-', '_'), ATTRIBUTE_TABLE[name].code]))) as {
  readonly [N in KnownAttributeType as ConstantName<N>]: Table[N]['code'];
};

/** name -> code for every attribute of the table. */
export const ATTRIBUTE_CODES: Readonly<Record<KnownAttributeType, number>> = Object.freeze(
  Object.fromEntries(NAMES.map((name) => [name, ATTRIBUTE_TABLE[name].code])) as Record<KnownAttributeType, number>,
);

/** code -> name, the reverse of ATTRIBUTE_CODES. */
export const ATTRIBUTE_NAMES: ReadonlyMap<number, KnownAttributeType> = new Map(NAMES.map((name) => [ATTRIBUTE_TABLE[name].code, name]));

export function attributeCode(type: KnownAttributeType): number {
  return ATTRIBUTE_CODES[type];
}

export function attributeName(code: number): KnownAttributeType | undefined {
  return ATTRIBUTE_NAMES.get(code);
}
