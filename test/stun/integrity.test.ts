import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import {
  longTermKey, shortTermKey, verifyIntegrity, verifyIntegritySha256,
} from '../../lib/stun/integrity.js';
import type { StunMessageInit } from '../../lib/stun/types.js';
import { hex } from './helpers.js';
import { mustDecode } from '../support/stun-bytes.js';

const PASSWORD = 'asd88fgpdd777uzjYhagZg+/';

/** A check as Chromium sends it (INTEROP-NOTES): USERNAME, 0xC057, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MI, FINGERPRINT. */
const chromeCheck: StunMessageInit = {
  method: 0x001,
  cls: 'request',
  transactionId: hex('4a6f6e4b6c5a2b2f31323334'),
  attributes: [
    { type: 'USERNAME', value: 'remoteUfrag:localUfrag' },
    { type: 'unknown', code: 0xc057, value: hex('000003e7') },
    { type: 'ICE-CONTROLLING', value: 17929064277920668017n },
    { type: 'USE-CANDIDATE' },
    { type: 'PRIORITY', value: 1853824767 },
  ],
};

describe('stun: integrity', () => {
  const key = shortTermKey(PASSWORD);
  const buf = encodeMessage(chromeCheck, { integrityKey: key, fingerprint: true });

  it('a Chrome-like check verifies, keeps 0xC057 raw and in order', () => {
    const msg = mustDecode(buf);
    expect(msg.attributes.map((a) => (a.type === 'unknown' ? a.code : a.type))).to.deep.equal([
      'USERNAME', 0xc057, 'ICE-CONTROLLING', 'USE-CANDIDATE', 'PRIORITY', 'MESSAGE-INTEGRITY', 'FINGERPRINT',
    ]);
    expect(msg.unknownRequired).to.deep.equal([]);
    expect(msg.integrityOffset).to.equal(buf.length - 8 - 24);
    expect(verifyIntegrity(buf, msg, key)).to.equal(true);
  });

  it('wrong key -> false; no MESSAGE-INTEGRITY -> false', () => {
    const msg = mustDecode(buf);
    expect(verifyIntegrity(buf, msg, shortTermKey(PASSWORD.slice(1)))).to.equal(false);
    expect(verifyIntegrity(buf, msg, Buffer.alloc(0))).to.equal(false);
    const plain = encodeMessage(chromeCheck, { fingerprint: true });
    expect(verifyIntegrity(plain, mustDecode(plain), key)).to.equal(false);
  });

  it('the unknown optional attribute is covered: mutate 0xC057 after signing -> integrity fails', () => {
    const at = buf.indexOf(hex('c0570004000003e7'));
    expect(at).to.be.greaterThan(0);
    const tampered = Buffer.from(buf);
    tampered[at + 7] = 0xe8;
    // Signed without FINGERPRINT so decode succeeds and only MI can notice.
    const noFp = encodeMessage(chromeCheck, { integrityKey: key });
    const t2 = Buffer.from(noFp);
    t2[at + 7] = 0xe8;
    const msg2 = mustDecode(t2);
    expect(getAttribute(msg2, 'unknown')?.value.toString('hex')).to.equal('000003e8');
    expect(verifyIntegrity(t2, msg2, key)).to.equal(false);
    expect(verifyIntegrity(noFp, mustDecode(noFp), key)).to.equal(true);
    // With FINGERPRINT, decode already rejects the mutated datagram.
    const r = decodeMessage(tampered);
    expect(r.ok ? 'ok' : r.reason).to.equal('fingerprint-mismatch');
  });

  it('every single flipped byte before MI fails integrity (or the decoder rejects it)', () => {
    const noFp = encodeMessage(chromeCheck, { integrityKey: key });
    let checked = 0;
    for (let i = 0; i < noFp.length; i++) {
      if (i === 2 || i === 3) continue; // length field: decode rejects it (bad-length) anyway
      const b = Buffer.from(noFp);
      b[i] = b[i]! ^ 0x40;
      const r = decodeMessage(b);
      if (r.ok) {
        checked++;
        expect(verifyIntegrity(b, r.message, key), `byte ${i}`).to.equal(false);
      }
    }
    expect(checked).to.be.greaterThan(noFp.length / 2);
  });

  it('verification does not alter the input buffer', () => {
    const copy = Buffer.from(buf);
    verifyIntegrity(buf, mustDecode(buf), key);
    expect(buf.equals(copy)).to.equal(true);
  });

  it('MESSAGE-INTEGRITY-SHA256: full and truncated values; with MI before it', () => {
    const k256 = Buffer.from('sha-key');
    const both = encodeMessage(chromeCheck, { integrityKey: key, integritySha256Key: k256, fingerprint: true });
    const msg = mustDecode(both);
    expect(verifyIntegrity(both, msg, key)).to.equal(true);
    expect(verifyIntegritySha256(both, msg, k256)).to.equal(true);
    expect(verifyIntegritySha256(both, msg, key)).to.equal(false);
    // Truncate to 16 bytes by hand: HMAC over the message with length ending at the truncated attribute.
    const only = encodeMessage(chromeCheck, { integritySha256Key: k256 });
    const m1 = mustDecode(only);
    const off = m1.integritySha256Offset!;
    const cut = Buffer.from(only.subarray(0, off + 4 + 16));
    cut.writeUInt16BE(16, off + 2);
    cut.writeUInt16BE(cut.length - 20, 2);
    // The length field changed, so recompute the MAC by hand (RFC 8489 §14.6) and keep 16 bytes.
    const mac = createHmac('sha256', k256).update(cut.subarray(0, off)).digest();
    mac.copy(cut, off + 4, 0, 16);
    const m2 = mustDecode(cut);
    expect(getAttribute(m2, 'MESSAGE-INTEGRITY-SHA256')?.value.length).to.equal(16);
    expect(verifyIntegritySha256(cut, m2, k256)).to.equal(true);
    cut[off + 10] = cut[off + 10]! ^ 1;
    expect(verifyIntegritySha256(cut, mustDecode(cut), k256)).to.equal(false);
    expect(verifyIntegritySha256(buf, mustDecode(buf), k256)).to.equal(false); // none present
  });

  it('long-term key is MD5(username:realm:password)', () => {
    expect(longTermKey('user', 'realm', 'pass').toString('hex')).to.equal('8493fbc53ba582fb4c044c456bdc40eb');
  });
});
