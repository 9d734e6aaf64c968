// The seed's iceState transitions (shared/seed/iceState.wiki.txt), end to end on real agents.
import { expect } from 'chai';
import type { IceState } from '../../lib/ice/ice-state.js';
import { Sim, connectPair, type SimAgent } from '../support/sim.js';
import { seededUnit } from '../support/random.js';

type StateEvent = { at: number; state: IceState; previous: IceState; reason: string };

function stateEvents(x: SimAgent): StateEvent[] {
  return x.events.flatMap((e) => (e.event.type === 'state' ? [{ at: e.at, state: e.event.state, previous: e.event.previous, reason: e.event.reason }] : []));
}

/** The aggregator's discipline on a real event stream: a chain from starting, no skipped steps. */
function expectDiscipline(x: SimAgent): void {
  const ev = stateEvents(x);
  let prev: IceState = 'starting';
  for (const e of ev) {
    expect(e.previous, `${x.name} chain`).to.equal(prev);
    expect(e.state).to.not.equal(e.previous);
    if (e.state === 'completed') expect(e.previous, `${x.name}: connected before completed`).to.equal('connected');
    if (e.state === 'failed') expect(['connected', 'completed'], `${x.name}: disconnected before failed`).to.not.include(e.previous);
    if (e.previous === 'closed') expect.fail(`${x.name}: event after closed`);
    prev = e.state;
  }
  expect(x.core.state).to.equal(prev);
}

type Net = { down: boolean };

function setup(opts: { end?: boolean; seedLoss?: number } = {}): { sim: Sim; a: SimAgent; b: SimAgent; net: Net } {
  const net: Net = { down: false };
  const rnd = opts.seedLoss === undefined ? undefined : seededUnit(opts.seedLoss);
  const sim = new Sim({ drop: () => net.down || (rnd !== undefined && rnd() < 0.3) });
  const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
  return { sim, a, b, net };
}

function signalBoth(sim: Sim, a: SimAgent, b: SimAgent, end = true): void {
  sim.signal(a, b, { endOfCandidates: end });
  sim.signal(b, a, { endOfCandidates: end });
}

const last = (x: SimAgent): StateEvent => stateEvents(x).at(-1)!;

describe('iceState transitions on real agents (seed)', () => {
  it('starting -> checking when remote candidates (and the password to check them) arrive', () => {
    const { sim, a, b } = setup();
    a.core.addRemoteCandidate(0, b.core.localCandidateList[0]!);
    sim.drain();
    expect(a.core.state, 'a candidate alone cannot be checked yet').to.equal('starting');
    expect(stateEvents(a)).to.deep.equal([]);
    const p = b.core.localParameters;
    a.core.setRemoteCredentials(0, p.ufrag, p.pwd);
    sim.drain();
    expect(a.core.state).to.equal('checking');
    expect(last(a)).to.deep.include({ previous: 'starting', state: 'checking' });
    expect(last(a).reason).to.match(/remote credentials/);
  });

  it('checking -> connected -> completed', () => {
    const { sim, a, b } = setup();
    signalBoth(sim, a, b);
    sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    for (const x of [a, b]) {
      expect(stateEvents(x).map((e) => [e.previous, e.state])).to.deep.equal([
        ['starting', 'checking'],
        ['checking', 'connected'],
        ['connected', 'completed'],
      ]);
      expectDiscipline(x);
    }
  });

  it('checking -> failed (gave up)', () => {
    const { sim, a, b, net } = setup();
    net.down = true;
    signalBoth(sim, a, b);
    sim.run(60_000, () => a.core.state === 'failed');
    expect(stateEvents(a).map((e) => e.state)).to.deep.equal(['checking', 'failed']);
    expect(last(a).previous).to.equal('checking');
    expectDiscipline(a);
  });

  it('completed -> disconnected -> connected (lost, then recovered connectivity)', () => {
    const { sim, a, b, net } = setup();
    signalBoth(sim, a, b);
    sim.run(10_000, () => a.core.state === 'completed' && b.core.state === 'completed');
    net.down = true;
    sim.run(sim.now + 20_000, () => a.core.state === 'disconnected');
    expect(last(a)).to.deep.include({ previous: 'completed', state: 'disconnected' });
    net.down = false;
    sim.run(sim.now + 10_000, () => a.core.state === 'completed');
    const tail = stateEvents(a).slice(-3).map((e) => [e.previous, e.state]);
    expect(tail).to.deep.equal([['completed', 'disconnected'], ['disconnected', 'connected'], ['connected', 'completed']]);
    expectDiscipline(a);
  });

  it('connected (not completed) -> disconnected -> failed: without end-of-candidates the agents stay connected, then lose consent', () => {
    const { sim, a, b, net } = setup();
    signalBoth(sim, a, b, false);
    sim.run(10_000, () => a.core.state === 'connected' && b.core.state === 'connected');
    net.down = true;
    sim.run(sim.now + 60_000, () => a.core.state === 'failed' && b.core.state === 'failed');
    for (const x of [a, b]) {
      expect(stateEvents(x).map((e) => e.state)).to.deep.equal(['checking', 'connected', 'disconnected', 'failed']);
      expectDiscipline(x);
    }
  });

  for (const from of ['checking', 'connected', 'completed', 'disconnected', 'failed'] as const) {
    it(`${from} -> starting on ICE restart`, () => {
      const { sim, a, b, net } = setup();
      if (from === 'failed') net.down = true;
      signalBoth(sim, a, b, from !== 'connected');
      if (from === 'disconnected') {
        sim.run(10_000, () => a.core.state === 'completed');
        net.down = true;
      }
      const reached = sim.run(60_000, () => a.core.state === from);
      expect(reached, `reach ${from}`).to.equal(true);
      a.core.restart(sim.now);
      sim.drain();
      expect(a.core.state).to.equal('starting');
      expect(last(a)).to.deep.include({ previous: from, state: 'starting' });
      expect(last(a).reason).to.match(/restart/);
      expect(a.core.componentStates()).to.deep.equal(['starting']);
      expectDiscipline(a);
    });
  }

  for (const from of ['starting', 'checking', 'connected', 'completed', 'disconnected', 'failed'] as const) {
    it(`${from} -> closed on close()`, () => {
      const { sim, a, b, net } = setup();
      if (from === 'failed') net.down = true;
      if (from !== 'starting') signalBoth(sim, a, b, from !== 'connected');
      if (from === 'disconnected') {
        sim.run(10_000, () => a.core.state === 'completed');
        net.down = true;
      }
      expect(sim.run(60_000, () => a.core.state === from), `reach ${from}`).to.equal(true);
      a.core.close();
      sim.drain();
      expect(last(a)).to.deep.include({ previous: from, state: 'closed' });
      sim.run(sim.now + 60_000);
      expect(last(a).state, 'closed is terminal').to.equal('closed');
      expectDiscipline(a);
    });
  }

  it('the discipline holds on lossy runs (30% loss, 20 seeds, with outages)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { sim, a, b, net } = setup({ seedLoss: seed, end: seed % 2 === 0 });
      signalBoth(sim, a, b, seed % 2 === 0);
      sim.run(30_000);
      net.down = true;
      sim.run(sim.now + 5_000 + seed * 1_500);
      net.down = false;
      sim.run(sim.now + 30_000);
      expectDiscipline(a);
      expectDiscipline(b);
    }
  });
});
