import { expect } from 'chai';
import { isIceUfrag, stunClassOf, targetUfrag } from '../../lib/mux/index.js';
import {
  METHOD_BINDING, decodeMessage, encodeMessage, getAttribute, isStunDatagram, shortTermKey, type StunAttribute,
} from '../../lib/stun/index.js';
import { loadCaptures } from '../fuzz/captures.js';
import { Rng, nextInput } from '../fuzz/mutator.js';
import { check, response, tid } from './support.js';

const KEY = shortTermKey('passwordpasswordpassword');

/** What the full decoder says the target ufrag is (for datagrams it accepts). */
function decoderUfrag(data: Buffer): string | undefined {
  if (!isStunDatagram(data)) return undefined;
  const d = decodeMessage(data);
  if (!d.ok || d.message.cls !== 'request' || d.message.method !== METHOD_BINDING) return undefined;
  const username = getAttribute(d.message, 'USERNAME')?.value;
  if (username === undefined || !username.includes(':')) return undefined;
  const prefix = username.slice(0, username.indexOf(':'));
  return isIceUfrag(prefix) ? prefix : undefined;
}

function raw(attributes: readonly StunAttribute[], o: { key?: Buffer; fingerprint?: boolean } = {}): Buffer {
  return encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: tid(), attributes },
    { ...(o.key && { integrityKey: o.key }), fingerprint: o.fingerprint ?? false });
}

describe('mux: targetUfrag (USERNAME without a full decode)', () => {
  it('reads the receiver ufrag, the part before the colon (RFC 8445 §7.2.2)', () => {
    expect(targetUfrag(check('srvA', { key: KEY }))).to.equal('srvA');
    expect(targetUfrag(check('x', { username: 'abcd:efgh:ijkl', key: KEY }))).to.equal('abcd');
    expect(targetUfrag(check('x', { username: 'abcd:', key: KEY }))).to.equal('abcd');
    const long = 'A'.repeat(256);
    expect(targetUfrag(check('x', { username: `${long}:b` }))).to.equal(long);
  });

  it('returns undefined for a USERNAME that cannot name an ICE ufrag', () => {
    for (const username of ['abcd', ':abcd', 'abc:defg', `${'A'.repeat(257)}:b`, 'ab-cd:efgh', 'abçd:efgh', 'ab d:x']) {
      expect(targetUfrag(check('x', { username, key: KEY })), username).to.equal(undefined);
    }
  });

  it('returns undefined without a USERNAME, or when it only follows MESSAGE-INTEGRITY or FINGERPRINT', () => {
    expect(targetUfrag(check('x', { username: null, key: KEY }))).to.equal(undefined);
    const signed = raw([{ type: 'PRIORITY', value: 1 }], { key: KEY });
    const after = Buffer.concat([signed, Buffer.from([0x00, 0x06, 0x00, 0x08, ...Buffer.from('abcd:efg'), ])]);
    after.writeUInt16BE(after.length - 20, 2);
    expect(decoderUfrag(after)).to.equal(undefined);
    expect(targetUfrag(after)).to.equal(undefined);
  });

  it('takes the first USERNAME, as getAttribute does', () => {
    const data = raw([{ type: 'USERNAME', value: 'firs:x' }, { type: 'USERNAME', value: 'second:x' }]);
    expect(targetUfrag(data)).to.equal('firs');
    expect(decoderUfrag(data)).to.equal('firs');
  });

  it('checks the header: Binding request, RFC 7983 first byte, cookie, length', () => {
    const good = check('srvA', { key: KEY });
    const variants: [string, (b: Buffer) => Buffer][] = [
      ['indication', (b) => { b[1] = 0x11; return b; }],
      ['success', (b) => { b[0] = 0x01; b[1] = 0x01; return b; }],
      ['Allocate', (b) => { b[1] = 0x03; return b; }],
      ['first byte 0x40', (b) => { b[0] = 0x40; return b; }],
      ['cookie', (b) => { b[4] = 0; return b; }],
      ['length + 4', (b) => { b.writeUInt16BE(b.length - 16, 2); return b; }],
      ['length not a multiple of 4', (b) => Buffer.concat([b, Buffer.from([0, 0])])],
      ['truncated', (b) => b.subarray(0, 19)],
    ];
    expect(targetUfrag(good)).to.equal('srvA');
    for (const [name, mutate] of variants) expect(targetUfrag(mutate(Buffer.from(good))), name).to.equal(undefined);
  });

  it('stops at an attribute that overruns the datagram', () => {
    const data = raw([{ type: 'PRIORITY', value: 1 }, { type: 'USERNAME', value: 'abcd:efgh' }]);
    data.writeUInt16BE(0x4000, 22); // PRIORITY claims 16 KiB
    expect(targetUfrag(data)).to.equal(undefined);
    const overrun = raw([{ type: 'USERNAME', value: 'abcd:efgh' }]);
    overrun.writeUInt16BE(13, 22); // USERNAME runs 1 byte past the end (its padding is 3 bytes, 9 → 12)
    expect(targetUfrag(overrun)).to.equal(undefined);
  });

  it('classifies headers like the full decoder', () => {
    expect(stunClassOf(check('srvA'))).to.equal('request');
    expect(stunClassOf(response(tid()))).to.equal('success');
    expect(stunClassOf(response(tid(), 'error'))).to.equal('error');
    expect(stunClassOf(Buffer.alloc(0))).to.equal(undefined);
  });

  it('never throws and agrees with lib/stun/decode.ts on 30 000 seeded mutations', () => {
    const seeds = [
      ...loadCaptures().map((c) => c.data),
      check('srvA', { key: KEY }), check('x', { username: 'abcd:efgh:ij', key: KEY }), check('x', { username: 'A'.repeat(250) + ':b' }),
      raw([{ type: 'SOFTWARE', value: 'x'.repeat(40) }, { type: 'USERNAME', value: 'user:peer' }, { type: 'PRIORITY', value: 9 }], { key: KEY, fingerprint: true }),
    ];
    const rng = new Rng(0x5eed14);
    let validRequests = 0;
    let agreedOnUfrag = 0;
    for (let i = 0; i < 30_000; i++) {
      const { data } = nextInput(rng, { seeds, signKeys: [KEY] });
      let ours: string | undefined;
      expect(() => { ours = targetUfrag(data); }, `input ${data.toString('hex')}`).not.to.throw();
      const decoded = decodeMessage(data);
      if (decoded.ok && isStunDatagram(data)) {
        // On every datagram the full decoder accepts, the two readers give the same answer.
        expect(ours, `input ${data.toString('hex')}`).to.equal(decoderUfrag(data));
        if (decoded.message.cls === 'request') validRequests++;
        if (ours !== undefined) agreedOnUfrag++;
      } else if (ours !== undefined) {
        // Leniency on bytes the decoder rejects is harmless (the agent decodes fully), but the
        // answer is still a well-formed ufrag read from a well-formed header.
        expect(isIceUfrag(ours)).to.equal(true);
        expect(stunClassOf(data)).to.equal('request');
      }
    }
    // The comparison is not vacuous: thousands of valid requests, many with a readable ufrag.
    expect(validRequests).to.be.greaterThan(3000);
    expect(agreedOnUfrag).to.be.greaterThan(2000);
  });
});
