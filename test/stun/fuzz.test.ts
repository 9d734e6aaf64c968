import { expect } from 'chai';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import { verifyIntegrity, verifyIntegritySha256 } from '../../lib/stun/integrity.js';
import { isStunDatagram, looksLikeClassicStun } from '../../lib/stun/demux.js';
import { bindingResponse } from '../../lib/stun/binding-responder.js';
import type { StunDecodeFailure } from '../../lib/stun/types.js';
import { seededRandom } from '../../lib/util/random.js';
import { fixture, hex } from './helpers.js';

/** Seeded byte pool reader (deterministic: same seed, same 100k inputs). */
function makeRng(seed: number): { int(n: number): number; bytes(n: number): Buffer } {
  const src = seededRandom(seed);
  const pool = Buffer.alloc(1 << 16);
  let at = pool.length;
  const byte = (): number => {
    if (at >= pool.length) { src.fill(pool); at = 0; }
    return pool[at++]!;
  };
  return {
    int: (n) => (((byte() << 16) | (byte() << 8) | byte()) % n),
    bytes: (n) => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = byte(); return b; },
  };
}

describe('stun: decoder fuzzing', function () {
  this.timeout(20000);

  it('never throws on 120,000 mutated and random datagrams (seeded)', () => {
    const key = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt');
    const tid = hex('000102030405060708090a0b');
    const seeds: Buffer[] = [
      fixture('rfc5769-request.bin'), fixture('rfc5769-response-ipv4.bin'),
      fixture('rfc5769-response-ipv6.bin'), fixture('rfc5769-request-long-term.bin'),
      encodeMessage({
        method: 1, cls: 'request', transactionId: tid, attributes: [
          { type: 'USERNAME', value: 'a:b' }, { type: 'unknown', code: 0xc057, value: hex('000003e7') },
          { type: 'ICE-CONTROLLING', value: 1n }, { type: 'USE-CANDIDATE' }, { type: 'PRIORITY', value: 1 },
          { type: 'ERROR-CODE', value: { code: 420, reason: 'x' } }, { type: 'UNKNOWN-ATTRIBUTES', value: [1, 2, 3] },
          { type: 'XOR-PEER-ADDRESS', value: { address: '::1', port: 1, family: 6 } },
        ],
      }, { integrityKey: key, integritySha256Key: key, fingerprint: true }),
      encodeMessage({ method: 1, cls: 'success', transactionId: tid, attributes: [
        { type: 'MAPPED-ADDRESS', value: { address: '127.0.0.1', port: 1, family: 4 } },
        { type: 'SOURCE-ADDRESS', value: { address: '127.0.0.1', port: 2, family: 4 } },
      ] }, { classicTransactionId: hex('ffeeddccbbaa99887766554433221100') }),
    ];
    const rng = makeRng(0x5eed);
    const reasons = new Map<StunDecodeFailure | 'ok', number>();
    const N = 120_000;
    for (let i = 0; i < N; i++) {
      let buf: Buffer;
      const seed = seeds[rng.int(seeds.length)]!;
      switch (i % 5) {
        case 0: // pure noise, any length
          buf = rng.bytes(rng.int(140));
          break;
        case 1: { // valid header, random TLV soup of consistent length
          const body = rng.bytes(4 * rng.int(24));
          buf = Buffer.concat([hex('0001'), Buffer.from([body.length >> 8, body.length & 0xff]), hex('2112a442'), tid, body]);
          break;
        }
        case 2: // truncated seed
          buf = Buffer.from(seed.subarray(0, rng.int(seed.length + 1)));
          break;
        default: { // bit flips / byte stores, length field kept consistent half of the time
          buf = Buffer.from(seed);
          const flips = 1 + rng.int(4);
          for (let k = 0; k < flips; k++) {
            const at = rng.int(buf.length);
            buf[at] = rng.int(2) === 0 ? buf[at]! ^ (1 << rng.int(8)) : rng.int(256);
          }
          if (rng.int(2) === 0) buf.writeUInt16BE(buf.length - 20, 2);
        }
      }
      const r = decodeMessage(buf);
      reasons.set(r.ok ? 'ok' : r.reason, (reasons.get(r.ok ? 'ok' : r.reason) ?? 0) + 1);
      isStunDatagram(buf);
      looksLikeClassicStun(buf);
      if (r.ok) {
        verifyIntegrity(buf, r.message, key);
        verifyIntegritySha256(buf, r.message, key);
        getAttribute(r.message, 'XOR-MAPPED-ADDRESS');
        try {
          bindingResponse(r.message, { address: '127.0.0.1', port: 5, family: 4 });
        } catch (e) {
          // Echoing a decoded request must always be encodable.
          expect.fail(`bindingResponse threw on input ${buf.toString('hex')}: ${String(e)}`);
        }
      }
    }
    // The corpus must actually reach deep into the decoder, not stop at the header.
    for (const reason of ['ok', 'bad-attribute', 'attribute-overrun', 'fingerprint-mismatch', 'too-short', 'bad-length'] as const) {
      expect(reasons.get(reason) ?? 0, reason).to.be.greaterThan(100);
    }
  });
});
