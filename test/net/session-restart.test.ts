// ICE restart signalling over real loopback sockets: the natural code (send params on restart,
// forward every candidate as it comes) works whichever side restarts.
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import { nextData } from '../support/waits.js';

function agent(role: 'controlling' | 'controlled'): IceAgent {
  return new IceAgent({ addresses: ['127.0.0.1'], includeLoopback: true, role });
}

/** What an application writes: params whenever a generation starts, and every candidate event as it comes. */
function naturalSignalling(x: IceAgent, y: IceAgent): void {
  x.on('restart', (params) => y.setRemoteParameters(params));
  x.on('candidate', (_c, sdp) => y.addRemoteCandidate(sdp));
  x.on('endofcandidates', () => y.addRemoteCandidate(null));
  y.setRemoteParameters(x.localParameters);
}

/** The iceState values `x` goes through from now until `last` (bounded by `timeoutMs`). */
function statesUntil(x: IceAgent, last: string, timeoutMs = 5000): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${last} within ${timeoutMs} ms; saw ${seen.join(' ')}`)), timeoutMs);
    const on = (s: string): void => {
      seen.push(s);
      if (s === last) done();
    };
    const done = (err?: Error): void => {
      clearTimeout(timer);
      x.off('statechange', on);
      if (err) reject(err);
      else resolve(seen);
    };
    x.on('statechange', on);
  });
}

describe('IceAgent: ICE restart signalling', function () {
  this.timeout(20_000);
  let a: IceAgent;
  let b: IceAgent;
  beforeEach(() => {
    a = agent('controlling');
    b = agent('controlled');
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('restart() emits the new generation\'s candidates after it returns, tagged with the new ufrag', async () => {
    naturalSignalling(a, b);
    naturalSignalling(b, a);
    await Promise.all([a.gather(), b.gather()]);
    await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
    const seen: { sdp: string; ufrag: string }[] = [];
    a.on('candidate', (_c, sdp, ufrag) => seen.push({ sdp, ufrag }));
    const before = a.localParameters.ufrag;
    a.restart();
    const after = a.localParameters.ufrag;
    expect(after).to.not.equal(before);
    expect(seen, 'nothing inside the call').to.deep.equal([]);
    await Promise.resolve();
    expect(seen.length).to.be.greaterThan(0);
    for (const s of seen) {
      expect(s.ufrag).to.equal(after);
      expect(s.sdp).to.match(new RegExp(` ufrag ${after.replace(/[+/]/g, '\\$&')}$`));
    }
    await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
  });

  for (const restarter of ['controlling', 'controlled'] as const) {
    it(`both sides complete again after a restart by the ${restarter} side, twice, and data flows`, async () => {
      naturalSignalling(a, b);
      naturalSignalling(b, a);
      await Promise.all([a.gather(), b.gather()]);
      await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
      const [x, y] = restarter === 'controlling' ? [a, b] : [b, a];
      const peerRestarts: string[] = [];
      y.on('restart', (_p, by) => peerRestarts.push(by));
      for (let round = 1; round <= 2; round++) {
        const ufragY = y.localParameters.ufrag;
        const yWent = statesUntil(y, 'completed');
        const xWent = statesUntil(x, 'completed');
        x.restart();
        expect(await yWent, `round ${round}: the other side`).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
        expect(await xWent, `round ${round}: the restarting side`).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
        expect(y.localParameters.ufrag, 'the other side made new credentials').to.not.equal(ufragY);
      }
      expect(peerRestarts).to.deep.equal(['peer', 'peer']);
      const got = nextData(y, 1);
      x.send(1, Buffer.from('after two restarts'));
      expect(String((await got).data)).to.equal('after two restarts');
      expect(a.drops.staleCandidate + b.drops.staleCandidate).to.equal(0);
    });
  }
});
