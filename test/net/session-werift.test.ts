// Interop with werift-ice 0.2.3 (an independent TypeScript ICE agent) in the same process, loopback only.
import { expect } from 'chai';
import { Candidate as WeriftCandidate, Connection } from 'werift-ice';
import { IceAgent } from '../../lib/ice-agent.js';
import type { IceRole } from '../../lib/ice/config.js';
import type { IceState } from '../../lib/ice/ice-state.js';
import { baselineResourceCounts, settledResourceCounts } from '../support/resources.js';
import { nextData, until } from '../support/waits.js';
import { isLoopbackDestination as isLoopback, loopbackEgressOnly } from '../support/egress-guard.js';

/**
 * A werift agent that can only touch 127.0.0.1: no host address from the OS table
 * (useIpv4/useIpv6 false), loopback added explicitly and bound through
 * interfaceAddresses, and its built-in public STUN default (stun.l.google.com)
 * removed. Its constructor replaces an undefined `stunServer` option with that
 * default, so the field is cleared after construction, before anything is sent.
 */
function loopbackWerift(controlling: boolean): Connection {
  const w = new Connection(controlling, {
    useIpv4: false,
    useIpv6: false,
    useTcp: false,
    additionalHostAddresses: ['127.0.0.1'],
    interfaceAddresses: { udp4: '127.0.0.1' },
  });
  (w as { stunServer?: unknown }).stunServer = undefined;
  return w;
}

interface Run {
  ours: IceAgent;
  werift: Connection;
  ourStates: IceState[];
  weriftStates: string[];
  weriftConnect: Promise<void>;
}

/** Signalling both ways; werift's candidates are checked and only loopback ones reach our agent. */
async function start(ourRole: IceRole, weriftControlling: boolean): Promise<Run> {
  const werift = loopbackWerift(weriftControlling);
  expect(werift.stunServer, 'werift must not use its public STUN default').to.equal(undefined);
  expect(werift.turnServer).to.equal(undefined);
  const ours = new IceAgent({ addresses: ['127.0.0.1'], role: ourRole });
  const ourStates: IceState[] = [ours.iceState];
  const weriftStates: string[] = [];
  ours.on('statechange', (s) => ourStates.push(s));
  werift.stateChanged.subscribe((s) => weriftStates.push(s));
  ours.on('warning', (w) => {
    throw new Error(`unexpected warning ${w.code}: ${w.message}`);
  });

  // Our candidate lines carry "candidate:"; werift's grammar starts at the foundation.
  ours.on('candidate', (_c, sdp) => void werift.addRemoteCandidate(WeriftCandidate.fromSdp(sdp.replace(/^candidate:/, ''))));
  ours.on('endofcandidates', () => void werift.addRemoteCandidate(undefined));
  ours.setRemoteParameters({ ufrag: werift.localUsername, pwd: werift.localPassword });
  werift.setRemoteParams({ iceLite: false, usernameFragment: ours.localParameters.ufrag, password: ours.localParameters.pwd });

  await Promise.all([ours.gather(), werift.gatherCandidates()]);
  expect(werift.localCandidates.length).to.be.greaterThan(0);
  for (const c of werift.localCandidates) {
    expect(c.host, `werift candidate ${c.toSdp()}`).to.satisfy(isLoopback);
    expect(c.type).to.equal('host');
    expect(c.transport).to.equal('udp');
  }
  for (const c of werift.localCandidates) if (isLoopback(c.host)) ours.addRemoteCandidate(`candidate:${c.toSdp()}`);
  ours.addRemoteCandidate(null);
  const weriftConnect = werift.connect();
  weriftConnect.catch(() => undefined); // awaited by the test; never an unhandled rejection
  return { ours, werift, ourStates, weriftStates, weriftConnect };
}

async function exchangeData(run: Run): Promise<void> {
  const { ours, werift } = run;
  // werift -> ours
  for (let i = 0; i < 3; i++) {
    const payload = Buffer.from(`from werift #${i}`);
    const got = nextData(ours, 1);
    await werift.send(payload);
    const { data, from } = await got;
    expect(data.equals(payload)).to.equal(true);
    expect(from.port).to.equal(ours.getSelectedPair(1)!.remote.port);
  }
  // ours -> werift
  for (let i = 0; i < 3; i++) {
    const payload = Buffer.from(`from ice-agent #${i}`);
    const got = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('werift received nothing in 2 s')), 2000);
      const sub = werift.onData.subscribe((d) => {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve(d);
      });
    });
    ours.send(1, payload);
    expect((await got).equals(payload)).to.equal(true);
  }
}

