import { expect } from 'chai';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { fingerprintOf, longTermKey, shortTermKey, verifyIntegrity } from '../../lib/stun/integrity.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import type { StunAttribute, StunMessage } from '../../lib/stun/types.js';
import { fixture, hex } from './helpers.js';
import { mustDecode } from '../support/stun-bytes.js';

// RFC 5769 §2: test vectors.
const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';
const TID = hex('b7e7a701bc34d686fa87dfae');

/** Attributes before MESSAGE-INTEGRITY, so the encoder can recompute MI and FINGERPRINT. */
function signedPart(msg: StunMessage): StunAttribute[] {
  return msg.attributes.filter((a) => a.type !== 'MESSAGE-INTEGRITY' && a.type !== 'FINGERPRINT');
}

function expectFingerprint(buf: Buffer, msg: StunMessage): void {
  const fp = getAttribute(msg, 'FINGERPRINT');
  expect(fp, 'FINGERPRINT').to.not.equal(undefined);
  expect(fp!.value).to.equal(buf.readUInt32BE(buf.length - 4));
  expect(fingerprintOf(buf, buf.length - 8)).to.equal(fp!.value);
}

describe('stun: RFC 5769 test vectors', () => {
  it('§2.1 sample request: fields, short-term integrity, fingerprint, byte-exact re-encode', () => {
    const buf = fixture('rfc5769-request.bin');
    const msg = mustDecode(buf);
    expect(msg.method).to.equal(METHOD_BINDING);
    expect(msg.cls).to.equal('request');
    expect(msg.classic).to.equal(false);
    expect(msg.transactionId.equals(TID)).to.equal(true);
    expect(msg.attributes.map((a) => a.type)).to.deep.equal([
      'SOFTWARE', 'PRIORITY', 'ICE-CONTROLLED', 'USERNAME', 'MESSAGE-INTEGRITY', 'FINGERPRINT',
    ]);
    expect(getAttribute(msg, 'SOFTWARE')?.value).to.equal('STUN test client');
    expect(getAttribute(msg, 'PRIORITY')?.value).to.equal(0x6e0001ff);
    expect(getAttribute(msg, 'ICE-CONTROLLED')?.value).to.equal(0x932ff9b151263b36n);
    expect(getAttribute(msg, 'USERNAME')?.value).to.equal('evtj:h6vY');
    expect(msg.integrityOffset).to.equal(buf.length - 8 - 24);
    expect(msg.integritySha256Offset).to.equal(undefined);
    expect(msg.unknownRequired).to.deep.equal([]);
    expect(verifyIntegrity(buf, msg, shortTermKey(PASSWORD))).to.equal(true);
    expect(verifyIntegrity(buf, msg, shortTermKey(PASSWORD + 'x'))).to.equal(false);
    expectFingerprint(buf, msg);
    // The RFC pads USERNAME with 0x20; MI and FINGERPRINT cover the padding, so padByte matters.
    const again = encodeMessage(
      { method: msg.method, cls: msg.cls, transactionId: msg.transactionId, attributes: signedPart(msg) },
      { integrityKey: shortTermKey(PASSWORD), fingerprint: true, padByte: 0x20 },
    );
    expect(again.toString('hex')).to.equal(buf.toString('hex'));
  });

  it('§2.2 sample IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const buf = fixture('rfc5769-response-ipv4.bin');
    const msg = mustDecode(buf);
    expect(msg.cls).to.equal('success');
    expect(msg.method).to.equal(METHOD_BINDING);
    expect(msg.transactionId.equals(TID)).to.equal(true);
    expect(getAttribute(msg, 'SOFTWARE')?.value).to.equal('test vector');
    expect(getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal({ address: '192.0.2.1', port: 32853, family: 4 });
    expect(verifyIntegrity(buf, msg, shortTermKey(PASSWORD))).to.equal(true);
    expectFingerprint(buf, msg);
    const again = encodeMessage(
      { method: msg.method, cls: msg.cls, transactionId: msg.transactionId, attributes: signedPart(msg) },
      { integrityKey: shortTermKey(PASSWORD), fingerprint: true, padByte: 0x20 },
    );
    expect(again.toString('hex')).to.equal(buf.toString('hex'));
  });

  it('§2.3 sample IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const buf = fixture('rfc5769-response-ipv6.bin');
    const msg = mustDecode(buf);
    expect(getAttribute(msg, 'SOFTWARE')?.value).to.equal('test vector');
    expect(getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal({
      address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 6,
    });
    expect(verifyIntegrity(buf, msg, shortTermKey(PASSWORD))).to.equal(true);
    expectFingerprint(buf, msg);
    // Built from scratch (not from the decoded attributes) to pin the encoder on its own.
    const again = encodeMessage({
      method: METHOD_BINDING, cls: 'success', transactionId: TID,
      attributes: [
        { type: 'SOFTWARE', value: 'test vector' },
        { type: 'XOR-MAPPED-ADDRESS', value: { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 6 } },
      ],
    }, { integrityKey: shortTermKey(PASSWORD), fingerprint: true, padByte: 0x20 });
    expect(again.toString('hex')).to.equal(buf.toString('hex'));
  });

  it('§2.4 long-term credentials: USERNAME, NONCE, REALM, MD5 key, no FINGERPRINT', () => {
    const buf = fixture('rfc5769-request-long-term.bin');
    const msg = mustDecode(buf);
    const username = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
    expect(username).to.equal('マトリックス');
    expect(msg.transactionId.equals(hex('78ad3433c6ad72c029da412e'))).to.equal(true);
    expect(getAttribute(msg, 'USERNAME')?.value).to.equal(username);
    expect(getAttribute(msg, 'NONCE')?.value).to.equal('f//499k954d6OL34oL9FSTvy64sA');
    expect(getAttribute(msg, 'REALM')?.value).to.equal('example.org');
    expect(getAttribute(msg, 'FINGERPRINT')).to.equal(undefined);
    const key = longTermKey(username, 'example.org', 'TheMatrIX');
    expect(verifyIntegrity(buf, msg, key)).to.equal(true);
    expect(verifyIntegrity(buf, msg, longTermKey(username, 'example.org', 'thematrix'))).to.equal(false);
    expect(verifyIntegrity(buf, msg, shortTermKey('TheMatrIX'))).to.equal(false);
    const again = encodeMessage(
      { method: msg.method, cls: msg.cls, transactionId: msg.transactionId, attributes: signedPart(msg) },
      { integrityKey: key },
    );
    expect(again.toString('hex')).to.equal(buf.toString('hex'));
  });
});
