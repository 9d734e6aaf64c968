import { expect } from 'chai';
import { MAGIC_COOKIE } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { verifyIntegrity } from '../../lib/stun/integrity.js';
import type { StunDecodeFailure } from '../../lib/stun/types.js';
import { hex } from './helpers.js';
import { mustDecode } from '../support/stun-bytes.js';

const TID = hex('a1a2a3a4a5a6a7a8a9aaabac');

/** A raw Binding request whose body is `body` verbatim (length field = body length unless given). */
function raw(body: Buffer, opts: { length?: number; cookie?: number; type?: number } = {}): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(opts.type ?? 0x0001, 0);
  h.writeUInt16BE(opts.length ?? body.length, 2);
  h.writeUInt32BE(opts.cookie ?? MAGIC_COOKIE, 4);
  TID.copy(h, 8);
  return Buffer.concat([h, body]);
}

function tlv(code: number, value: Buffer, padTo4 = true): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(code, 0);
  h.writeUInt16BE(value.length, 2);
  const pad = padTo4 ? Buffer.alloc((4 - (value.length % 4)) % 4) : Buffer.alloc(0);
  return Buffer.concat([h, value, pad]);
}

function expectFailure(buf: Buffer, reason: StunDecodeFailure): void {
  const r = decodeMessage(buf);
  expect(r.ok, `expected ${reason}`).to.equal(false);
  if (!r.ok) expect(r.reason).to.equal(reason);
}

