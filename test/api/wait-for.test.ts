// waitFor(states, timeoutMs) always settles: resolved, ERR_CLOSED, ERR_ICE_FAILED, ERR_TIMEOUT (on the agent's clock).
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import type { IceState } from '../../lib/ice/ice-state.js';
import { rejection } from '../support/rejection.js';
import { track, virtualWorld } from './support/virtual-pair.js';
import { wire } from '../support/signalling.js';

// Fast failure: a check is sent at 0 and 100 ms and gives up at 200 ms.
const FAST_FAIL = { timers: { checkRetransmit: { rtoMs: 100, maxRequests: 2, finalWaitFactor: 1 } } };

/** One agent checking a candidate nobody answers: it fails 200 ms after its first check. */
async function failingAgent() {
  const w = virtualWorld();
  const a = w.agent('10.0.0.1', FAST_FAIL);
  const gathered = a.gather();
  await w.clock.runUntilIdle();
  await gathered;
  a.setRemoteParameters({ ufrag: 'peer', pwd: 'p'.repeat(22) });
  a.addRemoteCandidate('candidate:1 1 udp 2130706431 10.0.0.99 5000 typ host');
  a.endOfRemoteCandidates();
  return { ...w, a };
}

describe('api: waitFor always settles', () => {
  it('resolves at once with the current state when it is wanted', async () => {
    const a = new IceAgent();
    expect(await a.waitFor(['starting', 'checking'])).to.equal('starting');
    await a.close();
  });

  it('on a closed agent: rejects at once with ERR_CLOSED, unless closed is wanted', async () => {
    const a = new IceAgent();
    await a.close();
    const err = await rejection(a.waitFor(['completed'], 5000));
    expect(err.code).to.equal('ERR_CLOSED');
    expect(err.message).to.equal('the agent was closed while waiting for completed');
    expect(await a.waitFor(['closed'])).to.equal('closed');
  });

  it('pending when close() is called: rejects with ERR_CLOSED, and its timer is cancelled', async () => {
    const { clock, agent } = virtualWorld();
    const a = agent('10.0.0.1');
    const waiting = track(a.waitFor(['connected'], 60_000));
    const closedWanted = a.waitFor(['closed', 'failed']);
    await a.close();
    await clock.runUntilIdle();
    expect(clock.now(), 'no timer left to run to 60 s').to.equal(0);
    expect((waiting.error as { code?: string }).code).to.equal('ERR_CLOSED');
    expect(await closedWanted).to.equal('closed');
  });

  it('entering failed: rejects with ERR_ICE_FAILED and the reason at that moment; while failed, at once; failed itself can be awaited', async () => {
    const { clock, a } = await failingAgent();
    const connected = track(a.waitFor(['connected', 'completed']));
    const failed = track(a.waitFor(['failed']));
    await clock.runUntilTrue(() => connected.settled, 10_000);
    expect(a.iceState).to.equal('failed');
    expect(clock.now()).to.equal(200);
    const err = connected.error as { code: string; message: string };
    expect(err.code).to.equal('ERR_ICE_FAILED');
    expect(err.message).to.match(/^ICE failed \(.+\) while waiting for connected\/completed; only restart\(\) leaves failed$/);
    await clock.advance(0);
    expect(failed.value).to.equal('failed');
    // Already failed: rejects at once, with the same reason.
    const again = await rejection(a.waitFor(['completed'], 1000));
    expect(again.code).to.equal('ERR_ICE_FAILED');
    expect(again.message).to.equal(err.message.replace('connected/completed', 'completed'));
    await a.close();
    await clock.runUntilIdle();
  });

  it('after restart() the application waits again: a new waitFor follows the new checks', async () => {
    const w = virtualWorld();
    const a = w.agent('10.0.0.1', { ...FAST_FAIL, role: 'controlling' });
    const b = w.agent('10.0.0.2', { role: 'controlled' });
    // First attempt: a only knows a dead candidate, and fails.
    await Promise.all([a.gather(), b.gather(), w.clock.runUntilIdle()]);
    a.setRemoteParameters(b.localParameters);
    a.addRemoteCandidate('candidate:1 1 udp 2130706431 10.0.0.99 5000 typ host');
    a.endOfRemoteCandidates();
    expect((await rejection(Promise.all([a.waitFor(['connected']), w.clock.runUntilIdle()]))).code).to.equal('ERR_ICE_FAILED');
    // Restart, then signal for real.
    a.restart();
    expect(a.iceState).to.equal('starting');
    const states: IceState[] = [];
    a.on('statechange', (s) => states.push(s));
    b.setRemoteParameters(a.localParameters);
    a.setRemoteParameters(b.localParameters);
    for (const c of a.localCandidates) b.addRemoteCandidate(c);
    for (const c of b.localCandidates) a.addRemoteCandidate(c);
    a.endOfRemoteCandidates();
    b.endOfRemoteCandidates();
    const done = a.waitFor(['completed'], 5000);
    await w.clock.runUntilTrue(() => a.iceState === 'completed', 5000);
    expect(await done).to.equal('completed');
    // restart()'s own events (starting first) are told after the call returns.
    expect(states).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
    await Promise.all([a.close(), b.close()]);
    await w.clock.runUntilIdle();
  });

  it('times out with ERR_TIMEOUT on the agent\'s scheduler (virtual milliseconds, not wall-clock)', async () => {
    const { clock, agent } = virtualWorld();
    const a = agent('10.0.0.1');
    const waiting = track(a.waitFor(['connected'], 1500));
    await clock.advance(1499);
    expect(waiting.settled).to.equal(false);
    await clock.advance(1);
    const err = waiting.error as { code: string; message: string };
    expect(err.code).to.equal('ERR_TIMEOUT');
    expect(err.message).to.equal('waitFor(connected): still starting after 1500 ms');
    await a.close();
  });

  it('settles even when user listeners throw or every listener was removed', async () => {
    const w = virtualWorld();
    const a = w.agent('10.0.0.1', { role: 'controlling' });
    const b = w.agent('10.0.0.2', { role: 'controlled' });
    const errors: unknown[] = [];
    a.on('statechange', () => {
      throw new Error('listener');
    });
    a.on('error', (e) => errors.push(e));
    wire(a, b);
    const gathered = Promise.all([a.gather(), b.gather()]);
    const completed = track(a.waitFor(['completed']));
    await w.clock.runUntilTrue(() => completed.settled, 5000);
    await gathered;
    expect(completed.value).to.equal('completed');
    expect(errors.length).to.equal(3); // checking, connected, completed
    b.removeAllListeners();
    a.removeAllListeners();
    const closed = b.waitFor(['closed']);
    await b.close();
    expect(await closed).to.equal('closed');
    await a.close();
    await w.clock.runUntilIdle();
  });

  for (const [what, states, timeout] of [
    ['a string instead of an array', 'completed', undefined],
    ['an empty array', [], undefined],
    ['an unknown state', ['done'], undefined],
    ['a NaN timeout', ['completed'], NaN],
    ['a negative timeout', ['completed'], -1],
    ['a string timeout', ['completed'], '5000'],
  ] as const) {
    it(`rejects ${what} with ERR_INVALID_ARGUMENT`, async () => {
      const a = new IceAgent();
      const err = await rejection(a.waitFor(states as unknown as IceState[], timeout as unknown as number));
      expect(err.code).to.equal('ERR_INVALID_ARGUMENT');
      expect(err.message).to.match(/^waitFor: /);
      await a.close();
    });
  }
});
