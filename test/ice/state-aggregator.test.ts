import { expect } from 'chai';
import type { ComponentState, IceState } from '../../lib/ice/ice-state.js';
import { toW3C } from '../../lib/ice/ice-state.js';
import { IceStateMachine, aggregateIceState } from '../../lib/ice/state-aggregator.js';

const COMPONENT_STATES: readonly ComponentState[] = ['starting', 'checking', 'connected', 'completed', 'failed', 'disconnected'];
const ICE_STATES: readonly IceState[] = ['starting', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed'];

/**
 * Independent oracle: count each state, then walk a rule table in priority
 * order (seed Notes + ARCHITECTURE.md). Written over counts on purpose so it
 * does not share code shape with the implementation.
 */
function oracle(states: readonly ComponentState[]): IceState {
  const n = states.length;
  const count: Record<ComponentState, number> = { starting: 0, checking: 0, connected: 0, completed: 0, failed: 0, disconnected: 0 };
  for (const s of states) count[s] += 1;
  const rules: readonly [boolean, IceState][] = [
    [count.failed > 0, 'failed'],
    [count.disconnected > 0, 'disconnected'],
    [count.starting === n, 'starting'],
    [count.starting + count.checking > 0, 'checking'],
    [count.completed === n, 'completed'],
    [count.connected + count.completed === n, 'connected'],
  ];
  for (const [holds, result] of rules) if (holds) return result;
  throw new Error(`oracle has no rule for ${states.join(',')}`);
}

function combinations(k: number): ComponentState[][] {
  if (k === 0) return [[]];
  return combinations(k - 1).flatMap((rest) => COMPONENT_STATES.map((s) => [...rest, s]));
}

describe('ice/ice-state', () => {
  it('toW3C maps starting to new and keeps the rest', () => {
    expect(ICE_STATES.map(toW3C)).to.deep.equal(['new', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed']);
  });
});

describe('ice/state-aggregator aggregateIceState', () => {
  for (const k of [1, 2, 3]) {
    it(`matches the oracle on all ${6 ** k} combinations of ${k} component(s)`, () => {
      const all = combinations(k);
      expect(all).to.have.length(6 ** k);
      for (const combo of all) {
        expect(aggregateIceState(combo, false), combo.join(',')).to.equal(oracle(combo));
        expect(aggregateIceState(combo, true), `closed ${combo.join(',')}`).to.equal('closed');
      }
    });
  }

  it('spot-checks the oracle itself against hand-written rows', () => {
    const rows: [ComponentState[], IceState][] = [
      [['starting'], 'starting'],
      [['starting', 'checking'], 'checking'],
      [['connected', 'starting'], 'checking'],
      [['connected', 'completed'], 'connected'],
      [['completed', 'completed', 'completed'], 'completed'],
      [['completed', 'disconnected', 'connected'], 'disconnected'],
      [['disconnected', 'failed'], 'failed'],
      [['starting', 'starting', 'failed'], 'failed'],
      [['checking', 'disconnected'], 'disconnected'],
    ];
    for (const [combo, expected] of rows) {
      expect(oracle(combo)).to.equal(expected);
      expect(aggregateIceState(combo, false)).to.equal(expected);
    }
  });

  it('an agent with no components is starting (or closed)', () => {
    expect(aggregateIceState([], false)).to.equal('starting');
    expect(aggregateIceState([], true)).to.equal('closed');
  });
});

describe('ice/state-aggregator IceStateMachine', () => {
  const path = (m: IceStateMachine, target: IceState, reason = 'r'): string[] =>
    m.moveTo(target, reason).map((c) => `${c.previous}->${c.state}`);

  it('starts in starting by default, or the given state', () => {
    expect(new IceStateMachine().state).to.equal('starting');
    expect(new IceStateMachine('connected').state).to.equal('connected');
  });

  describe('seed transitions', () => {
    it('starting -> checking (remote candidates received)', () => {
      const m = new IceStateMachine();
      expect(m.moveTo('checking', 'remote candidates received')).to.deep.equal([
        { state: 'checking', previous: 'starting', reason: 'remote candidates received' },
      ]);
      expect(m.state).to.equal('checking');
    });
    it('checking -> connected (found usable connection)', () => {
      expect(path(new IceStateMachine('checking'), 'connected')).to.deep.equal(['checking->connected']);
    });
    it('checking -> failed (gave up)', () => {
      const m = new IceStateMachine('checking');
      expect(m.moveTo('failed', 'gave up')).to.deep.equal([{ state: 'failed', previous: 'checking', reason: 'gave up' }]);
    });
    it('connected -> completed (finished all checks)', () => {
      expect(path(new IceStateMachine('connected'), 'completed')).to.deep.equal(['connected->completed']);
    });
    it('completed -> disconnected (lost connectivity)', () => {
      expect(path(new IceStateMachine('completed'), 'disconnected')).to.deep.equal(['completed->disconnected']);
    });
    it('disconnected -> connected (recovers)', () => {
      expect(path(new IceStateMachine('disconnected'), 'connected')).to.deep.equal(['disconnected->connected']);
    });
    it('any state -> starting (ICE restart)', () => {
      for (const s of ICE_STATES.filter((x) => x !== 'starting' && x !== 'closed')) {
        const m = new IceStateMachine(s);
        expect(m.moveTo('starting', 'restart')).to.deep.equal([{ state: 'starting', previous: s, reason: 'restart' }]);
        expect(m.state).to.equal('starting');
      }
    });
    it('any state -> closed (close)', () => {
      for (const s of ICE_STATES.filter((x) => x !== 'closed')) {
        const m = new IceStateMachine(s);
        expect(m.moveTo('closed', 'close()')).to.deep.equal([{ state: 'closed', previous: s, reason: 'close()' }]);
      }
    });
  });

  describe('discipline', () => {
    it('never skips connected before completed', () => {
      const m = new IceStateMachine('checking');
      expect(m.moveTo('completed', 'done')).to.deep.equal([
        { state: 'connected', previous: 'checking', reason: 'done (via connected)' },
        { state: 'completed', previous: 'connected', reason: 'done' },
      ]);
      expect(path(new IceStateMachine('disconnected'), 'completed')).to.deep.equal(['disconnected->connected', 'connected->completed']);
      expect(path(new IceStateMachine('failed'), 'completed')).to.deep.equal(['failed->connected', 'connected->completed']);
    });
    it('goes starting -> checking -> connected -> completed', () => {
      const m = new IceStateMachine();
      expect(m.moveTo('completed', 'fast')).to.deep.equal([
        { state: 'checking', previous: 'starting', reason: 'fast (via checking)' },
        { state: 'connected', previous: 'checking', reason: 'fast (via connected)' },
        { state: 'completed', previous: 'connected', reason: 'fast' },
      ]);
      expect(m.state).to.equal('completed');
    });
    it('goes starting -> checking -> connected', () => {
      expect(path(new IceStateMachine(), 'connected')).to.deep.equal(['starting->checking', 'checking->connected']);
    });
    it('emits disconnected before failed from connected or completed', () => {
      for (const s of ['connected', 'completed'] as const) {
        const m = new IceStateMachine(s);
        expect(m.moveTo('failed', 'consent lost')).to.deep.equal([
          { state: 'disconnected', previous: s, reason: 'consent lost (via disconnected)' },
          { state: 'failed', previous: 'disconnected', reason: 'consent lost' },
        ]);
      }
      expect(path(new IceStateMachine('disconnected'), 'failed')).to.deep.equal(['disconnected->failed']);
    });
    it('emits nothing when the state does not change (no duplicates)', () => {
      for (const s of ICE_STATES) expect(new IceStateMachine(s).moveTo(s, 'same')).to.deep.equal([]);
      const m = new IceStateMachine();
      m.moveTo('checking', 'a');
      expect(m.moveTo('checking', 'b')).to.deep.equal([]);
    });
    it('closed is terminal', () => {
      const m = new IceStateMachine('connected');
      m.moveTo('closed', 'close()');
      for (const s of ICE_STATES) {
        expect(m.moveTo(s, 'late')).to.deep.equal([]);
        expect(m.state).to.equal('closed');
      }
    });
    it('every emitted path is a chain ending at the target', () => {
      for (const from of ICE_STATES.filter((x) => x !== 'closed')) {
        for (const to of ICE_STATES) {
          const changes = new IceStateMachine(from).moveTo(to, 'x');
          if (from === to) continue;
          let prev: IceState = from;
          for (const c of changes) {
            expect(c.previous).to.equal(prev);
            expect(c.state).to.not.equal(c.previous);
            prev = c.state;
          }
          expect(prev).to.equal(to);
          const states = changes.map((c) => c.state);
          const ci = states.indexOf('completed');
          if (ci >= 0 && from !== 'connected') expect(states[ci - 1]).to.equal('connected');
        }
      }
    });
  });
});