describe('stun: decode failures (one per reason)', () => {
  it('too-short: fewer than 20 bytes', () => {
    expectFailure(Buffer.alloc(0), 'too-short');
    expectFailure(raw(Buffer.alloc(0)).subarray(0, 19), 'too-short');
  });

  it('not-stun: top two bits set (RTP, DTLS ...)', () => {
    const b = raw(Buffer.alloc(0));
    b[0] = 0x80;
    expectFailure(b, 'not-stun');
    b[0] = 0x40;
    expectFailure(b, 'not-stun');
  });

  it('bad-length: header length differs from the datagram', () => {
    expectFailure(raw(tlv(0x0024, hex('00000001')), { length: 12 }), 'bad-length');
    expectFailure(raw(tlv(0x0024, hex('00000001')), { length: 4 }), 'bad-length');
  });

  it('not-multiple-of-4: body length 6', () => {
    expectFailure(raw(Buffer.concat([tlv(0x0025, Buffer.alloc(0)), hex('0000')])), 'not-multiple-of-4');
  });

  it('bad-padding: last attribute value flush with the end, padding missing', () => {
    expectFailure(raw(tlv(0x0006, Buffer.from('abcde'), false)), 'bad-padding');
  });

  it('padding bytes may hold any value (RFC 8489 §14): ignored', () => {
    const body = Buffer.concat([tlv(0x0006, Buffer.from('abcde')), tlv(0x0024, hex('00000007'))]);
    body.fill(0xee, 9, 12);
    const msg = mustDecode(raw(body));
    expect(getAttribute(msg, 'USERNAME')?.value).to.equal('abcde');
    expect(getAttribute(msg, 'PRIORITY')?.value).to.equal(7);
  });

  it('attribute-overrun: attribute length past the end', () => {
    const body = tlv(0x0024, hex('00000001'));
    body.writeUInt16BE(100, 2);
    expectFailure(raw(body), 'attribute-overrun');
  });

  it('bad-attribute: wrong sizes and values of known attributes', () => {
    const cases: [string, Buffer][] = [
      ['PRIORITY 8 bytes', tlv(0x0024, Buffer.alloc(8))],
      ['USE-CANDIDATE 4 bytes', tlv(0x0025, Buffer.alloc(4))],
      ['ICE-CONTROLLING 4 bytes', tlv(0x802a, Buffer.alloc(4))],
      ['ICE-CONTROLLED 12 bytes', tlv(0x8029, Buffer.alloc(12))],
      ['MESSAGE-INTEGRITY 16 bytes', tlv(0x0008, Buffer.alloc(16))],
      ['MESSAGE-INTEGRITY-SHA256 12 bytes', tlv(0x001c, Buffer.alloc(12))],
      ['MESSAGE-INTEGRITY-SHA256 18 bytes', tlv(0x001c, Buffer.alloc(18))],
      ['FINGERPRINT 8 bytes', tlv(0x8028, Buffer.alloc(8))],
      ['ERROR-CODE 2 bytes', tlv(0x0009, Buffer.alloc(2))],
      ['ERROR-CODE class 2', tlv(0x0009, hex('00000201'))],
      ['ERROR-CODE number 100', tlv(0x0009, hex('00000464'))],
      ['UNKNOWN-ATTRIBUTES odd', tlv(0x000a, hex('000102'))],
      ['XOR-MAPPED-ADDRESS v4 with 20 bytes', tlv(0x0020, Buffer.concat([hex('0001'), Buffer.alloc(18)]))],
      ['MAPPED-ADDRESS v6 with 8 bytes', tlv(0x0001, Buffer.concat([hex('0002'), Buffer.alloc(6)]))],
      ['MAPPED-ADDRESS 2 bytes', tlv(0x0001, hex('0001'))],
      ['LIFETIME 2 bytes', tlv(0x000d, hex('0001'))],
      ['REQUESTED-TRANSPORT 0 bytes', tlv(0x0019, Buffer.alloc(0))],
      ['CHANNEL-NUMBER 2 bytes', tlv(0x000c, hex('4001'))],
      ['DONT-FRAGMENT 4 bytes', tlv(0x001a, Buffer.alloc(4))],
    ];
    for (const [name, body] of cases) {
      const r = decodeMessage(raw(body));
      expect(r.ok ? 'ok' : r.reason, name).to.equal('bad-attribute');
    }
  });

  it('bad-family: address family other than 0x01/0x02', () => {
    expectFailure(raw(tlv(0x0020, hex('0003a147e112a643'))), 'bad-family');
    expectFailure(raw(tlv(0x0001, hex('0000a147e112a643'))), 'bad-family');
  });

  it('attribute-after-fingerprint', () => {
    const signed = encodeMessage({ method: 1, cls: 'request', transactionId: TID, attributes: [] }, { fingerprint: true });
    const extended = Buffer.concat([signed, tlv(0x0024, hex('00000001'))]);
    extended.writeUInt16BE(extended.length - 20, 2);
    expectFailure(extended, 'attribute-after-fingerprint');
  });

  it('fingerprint-mismatch: any flipped bit before FINGERPRINT, or a wrong value', () => {
    const good = encodeMessage(
      { method: 1, cls: 'request', transactionId: TID, attributes: [{ type: 'PRIORITY', value: 5 }] },
      { fingerprint: true },
    );
    expect(decodeMessage(good).ok).to.equal(true);
    for (const at of [1, 9, 27, good.length - 1]) {
      const b = Buffer.from(good);
      b[at] = b[at]! ^ 0x01;
      expectFailure(b, 'fingerprint-mismatch');
    }
  });

  it('after MESSAGE-INTEGRITY only MI-SHA256 / FINGERPRINT count; others are skipped, not fatal', () => {
    const key = Buffer.from('secret');
    const signed = encodeMessage({ method: 1, cls: 'request', transactionId: TID, attributes: [{ type: 'PRIORITY', value: 9 }] },
      { integrityKey: key });
    const extended = Buffer.concat([signed, tlv(0x0006, Buffer.from('late')), tlv(0x0024, hex('00000001'))]);
    extended.writeUInt16BE(extended.length - 20, 2);
    const msg = mustDecode(extended);
    expect(msg.attributes.map((a) => a.type)).to.deep.equal(['PRIORITY', 'MESSAGE-INTEGRITY']);
    expect(verifyIntegrity(extended, msg, key)).to.equal(true);
  });

  it('classic RFC 3489 message decodes with its 16-byte id; 0x0004/0x0005 are known', () => {
    const id16 = hex('00112233445566778899aabbccddeeff');
    const body = Buffer.concat([
      tlv(0x0001, hex('0001d431 7f000001')),
      tlv(0x0004, hex('00010d96 7f000001')),
      tlv(0x0005, hex('00010d97 7f000002')),
    ]);
    const b = Buffer.concat([hex('0101'), Buffer.from([0, body.length]), id16, body]);
    const msg = mustDecode(b);
    expect(msg.classic).to.equal(true);
    expect(msg.cls).to.equal('success');
    expect(msg.classicTransactionId?.equals(id16)).to.equal(true);
    expect(msg.transactionId.equals(id16.subarray(4))).to.equal(true);
    expect(msg.unknownRequired).to.deep.equal([]);
    expect(getAttribute(msg, 'MAPPED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: 0xd431, family: 4 });
    expect(getAttribute(msg, 'SOURCE-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: 3478, family: 4 });
    expect(getAttribute(msg, 'CHANGED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.2', port: 3479, family: 4 });
    expect(mustDecode(encodeMessage({ method: 1, cls: 'request', transactionId: TID, attributes: [] })).classicTransactionId)
      .to.equal(undefined);
  });
});
