/**
 * No amplification: an answer to an unauthenticated request is never larger than
 * the request (RFC 8445 §7.3 / RFC 8489 §6.3 error responses carry ERROR-CODE and
 * FINGERPRINT, which can exceed a tiny request). Real socket, many request shapes.
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { IceAgent } from '../../lib/ice-agent.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { shortTermKey, verifyIntegrity } from '../../lib/stun/integrity.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import type { StunAttribute } from '../../lib/stun/types.js';
import { Rng, nextInput } from '../fuzz/mutator.js';
import { loadCaptures } from '../fuzz/captures.js';
import { chromeCheck } from '../support/chrome-check.js';
import { closeSocket, bindUdp } from '../support/udp.js';
import { connectedPair, hostOf } from '../support/loopback-agents.js';
import { isProbeAnswer, roundTrip } from '../support/attacker.js';

describe('security: no amplification', function () {
  this.timeout(30_000);
  let a: IceAgent;
  let b: IceAgent;
  let attacker: Socket;
  const answers = new Map<string, Buffer[]>();

  before(async () => {
    ({ a, b } = await connectedPair());
    attacker = await bindUdp();
    attacker.on('message', (m) => {
      if (isProbeAnswer(m)) return; // the round trips' own answers (signed: b knows who asked)
      const r = decodeMessage(m);
      const key = r.ok ? r.message.transactionId.toString('hex') : 'undecodable';
      answers.set(key, [...(answers.get(key) ?? []), m]);
    });
  });
  after(async () => {
    await closeSocket(attacker);
    await a.close();
    await b.close();
  });

  function requests(): Buffer[] {
    const ufrag = b.localParameters.ufrag;
    const peer = a.localParameters.ufrag;
    const out: Buffer[] = [];
    const plain = (attributes: StunAttribute[], fingerprint = true, key?: Buffer): Buffer =>
      encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: randomBytes(12), attributes }, { fingerprint, ...(key && { integrityKey: key }) });
    out.push(plain([])); // 28 bytes: header + FINGERPRINT, no USERNAME -> 400 would be 48
    out.push(plain([{ type: 'USERNAME', value: 'a:b' }])); // unknown ufrag -> 401
    out.push(plain([{ type: 'USERNAME', value: `${ufrag}:${peer}` }])); // no MI -> 400
    out.push(plain([{ type: 'USERNAME', value: `${ufrag}:${peer}` }], true, randomBytes(20))); // wrong key -> 401
    out.push(plain([{ type: 'USERNAME', value: 'x'.repeat(200) }], true, randomBytes(20)));
    out.push(plain([{ type: 'unknown', code: 0x7f00, value: Buffer.alloc(0) }])); // unknown required, unauthenticated
    out.push(chromeCheck({ username: `${ufrag}:${peer}`, pwd: 'wrongpasswordwrongpassword' }));
    out.push(chromeCheck({ username: `${ufrag}:${peer}` }));
    // And 3,000 mutations of captured checks with a repaired FINGERPRINT, none signed with b's key.
    const rng = new Rng(0xa3f1);
    const seeds = loadCaptures().map((c) => c.data);
    for (let i = 0; i < 3000; i++) {
      const input = nextInput(rng, { seeds, signKeys: [randomBytes(20)] });
      const r = decodeMessage(input.data);
      if (r.ok && r.message.cls === 'request') out.push(input.data);
    }
    return out;
  }

  it('answers to unauthenticated requests are never larger than the request', async () => {
    const reqs = requests();
    const byTid = new Map<string, Buffer>();
    for (const [i, req] of reqs.entries()) {
      const r = decodeMessage(req);
      if (r.ok) byTid.set(r.message.transactionId.toString('hex'), req);
      attacker.send(req, hostOf(b).port, '127.0.0.1');
      // Flow control, and at the end the proof that b has handled (and answered) every request.
      if (i % 64 === 63 || i === reqs.length - 1) await roundTrip(attacker, b);
    }
    let checked = 0;
    let authenticated = 0;
    const key = shortTermKey(b.localParameters.pwd);
    for (const [tid, list] of answers) {
      const req = byTid.get(tid);
      expect(req, `an answer to something we sent (${tid})`).to.not.equal(undefined);
      for (const ans of list) {
        const m = decodeMessage(ans);
        expect(m.ok).to.equal(true);
        if (m.ok && m.message.integrityOffset !== undefined && verifyIntegrity(ans, m.message, key)) {
          authenticated++;
          continue;
        }
        checked++;
        expect(ans.length, `answer of ${ans.length} bytes to a ${req!.length}-byte request ${req!.toString('hex')}`).to.be.at.most(req!.length);
      }
    }
    expect(authenticated, 'nothing here carries b\'s password').to.equal(0);
    // Some small error responses do go out (401 for a check that is big enough): the rule was exercised.
    expect(checked).to.be.greaterThan(0);
    expect(b.iceState).to.be.oneOf(['connected', 'completed']);
  });
});
