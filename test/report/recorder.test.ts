// The recorder on real IceAgents driven by a virtual clock and an in-memory network:
// what it records, what it never records, and what it costs on the data path.
import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import { IceAgent } from '../../lib/ice-agent.js';
import { Recorder, recordAgent, type RecordableAgent } from '../../lib/report/recorder.js';
import { RECORD_FORMAT, RECORD_VERSION, type KnownEntry, type RecordEntry } from '../../lib/report/record.js';
import { readRecord } from '../../lib/report/read-record.js';
import { renderReport } from '../../lib/report/render.js';
import { sendFromStranger, virtualRun } from './support/virtual-run.js';

const known = <T extends KnownEntry['type']>(entries: readonly RecordEntry[], type: T, agent?: string): Extract<KnownEntry, { type: T }>[] =>
  entries.filter((e): e is Extract<KnownEntry, { type: T }> => e.type === type && (agent === undefined || e.agent === agent));

describe('report: recorder', function () {
  this.timeout(20000);

  it('records both agents of a run: candidates, pairs, every check and result, states, selection; plain JSON', async () => {
    const run = virtualRun({ nat: true });
    await run.connect();
    expect(run.a.iceState).to.equal('completed');
    const candidatesA = run.a.localCandidates.map((c) => `${c.type} ${c.address}:${c.port}`);
    const pairsA = run.a.getPairs().map((p) => p.id);
    const selectedA = run.a.getSelectedPair(1)!;
    const record = await run.close();

    expect(record).to.include({ format: RECORD_FORMAT, version: RECORD_VERSION, startedAt: '2024-01-01T00:00:00.000Z' });
    expect(record.agents.map((a) => a.label)).to.deep.equal(['A', 'B']);
    expect(record.agents[0]).to.include({ role: 'controlling', ufrag: run.a.localParameters.ufrag, components: 1, initialState: 'starting' });
    // Plain JSON: a round trip changes nothing (no bigint, no undefined, no Buffer).
    const text = JSON.stringify(record);
    expect(JSON.parse(text)).to.deep.equal(record);
    expect(text, 'passwords are never recorded').not.to.include(run.a.localParameters.pwd);
    expect(text).not.to.include(run.b.localParameters.pwd);

    const entries = record.entries;
    expect(known(entries, 'candidate', 'A').map((e) => `${e.candidate.type} ${e.candidate.address}:${e.candidate.port}`)).to.deep.equal(candidatesA);
    // Every pair the agent still has (pairs it pruned after completing were recorded too).
    expect([...new Set(known(entries, 'pair', 'A').map((e) => e.pair.id))]).to.include.members(pairsA).and.to.have.length.greaterThan(0);
    for (const [agent, label] of [[run.a, 'A'], [run.b, 'B']] as const) {
      const traced = run.traces.get(agent)!;
      expect(known(entries, 'check-sent', label)).to.have.length(traced.filter((e) => e.type === 'check-sent').length);
      expect(known(entries, 'check-result', label)).to.have.length(traced.filter((e) => e.type === 'check-result').length);
      expect(known(entries, 'pair', label)).to.have.length(traced.filter((e) => e.type === 'pair').length);
    }
    const states = known(entries, 'state', 'A').map((e) => e.state);
    expect(states).to.deep.equal(['checking', 'connected', 'completed', 'closed']);
    const selected = known(entries, 'selected-pair', 'A');
    expect(selected.at(-1)!.pair).to.include({ id: selectedA.id, priority: selectedA.priority.toString() });
    expect(known(entries, 'stun-result', 'A')[0]).to.deep.include({ server: { address: '198.18.0.1', port: 3478 }, mapped: { address: '203.0.113.10', port: 30000 } });
    // One time axis: virtual milliseconds, in order.
    const ts = entries.map((e) => e.t);
    expect(ts).to.deep.equal([...ts].sort((x, y) => x - y));
    const connected = known(entries, 'state', 'A').find((e) => e.state === 'connected')!;
    expect(Number.isInteger(connected.t), 'virtual time has whole milliseconds here').to.equal(true);
  });

  it('never listens to data, and stop() removes every listener it added (and only those)', async () => {
    const agent = new IceAgent();
    const recorded = ['statechange', 'componentstatechange', 'candidate', 'gatheringstatechange', 'selectedpairchange', 'rolechange', 'stunresult', 'warning', 'trace'] as const;
    const mine = (): void => undefined;
    agent.on('statechange', mine);
    const recorder = recordAgent(agent, { label: 'solo' });
    expect(agent.listenerCount('data'), 'nothing per datagram').to.equal(0);
    for (const n of recorded) expect(agent.listenerCount(n), n).to.be.at.least(1);
    recorder.stop();
    for (const n of recorded) expect(agent.listenerCount(n), n).to.equal(n === 'statechange' ? 1 : 0);
    recorder.stop(); // idempotent
    await agent.close();
  });

  it('samples the drop counters at recorded events, not per datagram', async () => {
    const run = virtualRun();
    await run.connect();
    const host = run.a.localCandidates.find((c) => c.type === 'host')!;
    const entriesBefore = run.recorder.record().entries.length;
    // Five datagrams from a stranger: application data from an unproven source, dropped and counted.
    await sendFromStranger(run.net, host.base, Buffer.from('not from the peer'), 5);
    await run.clock.advance(20);
    expect(run.a.drops.unprovenData).to.equal(5);
    const record = await run.close();
    const drops = known(record.entries, 'drops', 'A');
    expect(drops, 'one sample, taken at the next recorded event (closing)').to.have.length(1);
    expect(drops[0]!.counters['unprovenData']).to.equal(5);
    expect(record.entries.length).to.be.greaterThan(entriesBefore);
  });

  it('records from anything with on/off: unknown trace kinds are kept (bigints as strings) and the renderer counts them', () => {
    const fake = new EventEmitter() as EventEmitter & RecordableAgent;
    let now = 100;
    const recorder = recordAgent(fake, { clock: { now: () => now }, label: 'lite' });
    now = 112.5;
    fake.emit('trace', { type: 'turn-allocate', lifetime: 600n, server: { address: '192.0.2.1', port: 3478 } });
    fake.emit('statechange', 'checking', 'starting', 'remote candidate added');
    const record = recorder.record();
    expect(record.entries[0]).to.deep.equal({ t: 12.5, agent: 'lite', type: 'turn-allocate', lifetime: '600', server: { address: '192.0.2.1', port: 3478 } });
    const html = renderReport(JSON.parse(JSON.stringify(record)));
    expect(html).to.include('turn-allocate (1)');
    expect(html).to.include('data-kind="icestate"');
  });

  it('keeps its bound: check entries stop first, state changes keep a reserve, and the record says so', async () => {
    const run = virtualRun({ maxEntries: 5 });
    await run.connect();
    const record = await run.close();
    const bulk = record.entries.filter((e) => ['check-sent', 'check-result', 'pair', 'drops'].includes(e.type));
    expect(record.entries.length).to.be.at.most(5 + 10_000);
    expect(bulk.length).to.be.at.most(5);
    expect(record.truncated?.droppedEntries).to.be.greaterThan(0);
    expect(known(record.entries, 'state', 'A').map((e) => e.state)).to.include('completed');
    expect(renderReport(record)).to.include('hit its size bound');
  });

  it('labels are unique, options lose anything that looks like a secret, and a stopped recorder takes no agent', async () => {
    const recorder = new Recorder({ options: { pwd: 'x', password: 'y', turnSecret: 'z', stunServers: ['192.0.2.1:3478'], components: 2 } });
    const a1 = new IceAgent();
    const a2 = new IceAgent();
    expect(recorder.add(a1, { label: 'A' })).to.equal('A');
    expect(recorder.add(a2, { label: 'A' })).to.equal('A2');
    expect(() => recorder.add(a1)).to.throw().with.property('code', 'ERR_INVALID_ARGUMENT');
    recorder.stop();
    expect(() => recorder.add(new IceAgent())).to.throw().with.property('code', 'ERR_INVALID_STATE');
    expect(readRecord(JSON.stringify(recorder.record())).run.options).to.deep.equal({ stunServers: ['192.0.2.1:3478'], components: 2 });
    await Promise.all([a1.close(), a2.close()]);
  });
});
