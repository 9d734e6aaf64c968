/**
 * RFC 8445 §14.2 across a server: full agents on one port start at most one new check per Ta
 * (the server's taMs, 5 ms by default) between them, not one per agent. The server runs on a
 * virtual clock (its sockets are real: the checks go to closed loopback ports), so the times
 * compared are the server's own, never the machine's speed.
 */
import { expect } from 'chai';
import type { IceAgent } from '../../lib/ice-agent.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { bindUdp as rawSocket, closeSocket } from '../support/udp.js';
import { LOOPBACK, listen } from './support.js';

describe('IceServer: one RFC 8445 §14.2 pacer for every full agent on the port', function () {
  this.timeout(20_000);

  for (const taMs of [5, 20]) {
    it(`20 full agents × 3 pairs: new checks start at least ${taMs} ms apart across the server, all of them go out, no busy loop`, async () => {
      const scheduler = new VirtualScheduler();
      const server = await listen({ lite: false, scheduler, taMs });
      // Ports nobody answers on (bound, then closed): the checks stay on this machine.
      const holes = await Promise.all([0, 1, 2].map(() => rawSocket()));
      const ports = holes.map((s) => s.address().port);
      await Promise.all(holes.map(closeSocket));
      const starts: { at: number; agent: number }[] = [];
      const agents: IceAgent[] = [];
      try {
        for (let i = 0; i < 20; i++) {
          const a = server.createAgent({ role: 'controlling' });
          a.on('trace', (e) => {
            if (e.type === 'check-sent' && e.kind === 'check' && e.attempt === 1) starts.push({ at: scheduler.now(), agent: i });
          });
          a.setRemoteParameters({ ufrag: `peer${i}`, pwd: 'peerPasswordpeerPasswordx' });
          ports.forEach((port, k) => a.addRemoteCandidate(`candidate:${k + 1} 1 udp 2130706431 ${LOOPBACK} ${port} typ host`));
          agents.push(a);
        }
        await Promise.all(agents.map((a) => a.gather()));
        await scheduler.advance(60 * taMs + 200);
        expect(starts, 'every pair got its first check').to.have.length(60);
        for (let i = 1; i < starts.length; i++) {
          expect(starts[i]!.at - starts[i - 1]!.at, `check ${i} (agent ${starts[i]!.agent})`).to.be.at.least(taMs);
        }
        // Agents took turns: the first 20 checks came from 20 different agents.
        expect(new Set(starts.slice(0, 20).map((s) => s.agent)).size).to.equal(20);
        expect(server.stats().pacer.deferred, 'agents waited for the shared pacer').to.be.greaterThan(0);
        // No busy loop: the timer ran about once per check and retransmission, not thousands of times.
        expect(scheduler.executed, 'timer callbacks').to.be.below(1000);
      } finally {
        await Promise.all(agents.map((a) => a.close()));
        await server.close();
      }
    });
  }

  it('lite agents never ask the pacer (they send no request)', async () => {
    const scheduler = new VirtualScheduler();
    const server = await listen({ scheduler });
    try {
      const a = server.createAgent();
      a.setRemoteParameters({ ufrag: 'peer', pwd: 'peerPasswordpeerPasswordx' });
      a.addRemoteCandidate(`candidate:1 1 udp 2130706431 ${LOOPBACK} 9 typ host`);
      await a.gather();
      await scheduler.advance(1000);
      expect(server.stats().pacer).to.deep.equal({ waiting: 0, granted: 0, deferred: 0 });
      expect(server.stats().sockets[0]!.sent).to.equal(0);
    } finally {
      await server.close();
    }
  });
});
