import { expect } from 'chai';
import { isStunDatagram, looksLikeClassicStun } from '../../lib/stun/demux.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { seededRandom } from '../../lib/util/random.js';
import { fixture, hex } from './helpers.js';

describe('stun: demultiplexing (RFC 7983)', () => {
  const stun = encodeMessage({ method: 1, cls: 'request', transactionId: Buffer.alloc(12, 7), attributes: [] },
    { fingerprint: true });
  const classic = encodeMessage({ method: 1, cls: 'success', transactionId: Buffer.alloc(12), attributes: [
    { type: 'MAPPED-ADDRESS', value: { address: '127.0.0.1', port: 9, family: 4 } },
  ] }, { classicTransactionId: Buffer.alloc(16, 9) });

  it('accepts STUN messages (modern), classic only via looksLikeClassicStun', () => {
    for (const f of ['rfc5769-request.bin', 'rfc5769-response-ipv4.bin', 'rfc5769-request-long-term.bin']) {
      expect(isStunDatagram(fixture(f)), f).to.equal(true);
      expect(looksLikeClassicStun(fixture(f)), f).to.equal(false);
    }
    expect(isStunDatagram(stun)).to.equal(true);
    expect(isStunDatagram(classic)).to.equal(false);
    expect(looksLikeClassicStun(classic)).to.equal(true);
  });

  it('rejects DTLS (20..63) and RTP/RTCP (128..191) first bytes, bad length, short datagrams', () => {
    for (const first of [20, 22, 63, 64, 128, 0x80, 0x90, 191, 255, 4]) {
      const b = Buffer.from(stun);
      b[0] = first;
      expect(isStunDatagram(b), `first byte ${first}`).to.equal(false);
      expect(looksLikeClassicStun(b)).to.equal(false);
    }
    // A DTLS ClientHello-ish header and an RTP header.
    expect(isStunDatagram(Buffer.concat([hex('16fefd0000000000000000'), Buffer.alloc(40)]))).to.equal(false);
    expect(isStunDatagram(Buffer.concat([hex('80e0000100000001deadbeef'), Buffer.alloc(160)]))).to.equal(false);
    expect(isStunDatagram(stun.subarray(0, 19))).to.equal(false);
    expect(isStunDatagram(stun.subarray(0, stun.length - 4))).to.equal(false);
    const odd = Buffer.concat([stun, Buffer.alloc(2)]);
    odd.writeUInt16BE(odd.length - 20, 2);
    expect(isStunDatagram(odd)).to.equal(false);
    const noCookie = Buffer.from(stun);
    noCookie[4] = 0;
    expect(isStunDatagram(noCookie)).to.equal(false);
  });

  it('random data is (almost) never STUN', () => {
    const rng = seededRandom(99);
    let hits = 0;
    for (let i = 0; i < 20000; i++) {
      const b = rng.fill(Buffer.allocUnsafe(20 + (i % 200)));
      if (isStunDatagram(b)) hits++;
    }
    expect(hits).to.equal(0);
  });
});
