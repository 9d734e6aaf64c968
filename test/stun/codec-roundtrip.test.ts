import { SocketAddress } from 'node:net';
import { expect } from 'chai';
import {
  decodeAddressValue, encodeAddressValue, formatIPv6, parseIPv6,
} from '../../lib/stun/address-codec.js';
import {
  ATTRIBUTE_CODES, ATTRIBUTE_NAMES, METHOD_ALLOCATE, METHOD_BINDING, METHOD_CHANNEL_BIND,
  METHOD_CREATE_PERMISSION, METHOD_DATA, METHOD_REFRESH, METHOD_SEND, attributeName,
  isComprehensionRequired, type KnownAttributeType,
} from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute, getAttributes } from '../../lib/stun/get-attribute.js';
import { classOf, messageType, methodOf } from '../../lib/stun/message-type.js';
import type { StunAttribute, StunClass, TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { hex } from './helpers.js';
import { mustDecode } from '../support/stun-bytes.js';

const TID = hex('0102030405060708090a0b0c');
const v4: TransportAddress = { address: '203.0.113.7', port: 54321, family: 4 };
const v6: TransportAddress = { address: '2001:db8::1', port: 3478, family: 6 };

/** One of every attribute type of types.ts (except 'unknown', covered below). */
const EVERY: readonly StunAttribute[] = [
  { type: 'MAPPED-ADDRESS', value: v4 },
  { type: 'XOR-MAPPED-ADDRESS', value: v6 },
  { type: 'USERNAME', value: 'abcd:efgh+/ü' },
  { type: 'ERROR-CODE', value: { code: 487, reason: 'Role Conflict' } },
  { type: 'UNKNOWN-ATTRIBUTES', value: [0x0003, 0x7fff, 0x1234] },
  { type: 'SOFTWARE', value: 'ice-agent 0.1' },
  { type: 'REALM', value: 'example.org' },
  { type: 'NONCE', value: 'f//499k954d6OL34oL9FSTvy64sA' },
  { type: 'PRIORITY', value: 0xfeedbeef },
  { type: 'USE-CANDIDATE' },
  { type: 'ICE-CONTROLLED', value: 0x0123456789abcdefn },
  { type: 'ICE-CONTROLLING', value: 17929064277920668017n },
  { type: 'SOURCE-ADDRESS', value: { address: '127.0.0.1', port: 3478, family: 4 } },
  { type: 'CHANGED-ADDRESS', value: { address: '127.0.0.2', port: 3479, family: 4 } },
  { type: 'RESPONSE-ORIGIN', value: { address: '::1', port: 1, family: 6 } },
  { type: 'OTHER-ADDRESS', value: { address: '::ffff:1.2.3.4', port: 65535, family: 6 } },
  { type: 'ALTERNATE-SERVER', value: { address: 'fe80::1:0:0:0', port: 0, family: 6 } },
  { type: 'LIFETIME', value: 600 },
  { type: 'XOR-PEER-ADDRESS', value: { address: '198.51.100.1', port: 9, family: 4 } },
  { type: 'XOR-RELAYED-ADDRESS', value: { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 6 } },
  { type: 'DATA', value: hex('deadbeef01') },
  { type: 'REQUESTED-TRANSPORT', value: 17 },
  { type: 'CHANNEL-NUMBER', value: 0x4001 },
  { type: 'DONT-FRAGMENT' },
  { type: 'USERHASH', value: Buffer.alloc(32, 0xab) },
  { type: 'PASSWORD-ALGORITHM', value: { algorithm: 2, parameters: Buffer.alloc(0) } },
  { type: 'PASSWORD-ALGORITHMS', value: [{ algorithm: 1, parameters: Buffer.alloc(0) }, { algorithm: 0x77, parameters: hex('010203') }] },
  { type: 'ALTERNATE-DOMAIN', value: 'turn.example.org' },
  { type: 'NOMINATION', value: 0xfffffe },
  { type: 'REQUESTED-ADDRESS-FAMILY', value: 0x02 },
  { type: 'EVEN-PORT', value: { reserve: true } },
  { type: 'RESERVATION-TOKEN', value: hex('0102030405060708') },
  { type: 'ADDITIONAL-ADDRESS-FAMILY', value: 0x02 },
  { type: 'ADDRESS-ERROR-CODE', value: { family: 0x01, code: 440, reason: 'Address Family not Supported' } },
  { type: 'ICMP', value: hex('0000030100000000') },
];

describe('stun: codec round trips', () => {
  it('the table covers both ways every attribute code', () => {
    for (const [name, code] of Object.entries(ATTRIBUTE_CODES)) expect(attributeName(code)).to.equal(name);
    expect(ATTRIBUTE_NAMES.size).to.equal(Object.keys(ATTRIBUTE_CODES).length);
    expect(ATTRIBUTE_CODES['SOURCE-ADDRESS']).to.equal(0x0004);
    expect(ATTRIBUTE_CODES['ICE-CONTROLLING']).to.equal(0x802a);
    expect(isComprehensionRequired(0x0004)).to.equal(true);
    expect(isComprehensionRequired(0xc057)).to.equal(false);
  });

  it('message type interleaves method and class bits (RFC 8489 §5)', () => {
    expect(messageType(METHOD_BINDING, 'request')).to.equal(0x0001);
    expect(messageType(METHOD_BINDING, 'success')).to.equal(0x0101);
    expect(messageType(METHOD_BINDING, 'error')).to.equal(0x0111);
    expect(messageType(METHOD_SEND, 'indication')).to.equal(0x0016);
    expect(messageType(0xfff, 'error')).to.equal(0x3fff);
    const methods = [METHOD_BINDING, METHOD_ALLOCATE, METHOD_REFRESH, METHOD_SEND, METHOD_DATA,
      METHOD_CREATE_PERMISSION, METHOD_CHANNEL_BIND, 0x0ab, 0xfff, 0];
    for (const m of methods) {
      for (const c of ['request', 'indication', 'success', 'error'] as StunClass[]) {
        const t = messageType(m, c);
        expect([methodOf(t), classOf(t)]).to.deep.equal([m, c]);
      }
    }
  });

  it('every attribute type survives encode -> decode, in order, with integrity and fingerprint', () => {
    const buf = encodeMessage(
      { method: METHOD_ALLOCATE, cls: 'request', transactionId: TID, attributes: EVERY },
      { integrityKey: Buffer.from('k'), integritySha256Key: Buffer.from('k2'), fingerprint: true, software: 'tail' },
    );
    const msg = mustDecode(buf);
    expect(msg.method).to.equal(METHOD_ALLOCATE);
    expect(msg.cls).to.equal('request');
    expect(msg.transactionId.equals(TID)).to.equal(true);
    const body = msg.attributes.slice(0, EVERY.length);
    expect(body).to.deep.equal(EVERY);
    expect(msg.attributes.slice(EVERY.length).map((a) => a.type)).to.deep.equal([
      'SOFTWARE', 'MESSAGE-INTEGRITY', 'MESSAGE-INTEGRITY-SHA256', 'FINGERPRINT',
    ]);
    // Every known type was exercised.
    const covered = new Set(msg.attributes.map((a) => a.type));
    for (const name of Object.keys(ATTRIBUTE_CODES) as KnownAttributeType[]) expect(covered.has(name), name).to.equal(true);
    expect(msg.unknownRequired).to.deep.equal([]);
  });

  it('each attribute alone round-trips (exercises every padding length)', () => {
    for (const attr of EVERY) {
      const buf = encodeMessage({ method: METHOD_BINDING, cls: 'indication', transactionId: TID, attributes: [attr] });
      expect(buf.length % 4).to.equal(0);
      expect(mustDecode(buf).attributes).to.deep.equal([attr]);
    }
  });

  it('unknown attributes are kept raw; required-range ones are listed', () => {
    const attrs: StunAttribute[] = [
      { type: 'unknown', code: 0xc057, value: hex('000003e7') },
      { type: 'unknown', code: 0x0003, value: hex('00000006') }, // RFC 3489 CHANGE-REQUEST
      { type: 'unknown', code: 0x7001, value: hex('ab') },
    ];
    const msg = mustDecode(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: TID, attributes: attrs }));
    expect(msg.attributes).to.deep.equal(attrs);
    expect(msg.unknownRequired).to.deep.equal([0x0003, 0x7001]);
  });

  it('getAttribute returns the first occurrence, typed; getAttributes all', () => {
    const msg = mustDecode(encodeMessage({
      method: METHOD_BINDING, cls: 'request', transactionId: TID,
      attributes: [{ type: 'PRIORITY', value: 1 }, { type: 'USERNAME', value: 'a:b' }, { type: 'PRIORITY', value: 2 }],
    }));
    const p: number | undefined = getAttribute(msg, 'PRIORITY')?.value;
    expect(p).to.equal(1);
    expect(getAttributes(msg, 'PRIORITY').map((a) => a.value)).to.deep.equal([1, 2]);
    expect(getAttribute(msg, 'NONCE')).to.equal(undefined);
  });

  it('ICE-CONTROLLING/CONTROLLED keep full 64-bit values above 2^63', () => {
    for (const v of [0n, 1n, 2n ** 63n, 17929064277920668017n, 2n ** 64n - 1n]) {
      const msg = mustDecode(encodeMessage({
        method: METHOD_BINDING, cls: 'request', transactionId: TID,
        attributes: [{ type: 'ICE-CONTROLLING', value: v }, { type: 'ICE-CONTROLLED', value: v }],
      }));
      expect(getAttribute(msg, 'ICE-CONTROLLING')?.value).to.equal(v);
      expect(getAttribute(msg, 'ICE-CONTROLLED')?.value).to.equal(v);
    }
  });

  it('addresses: plain and XOR, IPv4 and IPv6, text form as the socket layer reports it', () => {
    const six = ['::1', '::', '2001:db8::1', '::ffff:1.2.3.4', '::1.2.3.4', '1:0:0:2::3', 'fe80::1:0:0:0',
      '1:0:2:0:3:0:4:0', '2001:db8:1234:5678:11:2233:4455:6677', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '1::'];
    for (const address of six) {
      const a: TransportAddress = { address, port: 4242, family: 6 };
      expect(decodeAddressValue(encodeAddressValue(a))).to.deep.equal(a);
      expect(decodeAddressValue(encodeAddressValue(a, TID), TID)).to.deep.equal(a);
      // Same canonical text as node:net (libuv inet_ntop).
      expect(new SocketAddress({ address, family: 'ipv6' }).address).to.equal(address);
    }
    // Non-canonical input comes back canonical, like Node's.
    for (const address of ['2001:0DB8:0:0::1', '0:0:0:0:0:0:0:1', '::FFFF:0102:0304', 'fe80::1%eth0']) {
      const out = decodeAddressValue(encodeAddressValue({ address, port: 1, family: 6 }));
      const plain = address.split('%')[0]!;
      expect(out).to.deep.equal({ address: new SocketAddress({ address: plain, family: 'ipv6' }).address, port: 1, family: 6 });
    }
    for (const address of ['0.0.0.0', '127.0.0.1', '255.255.255.255', '192.0.2.1']) {
      const a: TransportAddress = { address, port: 65535, family: 4 };
      expect(decodeAddressValue(encodeAddressValue(a, TID), TID)).to.deep.equal(a);
      expect(decodeAddressValue(encodeAddressValue(a))).to.deep.equal(a);
    }
    // RFC 5769 §2.2 XOR value, by hand.
    expect(encodeAddressValue({ address: '192.0.2.1', port: 32853, family: 4 }, TID).toString('hex')).to.equal('0001a147e112a643');
  });

  it('formatIPv6 matches node:net on random words (zero-heavy to hit compression cases)', () => {
    let s = 12345;
    const next = (): number => { s = (s * 1103515245 + 12345) >>> 0; return s >>> 16; };
    for (let n = 0; n < 2000; n++) {
      const words = Array.from({ length: 8 }, () => (next() % 3 === 0 ? next() : 0));
      if (next() % 4 === 0) words[5] = 0xffff;
      const text = formatIPv6(words);
      expect(text).to.equal(new SocketAddress({ address: text, family: 'ipv6' }).address);
      const out = Buffer.alloc(16);
      expect(parseIPv6(text, out, 0)).to.equal(true);
      expect(Array.from({ length: 8 }, (_, i) => out.readUInt16BE(2 * i))).to.deep.equal(words);
    }
  });

  it('encoder throws IceError ERR_STUN_ENCODE on misuse', () => {
    const bad: [string, () => unknown][] = [
      ['tid 11 bytes', () => encodeMessage({ method: 1, cls: 'request', transactionId: Buffer.alloc(11), attributes: [] })],
      ['method too big', () => encodeMessage({ method: 0x1000, cls: 'request', transactionId: TID, attributes: [] })],
      ['USERNAME 764 bytes', () => encodeMessage({ method: 1, cls: 'request', transactionId: TID,
        attributes: [{ type: 'USERNAME', value: 'x'.repeat(764) }] })],
      ['PRIORITY negative', () => encodeMessage({ method: 1, cls: 'request', transactionId: TID,
        attributes: [{ type: 'PRIORITY', value: -1 }] })],
      ['ICE-CONTROLLING 2^64', () => encodeMessage({ method: 1, cls: 'request', transactionId: TID,
        attributes: [{ type: 'ICE-CONTROLLING', value: 2n ** 64n }] })],
      ['ERROR-CODE 200', () => encodeMessage({ method: 1, cls: 'error', transactionId: TID,
        attributes: [{ type: 'ERROR-CODE', value: { code: 200, reason: '' } }] })],
      ['bad IPv4', () => encodeMessage({ method: 1, cls: 'success', transactionId: TID,
        attributes: [{ type: 'XOR-MAPPED-ADDRESS', value: { address: '1.2.3.256', port: 1, family: 4 } }] })],
      ['bad IPv6', () => encodeMessage({ method: 1, cls: 'success', transactionId: TID,
        attributes: [{ type: 'MAPPED-ADDRESS', value: { address: '1::2::3', port: 1, family: 6 } }] })],
      ['v6 text as v4', () => encodeMessage({ method: 1, cls: 'success', transactionId: TID,
        attributes: [{ type: 'MAPPED-ADDRESS', value: { address: '::1', port: 1, family: 4 } }] })],
      ['port 70000', () => encodeMessage({ method: 1, cls: 'success', transactionId: TID,
        attributes: [{ type: 'MAPPED-ADDRESS', value: { address: '1.2.3.4', port: 70000, family: 4 } }] })],
      ['body too long', () => encodeMessage({ method: 1, cls: 'indication', transactionId: TID,
        attributes: [{ type: 'DATA', value: Buffer.alloc(40000) }, { type: 'DATA', value: Buffer.alloc(40000) }] })],
    ];
    for (const [name, fn] of bad) {
      expect(fn, name).to.throw(IceError).with.property('code', 'ERR_STUN_ENCODE');
    }
    // 763 bytes is still fine.
    expect(decodeMessage(encodeMessage({ method: 1, cls: 'request', transactionId: TID,
      attributes: [{ type: 'USERNAME', value: 'x'.repeat(763) }] })).ok).to.equal(true);
  });
});
