// Gathering by the Node driver against STUN servers on loopback (never a public server).
import { expect } from 'chai';
import * as os from 'node:os';
import { IceAgent, type IceWarning } from '../../lib/ice-agent.js';
import type { LocalCandidate } from '../../lib/ice/candidate-types.js';
import type { LookupFn } from '../../lib/net/stun-server-spec.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { baselineResourceCounts, settledResourceCounts } from '../support/resources.js';
import { loopbackEgressOnly } from '../support/egress-guard.js';
import { recordingScheduler, type RecordingScheduler } from '../support/recording-scheduler.js';
import { until } from '../support/waits.js';
import { startBindingResponder, startNodeStun, startSilentServer, type LocalStunServer } from '../support/stun-servers.js';

type StunResult = { server: TransportAddress; base: TransportAddress; mapped?: TransportAddress; error?: string };

/** Gathers with `options` (always restricted to loopback) and records what the agent reported. */
async function gatherWith(options: ConstructorParameters<typeof IceAgent>[0]) {
  const agent = new IceAgent({ addresses: ['127.0.0.1'], ...options });
  const candidates: LocalCandidate[] = [];
  const sdp: string[] = [];
  const results: StunResult[] = [];
  const warnings: IceWarning[] = [];
  const gathering: string[] = [];
  let endOfCandidates = 0;
  agent.on('candidate', (c, line) => {
    candidates.push(c);
    sdp.push(line);
  });
  agent.on('stunresult', (r) => results.push(r));
  agent.on('warning', (w) => warnings.push(w));
  agent.on('gatheringstatechange', (s) => gathering.push(s));
  agent.on('endofcandidates', () => endOfCandidates++);
  const t0 = performance.now();
  try {
    await agent.gather();
  } finally {
    await agent.close();
  }
  return { agent, candidates, sdp, results, warnings, gathering, endOfCandidates, elapsedMs: performance.now() - t0 };
}

/**
 * Gathering with { rtoMs: 50, maxRequests: 2, finalWaitFactor: 2 } held on nothing but that policy:
 * the timers the agent ran asked for 50 ms (the retransmission) and 100 ms (the final wait) at
 * most, 150 ms in all. (How long that took on this machine is not the agent's doing.)
 */
function expectWaitedOnlyForRetransmissions(scheduler: RecordingScheduler): void {
  for (const f of scheduler.fired) expect(f.at - f.armedAt, 'one timer').to.be.at.most(100);
  expect(scheduler.askedToWaitMs(), 'all timers').to.be.at.most(150);
}

function expectSrflxOfHost(candidates: readonly LocalCandidate[], server: LocalStunServer): void {
  const hosts = candidates.filter((c) => c.type === 'host');
  const srflx = candidates.filter((c) => c.type === 'srflx');
  expect(hosts.length).to.be.greaterThan(0);
  // No NAT on loopback: one srflx per host socket, reported with the host as base and related address.
  expect(srflx.length).to.equal(hosts.length);
  for (const s of srflx) {
    const host = hosts.find((h) => h.address === s.base.address && h.port === s.base.port);
    expect(host, `srflx ${s.address}:${s.port} has the base of a host candidate`).to.not.equal(undefined);
    expect(s.component).to.equal(host!.component);
    expect({ address: s.address, port: s.port }).to.deep.equal({ address: host!.address, port: host!.port });
    expect(s.relatedAddress).to.equal(host!.address);
    expect(s.relatedPort).to.equal(host!.port);
    expect(s.priority).to.be.lessThan(host!.priority);
    expect(s.foundation).to.not.equal(host!.foundation);
  }
  expect(server.received()).to.be.at.least(hosts.length);
}

