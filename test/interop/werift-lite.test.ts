/**
 * ICE-lite interop with werift-ice 0.2.3 (an independent TypeScript agent), loopback only, one
 * component (werift has no second one):
 *  - werift full and controlling against our ICE-lite agent on an IceServer's shared port;
 *  - our full agent (alone, and on an IceServer) against werift's `iceLite` mode.
 */
import { expect } from 'chai';
import { Candidate as WeriftCandidate, Connection } from 'werift-ice';
import type { IceAgent } from '../../lib/ice-agent.js';
import type { IceState } from '../../lib/ice/ice-state.js';
import { IceServer } from '../../lib/server/index.js';
import { guardLoopbackEgress } from '../support/egress-guard.js';
import { nextData } from '../support/waits.js';
import { LOOPBACK, echo, loopbackClient } from '../server/support.js';

/** A werift agent that can only touch 127.0.0.1 (see test/net/session-werift.test.ts). */
function loopbackWerift(controlling: boolean, iceLite: boolean): Connection {
  const w = new Connection(controlling, {
    useIpv4: false, useIpv6: false, useTcp: false, iceLite,
    additionalHostAddresses: [LOOPBACK], interfaceAddresses: { udp4: LOOPBACK },
  });
  (w as { stunServer?: unknown }).stunServer = undefined;
  return w;
}

/** Signalling both ways; `ours` says `lite` in its parameters when it is lite. */
async function signal(ours: IceAgent, werift: Connection, weriftLite: boolean): Promise<void> {
  ours.on('candidate', (_c, sdp) => void werift.addRemoteCandidate(WeriftCandidate.fromSdp(sdp.replace(/^candidate:/, ''))));
  ours.on('endofcandidates', () => void werift.addRemoteCandidate(undefined));
  ours.setRemoteParameters({ ufrag: werift.localUsername, pwd: werift.localPassword, lite: weriftLite });
  werift.setRemoteParams({ iceLite: ours.localParameters.lite === true, usernameFragment: ours.localParameters.ufrag, password: ours.localParameters.pwd });
  await Promise.all([ours.gather(), werift.gatherCandidates()]);
  for (const c of werift.localCandidates) {
    expect(c.host).to.equal(LOOPBACK);
    ours.addRemoteCandidate(`candidate:${c.toSdp()}`);
  }
  ours.addRemoteCandidate(null);
}

async function dataBothWays(ours: IceAgent, werift: Connection): Promise<void> {
  const got = nextData(ours, 1);
  await werift.send(Buffer.from('from werift'));
  expect((await got).data.toString()).to.equal('from werift');
  const back = new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('werift received nothing in 3 s')), 3000);
    const sub = werift.onData.subscribe((d) => { clearTimeout(timer); sub.unSubscribe(); resolve(d); });
  });
  ours.send(1, Buffer.from('from ice-agent'));
  expect((await back).toString()).to.equal('from ice-agent');
}

describe('interop: ICE-lite with werift-ice (loopback)', function () {
  this.timeout(30_000);
  let egress: ReturnType<typeof guardLoopbackEgress>;
  before(() => (egress = guardLoopbackEgress()));
  after(() => expect(egress.restore(), 'datagrams addressed outside loopback').to.deep.equal([]));

  it('werift full (controlling) against our lite agent on a shared port: completed, werift nominates, data both ways', async () => {
    const server = await IceServer.listen({ address: LOOPBACK });
    const ours = server.createAgent();
    const werift = loopbackWerift(true, false);
    const states: IceState[] = [];
    ours.on('statechange', (s) => states.push(s));
    try {
      await signal(ours, werift, false);
      const connect = werift.connect();
      // werift nominates by regular nomination (a second check with USE-CANDIDATE on the valid pair).
      await ours.waitFor(['completed'], 20_000);
      await connect;
      expect(ours.role).to.equal('controlled');
      expect(werift.iceControlling).to.equal(true);
      expect(states).to.deep.equal(['checking', 'connected', 'completed']);
      expect(ours.getSelectedPair(1)!.nominated).to.equal(true);
      expect(ours.getSelectedPair(1)!.local.port).to.equal(server.localAddresses[0]!.port);
      await dataBothWays(ours, werift);
      expect(server.stats().sockets[0]!.silenced, 'nothing unauthenticated was answered').to.equal(0);
    } finally {
      await werift.close();
      await server.close();
    }
  });

  for (const where of ['alone', 'on a shared port'] as const) {
    it(`our full agent (${where}) against werift's iceLite: we control and nominate, completed, data both ways`, async () => {
      const server = where === 'alone' ? undefined : await IceServer.listen({ address: LOOPBACK, lite: false });
      const ours = server ? echo(server.createAgent()) : loopbackClient();
      const werift = loopbackWerift(false, true);
      try {
        expect(werift.iceLite).to.equal(true);
        await signal(ours, werift, true);
        expect(ours.role, 'a full agent facing a lite peer controls (RFC 8445 §6.1.1)').to.equal('controlling');
        const connect = werift.connect();
        await ours.waitFor(['completed'], 10_000);
        await connect;
        expect(werift.iceControlling).to.equal(false);
        expect(ours.getSelectedPair(1)!.nominated).to.equal(true);
        expect(werift.nominated, 'werift took our nomination').to.not.equal(undefined);
        expect(werift.nominated!.remoteCandidate.port).to.equal(ours.getSelectedPair(1)!.local.port);
        if (server) ours.removeAllListeners('data');
        await dataBothWays(ours, werift);
      } finally {
        await werift.close();
        await ours.close();
        await server?.close();
      }
    });
  }
});
