import { expect } from 'chai';
import {
  CHANNEL_NUMBER_MAX, CHANNEL_NUMBER_MIN, channelDataHeader, channelDataPadding, decodeChannelData,
  encodeChannelData, isChannelNumber, looksLikeChannelData,
} from '../../lib/turn/channel-data.js';
import { IceError } from '../../lib/util/errors.js';

describe('turn: ChannelData (RFC 8656 §12.4, §12.5)', () => {
  it('channel numbers are 0x4000-0x4FFF; 0x5000+ is reserved for RFC 7983', () => {
    expect([CHANNEL_NUMBER_MIN, CHANNEL_NUMBER_MAX]).to.deep.equal([0x4000, 0x4fff]);
    expect([0x3fff, 0x4000, 0x4fff, 0x5000, 0x7fff].map(isChannelNumber)).to.deep.equal([false, true, true, false, false]);
    expect(() => channelDataHeader(0x5000, 1)).to.throw(IceError).with.property('code', 'ERR_INVALID_ARGUMENT');
    expect(() => channelDataHeader(0x4000, 65536)).to.throw(IceError);
  });

  it('the header is a separate 4-byte buffer; the payload is sent as is (no copy)', () => {
    const payload = Buffer.from('hello');
    const parts = encodeChannelData(0x4001, payload, false);
    expect(parts).to.have.length(2);
    expect(parts[0]!.toString('hex')).to.equal('40010005');
    expect(parts[1]).to.equal(payload); // the same object
  });

  it('over TCP/TLS it is padded to 4 with zero bytes, and LENGTH excludes the padding', () => {
    for (let n = 0; n < 9; n++) {
      const payload = Buffer.alloc(n, 0xaa);
      const parts = encodeChannelData(0x4abc, payload, true);
      const wire = Buffer.concat(parts);
      expect(wire.length % 4, `length ${n}`).to.equal(0);
      expect(wire.readUInt16BE(2)).to.equal(n);
      expect([...wire.subarray(4 + n)].every((b) => b === 0), 'zeroed padding').to.equal(true);
      expect(parts.length).to.equal(n % 4 === 0 ? 2 : 3);
    }
    expect(channelDataPadding(5)).to.deep.equal(Buffer.alloc(3));
  });

  it('decodes, bounding the payload by LENGTH (padding is never delivered as data, turn-rs#175)', () => {
    const padded = Buffer.from('4002000361626300', 'hex');
    const r = decodeChannelData(padded);
    expect(r.ok && r.channel === 0x4002 && r.payload.toString()).to.equal('abc');
    const trailing = Buffer.concat([Buffer.from('40020001', 'hex'), Buffer.from('xgarbage')]);
    const t = decodeChannelData(trailing);
    expect(t.ok && t.payload.toString()).to.equal('x');
    const empty = decodeChannelData(Buffer.from('40030000', 'hex'));
    expect(empty.ok && empty.payload.length).to.equal(0);
  });

  it('drops what is shorter than 4 + LENGTH, reserved channels and non-ChannelData', () => {
    expect(decodeChannelData(Buffer.from('4000', 'hex'))).to.deep.equal({ ok: false, reason: 'too-short' });
    expect(decodeChannelData(Buffer.from('40000005616263', 'hex'))).to.deep.equal({ ok: false, reason: 'too-short' });
    expect(decodeChannelData(Buffer.from('4000ffff', 'hex'))).to.deep.equal({ ok: false, reason: 'too-short' });
    expect(decodeChannelData(Buffer.from('50000000', 'hex'))).to.deep.equal({ ok: false, reason: 'reserved-channel' });
    expect(decodeChannelData(Buffer.from('7fff0000', 'hex'))).to.deep.equal({ ok: false, reason: 'reserved-channel' });
    expect(decodeChannelData(Buffer.from('00010000', 'hex'))).to.deep.equal({ ok: false, reason: 'not-channel-data' });
    expect(decodeChannelData(Buffer.from('80000000', 'hex'))).to.deep.equal({ ok: false, reason: 'not-channel-data' });
  });

  it('RFC 7983 first-byte test', () => {
    expect([0x00, 0x3f, 0x40, 0x4f, 0x50, 0x80].map((b) => looksLikeChannelData(Buffer.from([b, 0, 0, 0]))))
      .to.deep.equal([false, false, true, true, false, false]);
    expect(looksLikeChannelData(Buffer.alloc(0))).to.equal(false);
  });
});
