// A pacer shared with other agents (RFC 8445 §14.2 across a server's port): the core asks it before
// each new check, waits without a deadline of its own while refused, and sends when woken.
import { expect } from 'chai';
import { IceAgentCore } from '../../lib/ice/agent-core.js';
import type { CheckPacer } from '../../lib/ice/config.js';
import { seededRandom } from '../../lib/util/random.js';
import { A, B, LOCAL, SOCKET, drain, hostCandidate, requestsIn } from '../support/craft.js';
import { Sim } from '../support/sim.js';

/** A pacer the test opens and closes; it records every question. */
class GatePacer implements CheckPacer {
  open = false;
  readonly asked: number[] = [];
  tryAcquire(now: number): boolean {
    this.asked.push(now);
    return this.open;
  }
}

function pacedAgent(pacer: CheckPacer): IceAgentCore {
  const core = new IceAgentCore({ random: seededRandom(3), role: 'controlling', ...A, pacer });
  core.startGathering(0, [{ component: 1, socket: SOCKET, base: LOCAL, interfaceRank: 0 }]);
  core.setRemoteCredentials(0, B.ufrag, B.pwd);
  return core;
}

describe('IceAgentCore: a shared check pacer (RFC 8445 §14.2 across agents)', () => {
  it('asks the pacer before each new check and sends nothing while refused', () => {
    const pacer = new GatePacer();
    const core = pacedAgent(pacer);
    core.addRemoteCandidate(0, hostCandidate('10.0.0.2', 6000));
    expect(requestsIn(drain(core).tx)).to.have.length(0);
    expect(pacer.asked).to.deep.equal([0]);
  });

  it('while refused it has no paced deadline of its own (no busy loop): only the pacer wakes it', () => {
    const pacer = new GatePacer();
    const core = pacedAgent(pacer);
    core.addRemoteCandidate(0, hostCandidate('10.0.0.2', 6000));
    drain(core);
    // Nothing else is pending: no gathering, no transaction, no selected pair.
    expect(core.pollTimeout()).to.equal(undefined);
    // More input while queued asks again (the pacer keeps one place per agent) and still sends nothing.
    core.addRemoteCandidate(3, hostCandidate('10.0.0.3', 6000));
    expect(requestsIn(drain(core).tx)).to.have.length(0);
    expect(core.pollTimeout()).to.equal(undefined);
  });

  it('sends when woken with a slot, then paces the next check by its own Ta again', () => {
    const pacer = new GatePacer();
    const core = pacedAgent(pacer);
    core.addRemoteCandidate(0, hostCandidate('10.0.0.2', 6000));
    core.addRemoteCandidate(0, hostCandidate('10.0.0.3', 6000));
    drain(core);
    pacer.open = true;
    core.handleTimeout(7); // the driver's wake-up after the pacer granted a slot
    const first = requestsIn(drain(core).tx);
    expect(first).to.have.length(1);
    // The second check waits for the agent's own Ta (50 ms) after the first.
    const next = core.pollTimeout();
    expect(next).to.equal(7 + 50);
    core.handleTimeout(next!);
    expect(requestsIn(drain(core).tx)).to.have.length(1);
    expect(pacer.asked.at(-1)).to.equal(57);
  });

  it('asks nothing when there is no check to send (a granted slot is never wasted)', () => {
    const pacer = new GatePacer();
    const core = pacedAgent(pacer);
    core.handleTimeout(100);
    expect(pacer.asked).to.deep.equal([]);
  });

  it('connects through a pacer that grants one check per 5 ms and refuses the rest, starting no two checks closer', () => {
    const sim = new Sim({ latencyMs: 1 });
    const starts: number[] = [];
    let nextFree = Number.NEGATIVE_INFINITY;
    // One slot per 5 ms (for the whole "server"); a refused agent has no deadline of its own, so the
    // loop below wakes it every millisecond as a server's pacer timer would (lib/server).
    const shared: CheckPacer = {
      tryAcquire: (now) => {
        if (now < nextFree) return false;
        nextFree = now + 5;
        starts.push(now);
        return true;
      },
    };
    const a = sim.addAgent('A', ['10.0.0.1', '10.0.1.1'], { role: 'controlling', pacer: shared, timers: { taMs: 5 } });
    const b = sim.addAgent('B', ['10.0.0.2', '10.0.1.2'], { role: 'controlled' });
    sim.gather(a);
    sim.gather(b);
    sim.signal(a, b, { endOfCandidates: true });
    sim.signal(b, a, { endOfCandidates: true });
    for (let t = 0; t < 2000 && a.core.state !== 'completed'; t++) {
      sim.run(t);
      a.core.handleTimeout(t);
    }
    sim.run(sim.now + 100, () => a.core.state === 'completed' && b.core.state === 'completed');
    expect(a.core.state).to.equal('completed');
    expect(starts.length).to.be.greaterThan(1);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).to.be.at.least(5);
  });
});