function sameSelectedPair(run: Run): boolean {
  const ours = run.ours.getSelectedPair(1);
  const theirs = run.werift.nominated;
  return ours !== undefined && theirs !== undefined && theirs.localCandidate.port === ours.remote.port && theirs.remoteCandidate.port === ours.local.port;
}

function expectSelectedMatches(run: Run): void {
  const { ours, werift } = run;
  const pair = ours.getSelectedPair(1);
  expect(pair).to.not.equal(undefined);
  expect(pair!.local.type).to.equal('host');
  expect(pair!.remote.type).to.equal('host');
  expect(pair!.local.address).to.equal('127.0.0.1');
  expect(pair!.remote.address).to.equal('127.0.0.1');
  expect(pair!.nominated).to.equal(true);
  const theirs = werift.nominated;
  expect(theirs, 'werift nominated pair').to.not.equal(undefined);
  expect(theirs!.localCandidate.port).to.equal(pair!.remote.port);
  expect(theirs!.remoteCandidate.port).to.equal(pair!.local.port);
}

async function finish(run: Run): Promise<void> {
  await Promise.all([run.ours.close(), run.werift.close()]);
  expect(run.ours.iceState).to.equal('closed');
  expect(run.werift.state).to.equal('closed');
  // werift only ever asks mDNS about remote ".local" candidates: none were sent.
  expect(run.werift.lookup).to.equal(undefined);
}

describe('session: interop with werift-ice', function () {
  this.timeout(20000);
  loopbackEgressOnly();

  it('ours controlling, werift controlled: connected, same selected pair, data both ways', async () => {
    const baseline = await baselineResourceCounts();
    const run = await start('controlling', false);
    try {
      await run.ours.waitFor(['completed'], 5000);
      await run.weriftConnect;
      expect(run.ours.role).to.equal('controlling');
      expect(run.werift.iceControlling).to.equal(false);
      expect(run.ourStates).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
      expect(run.weriftStates).to.include('connected');
      expectSelectedMatches(run);
      await exchangeData(run);
      expect(run.ours.drops).to.include({ malformed: 0, unauthenticated: 0, unprovenData: 0 });
    } finally {
      await finish(run);
    }
    const after = await settledResourceCounts(baseline);
    expect(after.UDPWrap).to.be.at.most(baseline.UDPWrap);
  });

  it('ours controlled, werift controlling (aggressive nomination): connected, same selected pair, data both ways', async () => {
    const baseline = await baselineResourceCounts();
    const run = await start('controlled', true);
    try {
      await run.ours.waitFor(['completed'], 5000);
      await run.weriftConnect;
      expect(run.ours.role).to.equal('controlled');
      expect(run.werift.iceControlling).to.equal(true);
      expect(run.ourStates).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
      expectSelectedMatches(run);
      await exchangeData(run);
      expect(run.ours.drops).to.include({ malformed: 0, unauthenticated: 0, unprovenData: 0 });
    } finally {
      await finish(run);
    }
    const after = await settledResourceCounts(baseline);
    expect(after.UDPWrap).to.be.at.most(baseline.UDPWrap);
  });

  for (const [ourRole, weriftControlling] of [['controlling', true], ['controlled', false]] as const) {
    it(`role conflict (both ${ourRole}): resolved by tie-breaker, one side switches, data flows`, async () => {
      const run = await start(ourRole, weriftControlling);
      try {
        await run.ours.waitFor(['connected', 'completed'], 8000);
        await run.weriftConnect;
        // Exactly one controlling agent afterwards.
        expect(run.ours.role === 'controlling').to.not.equal(run.werift.iceControlling);
        expect(run.ours.getSelectedPair(1)).to.not.equal(undefined);
        // Data goes over the pair both sides settled on: wait until they agree on it.
        await until(() => sameSelectedPair(run), 'both sides to select the same pair', 10_000,
          () => `ours ${JSON.stringify(run.ours.getSelectedPair(1))}, werift ${JSON.stringify(run.werift.nominated?.toJSON())}`);
        await exchangeData(run);
      } finally {
        await finish(run);
      }
    });
  }
});