describe('session: gathering', function () {
  this.timeout(10000);
  loopbackEgressOnly();
  const servers: LocalStunServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('node-stun (RFC 3489, MAPPED-ADDRESS only): srflx with the host as base and related address', async () => {
    const baseline = await baselineResourceCounts();
    const server = await startNodeStun();
    servers.push(server);
    const r = await gatherWith({ stunServers: [`${server.host}:${server.port}`], components: 2 });
    expect(r.warnings).to.deep.equal([]);
    expect(r.gathering).to.deep.equal(['gathering', 'complete']);
    expect(r.endOfCandidates).to.equal(1);
    expectSrflxOfHost(r.candidates, server);
    expect(r.results).to.have.length(2);
    for (const res of r.results) {
      expect(res.error).to.equal(undefined);
      expect(res.server).to.deep.equal({ address: '127.0.0.1', port: server.port, family: 4 });
      expect(res.mapped).to.deep.equal(res.base);
    }
    expect(r.sdp.some((l) => / typ srflx raddr 127\.0\.0\.1 rport \d+/.test(l))).to.equal(true);
    await server.close();
    servers.length = 0;
    const after = await settledResourceCounts(baseline);
    expect(after.UDPWrap).to.be.at.most(baseline.UDPWrap);
  });

  it('our Binding responder (XOR-MAPPED-ADDRESS): srflx and one stunresult per host socket', async () => {
    const server = await startBindingResponder();
    servers.push(server);
    const r = await gatherWith({ stunServers: [`stun:${server.host}:${server.port}`] });
    expect(r.warnings).to.deep.equal([]);
    expectSrflxOfHost(r.candidates, server);
    const host = r.candidates.find((c) => c.type === 'host')!;
    expect(r.results).to.have.length(1);
    expect(r.results[0]).to.deep.include({
      server: { address: '127.0.0.1', port: server.port, family: 4 },
      base: host.base,
      mapped: { address: host.address, port: host.port, family: 4 },
    });
    expect(r.results[0]!.error).to.equal(undefined);
    // Host first, then its srflx: the order a peer would see them trickled.
    expect(r.candidates.map((c) => c.type)).to.deep.equal(['host', 'srflx']);
  });

  it('a server name is resolved through the injected lookup (no DNS traffic)', async () => {
    const server = await startBindingResponder();
    servers.push(server);
    const asked: string[] = [];
    const lookup: LookupFn = async (hostname) => {
      asked.push(hostname);
      return { address: '127.0.0.1', family: 4 };
    };
    const r = await gatherWith({ stunServers: [`stun.test:${server.port}`], lookup });
    expect(asked).to.deep.equal(['stun.test']);
    expect(r.warnings).to.deep.equal([]);
    expectSrflxOfHost(r.candidates, server);
  });

  it('an unresponsive server holds gathering only for its retransmission bound', async () => {
    const server = await startSilentServer();
    servers.push(server);
    // Requests at 0 and 50 ms, then 2 x 50 ms of final wait: 'no response' at ~150 ms.
    const scheduler = recordingScheduler();
    const r = await gatherWith({
      stunServers: [`127.0.0.1:${server.port}`],
      timers: { gatherRetransmit: { rtoMs: 50, maxRequests: 2, finalWaitFactor: 2 } },
      scheduler,
    });
    expectWaitedOnlyForRetransmissions(scheduler);
    expect(r.elapsedMs).to.be.at.least(100); // it did wait (allowing for timer granularity)
    expect(r.gathering).to.deep.equal(['gathering', 'complete']);
    expect(r.candidates.map((c) => c.type)).to.deep.equal(['host']);
    expect(r.results).to.have.length(1);
    expect(r.results[0]!.error).to.equal('no response');
    expect(r.results[0]!.mapped).to.equal(undefined);
    await until(() => server.received() >= 2, 'both requests at the server');
    expect(server.received()).to.equal(2); // maxRequests, no more
  });

  it('a silent server next to a working one: the srflx arrives, the dead one times out', async () => {
    const good = await startBindingResponder();
    const dead = await startSilentServer();
    servers.push(good, dead);
    const scheduler = recordingScheduler();
    const r = await gatherWith({
      stunServers: [`127.0.0.1:${dead.port}`, `127.0.0.1:${good.port}`],
      timers: { gatherRetransmit: { rtoMs: 50, maxRequests: 2, finalWaitFactor: 2 } },
      scheduler,
    });
    expectWaitedOnlyForRetransmissions(scheduler);
    expectSrflxOfHost(r.candidates, good);
    expect(r.results.map((x) => [x.server.port, x.error ?? 'ok'])).to.have.deep.members([
      [good.port, 'ok'],
      [dead.port, 'no response'],
    ]);
  });

  it('an unresolvable server name: a warning, and gathering still completes', async () => {
    const lookup: LookupFn = async (hostname) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const r = await gatherWith({ stunServers: ['stun.example.invalid:3478'], lookup });
    expect(r.warnings).to.have.length(1);
    expect(r.warnings[0]!.code).to.equal('ERR_STUN_SERVER');
    expect(r.warnings[0]!.message).to.match(/stun\.example\.invalid.*ENOTFOUND/);
    expect(r.gathering).to.deep.equal(['gathering', 'complete']);
    expect(r.candidates.map((c) => c.type)).to.deep.equal(['host']);
    expect(r.results).to.deep.equal([]);
  });

  for (const spec of ['127.0.0.1:99999', 'turn:127.0.0.1:3478', '[::1', '[::1]:0', 'bad host!', '', 'stun:']) {
    it(`a bad server spec ${JSON.stringify(spec)} throws ERR_INVALID_ARGUMENT from the constructor`, () => {
      let thrown: unknown;
      try {
        new IceAgent({ addresses: ['127.0.0.1'], stunServers: [spec] });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).to.be.instanceOf(IceError);
      expect((thrown as IceError).code).to.equal('ERR_INVALID_ARGUMENT');
    });
  }

  it('portRange is honoured for every host socket', async () => {
    const min = 40000 + Math.floor(Math.random() * 20000);
    const range = { min, max: min + 19 };
    const r = await gatherWith({ portRange: range, components: 3 });
    expect(r.warnings).to.deep.equal([]);
    expect(r.candidates).to.have.length(3);
    for (const c of r.candidates) {
      expect(c.port).to.be.within(range.min, range.max);
      expect(c.base.port).to.equal(c.port);
    }
    expect(new Set(r.candidates.map((c) => c.port)).size).to.equal(3);
  });

  it('a port range too small for the sockets: a warning per failed bind, gathering completes with what bound', async () => {
    const min = 40000 + Math.floor(Math.random() * 20000);
    const r = await gatherWith({ portRange: { min, max: min }, components: 2 });
    expect(r.gathering).to.deep.equal(['gathering', 'complete']);
    // One socket gets the port (unless something else holds it), the other cannot.
    expect(r.candidates.length).to.be.at.most(1);
    expect(r.warnings.length).to.equal(2 - r.candidates.length);
    for (const w of r.warnings) expect(w.code).to.equal('ERR_SOCKET');
  });

  it('no address passes the interface filter: a warning per unmatched value, ERR_NO_ADDRESS, gathering completes empty', async () => {
    // 127.0.0.1 is named, but only an interface that does not exist is allowed.
    const r = await gatherWith({ interfaces: ['no-such-if0'], stunServers: ['127.0.0.1:3478'] });
    expect(r.warnings.map((w) => w.code)).to.deep.equal(['ERR_FILTER_UNMATCHED', 'ERR_FILTER_UNMATCHED', 'ERR_NO_ADDRESS']);
    expect(r.warnings[0]!.message).to.match(/^interfaces entry "no-such-if0" matched nothing: no such interface; this machine has .*127\.0\.0\.1/);
    expect(r.warnings[1]!.message).to.match(/^addresses entry "127\.0\.0\.1" matched nothing: left out: 127\.0\.0\.1 \(its interface \S+ is not in interfaces\)/);
    expect(r.gathering).to.deep.equal(['gathering', 'complete']);
    expect(r.endOfCandidates).to.equal(1);
    expect(r.candidates).to.deep.equal([]);
    expect(r.agent.localCandidates).to.deep.equal([]);
    expect(r.results).to.deep.equal([]);
  });

  it("interfaces: [the loopback interface's name] gathers loopback without includeLoopback", async function () {
    const lo = Object.entries(os.networkInterfaces()).find(([, infos]) => infos?.some((i) => i.address === '127.0.0.1'))?.[0];
    if (lo === undefined) return this.skip();
    const agent = new IceAgent({ interfaces: [lo], ipv6: false });
    try {
      await agent.gather();
      expect(agent.localCandidates.map((c) => c.address)).to.include('127.0.0.1');
      for (const c of agent.localCandidates) expect(c.address).to.match(/^127\./);
    } finally {
      await agent.close();
    }
  });
});
