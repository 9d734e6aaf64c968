import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { ATTR, ATTRIBUTE_TABLE, MAGIC_COOKIE, METHOD_BINDING, type KnownAttributeType } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { verifyIntegritySha256 } from '../../lib/stun/integrity.js';
import type { EvenPortValue, StunAttribute, TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';
import { mustDecode } from '../support/stun-bytes.js';
import { hex } from './helpers.js';

const TID = hex('a1a2a3a4a5a6a7a8a9aaabac');

function ascii(text: string): string {
  return Buffer.from(text, 'ascii').toString('hex');
}

/** A Binding request whose body is `body` verbatim. */
function raw(body: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(0x0001, 0);
  h.writeUInt16BE(body.length, 2);
  h.writeUInt32BE(MAGIC_COOKIE, 4);
  TID.copy(h, 8);
  return Buffer.concat([h, body]);
}

/** One attribute: code, length, value, zero padding. */
function tlv(code: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(code, 0);
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function encodeAlone(attr: StunAttribute): Buffer {
  return encodeMessage({ method: METHOD_BINDING, cls: 'indication', transactionId: TID, attributes: [attr] });
}

/*
 * RFC 8489 Appendix B.1 as corrected by errata 6268: username "マトリックス", password "TheMatrIX"
 * (after OpaqueString), realm "example.org", PASSWORD-ALGORITHM SHA-256. Message length 0x90.
 */
const RFC8489_B1 = hex(`
  0001 0090 2112a442 78ad3433 c6ad72c0 29da412e
  001e 0020 4a3cf38f ef6992bd a952c678 0417da0f 24819415 569e60b2 05c46e41 407f1704
  0015 0029 6f624d61 744a6f73 32414141 43662f2f 3439396b 39353464 364f4c33 346f4c39 46535476 79363473 41000000
  0014 000b 6578616d 706c652e 6f726700
  001d 0004 00020000
  001c 0020 b5c7bf00 5b6c52a2 1c51c5e8 92f81924 136296cb 927c4314 9309278c c6518e65`);

describe('stun: attribute table', () => {
  it('RFC 8489 Appendix B.1 (errata 6268): USERHASH and PASSWORD-ALGORITHM decode, verify and re-encode byte for byte', () => {
    const user = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
    const msg = mustDecode(RFC8489_B1);
    const userhash = createHash('sha256').update(`${user}:example.org`).digest();
    expect(getAttribute(msg, 'USERHASH')?.value.equals(userhash)).to.equal(true);
    expect(getAttribute(msg, 'PASSWORD-ALGORITHM')?.value).to.deep.equal({ algorithm: 2, parameters: Buffer.alloc(0) });
    expect(msg.unknownRequired).to.deep.equal([]);
    // RFC 8489 §9.2.2 with SHA-256: key = SHA-256(username ":" realm ":" password).
    const key = createHash('sha256').update(`${user}:example.org:TheMatrIX`).digest();
    expect(verifyIntegritySha256(RFC8489_B1, msg, key)).to.equal(true);
    const again = encodeMessage(
      { method: METHOD_BINDING, cls: 'request', transactionId: msg.transactionId, attributes: msg.attributes.slice(0, 4) },
      { integritySha256Key: key },
    );
    expect(again.toString('hex')).to.equal(RFC8489_B1.toString('hex'));
  });

  it('TURN (RFC 8656) and RFC 8489 additions round-trip with the RFC wire layout', () => {
    const none = Buffer.alloc(0);
    const cases: [StunAttribute, string][] = [
      [{ type: 'REQUESTED-ADDRESS-FAMILY', value: 0x02 }, '0017 0004 02000000'],
      [{ type: 'EVEN-PORT', value: { reserve: true } }, '0018 0001 80000000'],
      [{ type: 'EVEN-PORT', value: { reserve: false } }, '0018 0001 00000000'],
      [{ type: 'RESERVATION-TOKEN', value: hex('0102030405060708') }, '0022 0008 0102030405060708'],
      [{ type: 'ADDITIONAL-ADDRESS-FAMILY', value: 0x02 }, '8000 0004 02000000'],
      [{ type: 'ADDRESS-ERROR-CODE', value: { family: 0x02, code: 440, reason: 'Address Family not Supported' } },
        `8001 0020 02000428 ${ascii('Address Family not Supported')}`],
      [{ type: 'ADDRESS-ERROR-CODE', value: { family: 0x01, code: 508, reason: 'x' } }, '8001 0005 01000508 78000000'],
      [{ type: 'ICMP', value: hex('0000030100000000') }, '8004 0008 0000030100000000'],
      [{ type: 'PASSWORD-ALGORITHM', value: { algorithm: 1, parameters: none } }, '001d 0004 00010000'],
      [{ type: 'PASSWORD-ALGORITHMS', value: [{ algorithm: 1, parameters: none }, { algorithm: 2, parameters: none }] },
        '8002 0008 00010000 00020000'],
      // Parameters are padded inside the list so the next entry starts on 4 bytes (RFC 8489 §14.11).
      [{ type: 'PASSWORD-ALGORITHMS', value: [{ algorithm: 0x1234, parameters: hex('aabbcc') }, { algorithm: 2, parameters: none }] },
        '8002 000c 12340003 aabbcc00 00020000'],
      [{ type: 'PASSWORD-ALGORITHMS', value: [] }, '8002 0000'],
      [{ type: 'ALTERNATE-DOMAIN', value: 'turn.example.org' }, `8003 0010 ${ascii('turn.example.org')}`],
      [{ type: 'USERHASH', value: Buffer.alloc(32, 0x5a) }, `001e 0020 ${'5a'.repeat(32)}`],
      [{ type: 'NOMINATION', value: 0xabcdef }, 'c001 0004 00abcdef'],
    ];
    for (const [attr, wire] of cases) {
      const buf = encodeAlone(attr);
      expect(buf.subarray(20).toString('hex'), attr.type).to.equal(wire.replace(/\s+/g, ''));
      expect(mustDecode(buf).attributes, attr.type).to.deep.equal([attr]);
    }
  });

  it('the new comprehension-required codes are known: no 420 for them', () => {
    const body = Buffer.concat([
      tlv(0x0017, hex('01000000')), tlv(0x0018, hex('00')), tlv(0x001d, hex('00020000')),
      tlv(0x001e, Buffer.alloc(32)), tlv(0x0022, Buffer.alloc(8)), tlv(0x0fff, hex('00')),
    ]);
    const msg = mustDecode(raw(body));
    expect(msg.unknownRequired).to.deep.equal([0x0fff]);
    expect(msg.attributes.map((a) => a.type)).to.deep.equal([
      'REQUESTED-ADDRESS-FAMILY', 'EVEN-PORT', 'PASSWORD-ALGORITHM', 'USERHASH', 'RESERVATION-TOKEN', 'unknown',
    ]);
    // GOOG-NETWORK-INFO stays unknown (comprehension-optional).
    expect(mustDecode(raw(tlv(0xc057, hex('000003e7')))).attributes[0]?.type).to.equal('unknown');
  });

  it('NOMINATION is carried in 32 bits both ways (a 24-bit count in the draft; libwebrtc reads 32)', () => {
    expect(getAttribute(mustDecode(raw(tlv(0xc001, hex('ff000001')))), 'NOMINATION')?.value).to.equal(0xff000001);
    expect(encodeAlone({ type: 'NOMINATION', value: 0xff000001 }).subarray(20).toString('hex')).to.equal('c0010004ff000001');
    expect(() => encodeAlone({ type: 'NOMINATION', value: 2 ** 32 })).to.throw(IceError).with.property('code', 'ERR_STUN_ENCODE');
  });

  it('malformed values fail with the same reason and detail as before, new kinds alike', () => {
    const cases: [Buffer, string, string][] = [
      // Existing attributes: the detail text the decoder has always given.
      [tlv(0x0024, Buffer.alloc(8)), 'bad-attribute', 'PRIORITY length'],
      [tlv(0x0009, hex('00000201')), 'bad-attribute', 'ERROR-CODE value'],
      [tlv(0x0008, Buffer.alloc(16)), 'bad-attribute', 'MESSAGE-INTEGRITY length'],
      [tlv(0x001c, Buffer.alloc(18)), 'bad-attribute', 'MESSAGE-INTEGRITY-SHA256 length'],
      [tlv(0x000a, hex('000102')), 'bad-attribute', 'UNKNOWN-ATTRIBUTES length'],
      [tlv(0x0020, hex('0003a147e112a643')), 'bad-family', 'attribute 0x20'],
      [tlv(0x0001, hex('0001')), 'bad-attribute', 'attribute 0x1'],
      // New ones.
      [tlv(0x0017, hex('02')), 'bad-attribute', 'REQUESTED-ADDRESS-FAMILY length'],
      [tlv(0x0018, hex('80000000')), 'bad-attribute', 'EVEN-PORT length'],
      [tlv(0x0022, Buffer.alloc(4)), 'bad-attribute', 'RESERVATION-TOKEN length'],
      [tlv(0x001e, Buffer.alloc(20)), 'bad-attribute', 'USERHASH length'],
      [tlv(0x8004, Buffer.alloc(4)), 'bad-attribute', 'ICMP length'],
      [tlv(0x8001, hex('0200')), 'bad-attribute', 'ADDRESS-ERROR-CODE length'],
      [tlv(0x8001, hex('02000264')), 'bad-attribute', 'ADDRESS-ERROR-CODE value'],
      [tlv(0x001d, hex('00020004 aabb')), 'bad-attribute', 'PASSWORD-ALGORITHM length'],
      [tlv(0x001d, hex('00010000 00020000')), 'bad-attribute', 'PASSWORD-ALGORITHM length'],
      [tlv(0x001d, Buffer.alloc(0)), 'bad-attribute', 'PASSWORD-ALGORITHM length'],
      [tlv(0x8002, hex('00010000 0002')), 'bad-attribute', 'PASSWORD-ALGORITHMS length'],
      [tlv(0xc001, hex('0001')), 'bad-attribute', 'NOMINATION length'],
    ];
    for (const [body, reason, detail] of cases) {
      expect(decodeMessage(raw(body)), detail).to.deep.equal({ ok: false, reason, detail });
    }
  });

  it('the encoder refuses values the decoder would refuse', () => {
    const bad: [string, StunAttribute][] = [
      ['RESERVATION-TOKEN 7 bytes', { type: 'RESERVATION-TOKEN', value: Buffer.alloc(7) }],
      ['USERHASH 31 bytes', { type: 'USERHASH', value: Buffer.alloc(31) }],
      ['MESSAGE-INTEGRITY 19 bytes', { type: 'MESSAGE-INTEGRITY', value: Buffer.alloc(19) }],
      ['MESSAGE-INTEGRITY-SHA256 18 bytes', { type: 'MESSAGE-INTEGRITY-SHA256', value: Buffer.alloc(18) }],
      ['REQUESTED-ADDRESS-FAMILY 256', { type: 'REQUESTED-ADDRESS-FAMILY', value: 256 }],
      ['ADDRESS-ERROR-CODE family 256', { type: 'ADDRESS-ERROR-CODE', value: { family: 256, code: 440, reason: '' } }],
      ['ADDRESS-ERROR-CODE 299', { type: 'ADDRESS-ERROR-CODE', value: { family: 1, code: 299, reason: '' } }],
      ['PASSWORD-ALGORITHM 0x10000', { type: 'PASSWORD-ALGORITHM', value: { algorithm: 0x10000, parameters: Buffer.alloc(0) } }],
      ['ALTERNATE-DOMAIN 764 bytes', { type: 'ALTERNATE-DOMAIN', value: 'd'.repeat(764) }],
      ['EVEN-PORT without reserve', { type: 'EVEN-PORT', value: {} as EvenPortValue }],
      ['a name not in the table', { type: 'NOT-AN-ATTRIBUTE' } as unknown as StunAttribute],
    ];
    for (const [name, attr] of bad) {
      expect(() => encodeAlone(attr), name).to.throw(IceError).with.property('code', 'ERR_STUN_ENCODE');
    }
  });

  it('mutated messages with every new kind never throw, and what decodes re-encodes to the same bytes', () => {
    const seed = encodeMessage({
      method: 0x003, cls: 'request', transactionId: TID, attributes: [
        { type: 'REQUESTED-ADDRESS-FAMILY', value: 2 }, { type: 'EVEN-PORT', value: { reserve: true } },
        { type: 'RESERVATION-TOKEN', value: hex('0102030405060708') },
        { type: 'ADDRESS-ERROR-CODE', value: { family: 1, code: 440, reason: 'nope' } },
        { type: 'PASSWORD-ALGORITHMS', value: [{ algorithm: 1, parameters: hex('ab') }, { algorithm: 2, parameters: Buffer.alloc(0) }] },
        { type: 'PASSWORD-ALGORITHM', value: { algorithm: 2, parameters: Buffer.alloc(0) } },
        { type: 'USERHASH', value: Buffer.alloc(32, 1) }, { type: 'NOMINATION', value: 7 }, { type: 'ICMP', value: Buffer.alloc(8) },
      ],
    });
    const rng = seededRandom(0x7ab1e);
    const pick = Buffer.alloc(3);
    let decoded = 0;
    for (let i = 0; i < 20000; i++) {
      const buf = Buffer.from(seed);
      rng.fill(pick);
      buf[20 + (pick[0]! % (buf.length - 20))] = pick[1]!; // keep the header, so the walk goes deep
      const r = decodeMessage(buf);
      if (!r.ok) continue;
      decoded++;
      // Padding bytes and RFFU bits are not kept, so compare the re-encoding of the re-decoding.
      const once = encodeMessage(r.message);
      expect(encodeMessage(mustDecode(once)).equals(once)).to.equal(true);
    }
    expect(decoded).to.be.greaterThan(1000);
  });

  it('ATTR constants and value types come from the table', () => {
    for (const name of Object.keys(ATTRIBUTE_TABLE) as KnownAttributeType[]) {
      expect((ATTR as Record<string, number>)[name.replaceAll('-', '_')], name).to.equal(ATTRIBUTE_TABLE[name].code);
    }
    expect(Object.keys(ATTR).length).to.equal(Object.keys(ATTRIBUTE_TABLE).length);
    const literal: 0x0020 = ATTR.XOR_MAPPED_ADDRESS; // literal type, usable in a switch
    expect(literal).to.equal(0x0020);

    const msg = mustDecode(encodeMessage({
      method: METHOD_BINDING, cls: 'success', transactionId: TID,
      attributes: [
        { type: 'XOR-MAPPED-ADDRESS', value: { address: '192.0.2.1', port: 32853, family: 4 } },
        { type: 'EVEN-PORT', value: { reserve: true } }, { type: 'USE-CANDIDATE' },
      ],
    }));
    // The StunAttribute union is derived from the table: each value has its kind's type.
    const mapped: TransportAddress | undefined = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value;
    const even: boolean | undefined = getAttribute(msg, 'EVEN-PORT')?.value.reserve;
    expect(mapped).to.deep.equal({ address: '192.0.2.1', port: 32853, family: 4 });
    expect(even).to.equal(true);
    // @ts-expect-error a flag attribute has no value
    expect(getAttribute(msg, 'USE-CANDIDATE')?.value).to.equal(undefined);
    expect(() => encodeAlone(
      // @ts-expect-error PRIORITY is a 'uint32' kind: a number
      { type: 'PRIORITY', value: 'high' },
    )).to.throw(IceError);
  });
});
