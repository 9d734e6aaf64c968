// Two IceAgents in one process over real loopback sockets (127.0.0.1 and ::1 only).
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import type { IceState } from '../../lib/ice/ice-state.js';
import { IceError } from '../../lib/util/errors.js';
import { baselineResourceCounts, settledResourceCounts, type ResourceCounts } from '../support/resources.js';
import { canBind } from '../support/udp.js';
import { nextData } from '../support/waits.js';
import { wire } from '../support/signalling.js';
import { loopbackEgressOnly } from '../support/egress-guard.js';

function expectIceError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected IceError ${code}`).to.be.instanceOf(IceError);
  expect((thrown as IceError).code).to.equal(code);
}

/** Mocha's own timers come and go between samples: only more handles than before the test is a leak. */
function expectNoExtraHandles(after: ResourceCounts, before: ResourceCounts): void {
  expect(after.UDPWrap, `UDP sockets left after close() (before: ${before.UDPWrap})`).to.be.at.most(before.UDPWrap);
  expect(after.Timeout, `timers left after close() (before: ${before.Timeout})`).to.be.at.most(before.Timeout);
}

const cases: { family: 'IPv4' | 'IPv6'; address: string; components: 1 | 2 }[] = [
  { family: 'IPv4', address: '127.0.0.1', components: 1 },
  { family: 'IPv4', address: '127.0.0.1', components: 2 },
  { family: 'IPv6', address: '::1', components: 1 },
  { family: 'IPv6', address: '::1', components: 2 },
];

describe('session: two agents over loopback', function () {
  this.timeout(15000);
  loopbackEgressOnly();
  let ipv6 = true;

  before(async () => {
    ipv6 = await canBind('::1');
    if (!ipv6) console.log('      (IPv6 loopback cases skipped: cannot bind a UDP socket on ::1 here)');
  });

  for (const { family, address, components } of cases) {
    it(`${family} ${address}, ${components} component(s): connect, data both ways, completed, host/host, clean close`, async function () {
      if (family === 'IPv6' && !ipv6) this.skip();
      const baseline = await baselineResourceCounts();
      const a = new IceAgent({ addresses: [address], components, role: 'controlling' });
      const b = new IceAgent({ addresses: [address], components, role: 'controlled' });
      const agents = [a, b];
      const states = new Map<IceAgent, IceState[]>(agents.map((x) => [x, [x.iceState]]));
      const warnings: string[] = [];
      for (const x of agents) {
        x.on('statechange', (s) => states.get(x)!.push(s));
        x.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));
      }
      try {
        wire(a, b);
        // Before any pair exists: a typed error, not a silent drop.
        expectIceError(() => a.send(1, Buffer.from('too early')), 'ERR_NO_SELECTED_PAIR');

        await Promise.all([a.gather(), b.gather()]);
        for (const x of agents) {
          expect(x.gatheringState).to.equal('complete');
          expect(x.localCandidates.map((c) => [c.type, c.address, c.component])).to.deep.equal(
            Array.from({ length: components }, (_, i) => ['host', address, i + 1]),
          );
        }
        await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
        expect(warnings).to.deep.equal([]);

        for (const x of agents) {
          expect(states.get(x)).to.deep.equal(['starting', 'checking', 'connected', 'completed']);
          expect(x.componentStates).to.deep.equal(Array(components).fill('completed'));
          for (let c = 1; c <= components; c++) {
            const pair = x.getSelectedPair(c);
            expect(pair, `selected pair of component ${c}`).to.not.equal(undefined);
            expect(pair!.component).to.equal(c);
            expect(pair!.nominated).to.equal(true);
            expect(pair!.state).to.equal('succeeded');
            expect(pair!.local.type).to.equal('host');
            expect(pair!.remote.type).to.equal('host');
            expect(pair!.local.address).to.equal(address);
            expect(pair!.remote.address).to.equal(address);
            expect(pair!.local.component).to.equal(c);
          }
        }
        // Each side's selected pair is the mirror of the other's.
        for (let c = 1; c <= components; c++) {
          expect(a.getSelectedPair(c)!.remote.port).to.equal(b.getSelectedPair(c)!.local.port);
          expect(b.getSelectedPair(c)!.remote.port).to.equal(a.getSelectedPair(c)!.local.port);
        }

        // Data both ways on every component, from the selected pair's remote address.
        for (let c = 1; c <= components; c++) {
          for (const [from, to] of [[a, b], [b, a]] as const) {
            const payload = Buffer.from(`component ${c} from ${from === a ? 'A' : 'B'}`);
            const got = nextData(to, c);
            from.send(c, payload);
            const { data, from: source } = await got;
            expect(data.equals(payload)).to.equal(true);
            expect(source).to.deep.equal({ address, port: from.getSelectedPair(c)!.local.port, family: family === 'IPv4' ? 4 : 6 });
          }
        }
        for (const x of agents) expect(x.drops).to.include({ malformed: 0, unauthenticated: 0, unprovenData: 0 });
      } finally {
        await Promise.all(agents.map((x) => x.close()));
      }

      for (const x of agents) {
        expect(x.iceState).to.equal('closed');
        expect(states.get(x)!.at(-1)).to.equal('closed');
        const n = states.get(x)!.length;
        await x.close(); // idempotent: resolves again, no second 'closed'
        expect(states.get(x)!.length).to.equal(n);
        expectIceError(() => x.send(1, Buffer.from('late')), 'ERR_CLOSED');
        expectIceError(() => x.addRemoteCandidate(null), 'ERR_CLOSED');
      }
      expectNoExtraHandles(await settledResourceCounts(baseline), baseline);
    });
  }

  it('close() during gathering and before connecting releases every socket and timer', async () => {
    const baseline = await baselineResourceCounts();
    const a = new IceAgent({ addresses: ['127.0.0.1'], components: 2 });
    const b = new IceAgent({ addresses: ['127.0.0.1'], components: 2, role: 'controlled' });
    wire(a, b);
    const gathering = a.gather();
    await b.gather();
    // b has candidates and credentials; a is still binding or checking: close both mid-flight.
    await Promise.all([a.close(), b.close()]);
    await gathering.catch(() => undefined); // may resolve or stop: it must not hang or leak
    expect(a.iceState).to.equal('closed');
    expect(b.iceState).to.equal('closed');
    expectNoExtraHandles(await settledResourceCounts(baseline), baseline);
  });
});
