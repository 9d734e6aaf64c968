// restart({ regather: true }) through the driver: the machine's addresses change between two
// enumerations (virtual network and interface table; then real loopback sockets, 127.0.0.1 to
// 127.0.0.2): new sockets, the old one kept while the old pair carries data, then closed.
import type * as os from 'node:os';
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import type { InterfaceSource } from '../../lib/net/interfaces.js';
import { seededRandom } from '../../lib/util/random.js';
import { baselineResourceCounts, settledResourceCounts } from '../support/resources.js';
import { canBind } from '../support/udp.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { VirtualNetwork } from '../support/virtual-net.js';
import { nextData } from '../support/waits.js';

/** An interface table whose one address the test changes between enumerations. */
function changingInterfaces(first: string, name = 'eth0', internal = false): { source: InterfaceSource; move(to: string): void } {
  let address = first;
  const source: InterfaceSource = () => ({
    [name]: [{ address, netmask: '255.0.0.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr: `${address}/8` }],
  } satisfies NodeJS.Dict<os.NetworkInterfaceInfo[]>);
  return { source, move: (to) => void (address = to) };
}

/** Full signalling between two agents, restarts included (each side's new parameters go to the other). */
function signal(a: IceAgent, b: IceAgent, deliver: (fn: () => void) => void = (fn) => fn()): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('candidate', (_c, sdp) => deliver(() => y.addRemoteCandidate(sdp)));
    x.on('endofcandidates', () => deliver(() => y.addRemoteCandidate(null)));
    x.on('restart', (params) => deliver(() => y.setRemoteParameters(params)));
  }
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
}

describe('restart({ regather: true })', function () {
  this.timeout(15000);

  it('virtual network: a new address is gathered, data flows on the old pair meanwhile, the old socket closes after the new selection', async () => {
    const clock = new VirtualScheduler();
    const net = new VirtualNetwork(clock, { latencyMs: 10 });
    const stun = net.addStunServer();
    for (const h of ['10.0.0.1', '10.0.0.2', '10.0.1.1']) net.addHost(h);
    const ifaces = changingInterfaces('10.0.0.1');
    const common = { scheduler: clock, endpointFactory: net.endpointFactory, stunServers: [`${stun.address}:${stun.port}`] };
    const a = new IceAgent({ ...common, role: 'controlling', interfaceSource: ifaces.source, random: seededRandom(1) });
    const b = new IceAgent({ ...common, role: 'controlled', interfaceSource: net.interfaceSource('10.0.1.1'), random: seededRandom(2) });
    const fromA: string[] = [];
    b.on('data', (_c, _d, from) => fromA.push(from.address));
    const candidates: string[] = [];
    a.on('candidate', (c) => candidates.push(`${c.type} ${c.address}`));
    const selections: string[] = [];
    a.on('selectedpairchange', (_c, p) => selections.push(`${p.local.address} bound ${net.boundEndpoints}`));
    const checking: number[] = [];
    a.on('statechange', (s) => s === 'checking' && checking.push(net.boundEndpoints));
    signal(a, b, (fn) => void clock.schedule(clock.now() + 20, () => b.iceState !== 'closed' && a.iceState !== 'closed' && fn()));
    try {
      void a.gather();
      void b.gather();
      await clock.runUntilTrue(() => a.iceState === 'completed' && b.iceState === 'completed', 5000);
      expect(net.boundEndpoints).to.equal(3); // the STUN server, A, B
      candidates.length = 0;

      ifaces.move('10.0.0.2');
      let regathered = false;
      const done = a.restart({ regather: true }).then(() => void (regathered = true));
      // Until the new generation selects a pair, data uses the old one: from the old address.
      a.send(1, Buffer.from([0x80, 1]));
      await clock.runUntilTrue(() => fromA.length === 1, 1000);
      expect(fromA).to.deep.equal(['10.0.0.1']);
      expect(net.boundEndpoints, 'new socket bound, old one still open').to.equal(4);

      await clock.runUntilTrue(() => regathered && a.iceState === 'completed' && b.iceState === 'completed', 5000);
      await done;
      expect(candidates).to.deep.equal(['host 10.0.0.2', 'srflx 10.0.0.2']);
      expect(a.localCandidates.map((c) => c.address)).to.deep.equal(['10.0.0.2', '10.0.0.2']);
      expect(a.getSelectedPair(1)!.local.address).to.equal('10.0.0.2');
      // The old socket was open while the new generation checked, and closed as the new pair was selected.
      expect(checking).to.deep.equal([3, 4]);
      expect(selections).to.deep.equal(['10.0.0.1 bound 3', '10.0.0.2 bound 3']);
      expect(net.boundEndpoints).to.equal(3);
      a.send(1, Buffer.from([0x80, 2]));
      await clock.runUntilTrue(() => fromA.length === 2, 1000);
      expect(fromA).to.deep.equal(['10.0.0.1', '10.0.0.2']);
      expect(a.getStats().transports[0]!.selectedCandidatePairChanges).to.equal(2);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await clock.runUntilIdle(10_000);
    }
    expect(net.boundEndpoints).to.equal(1);
  });

  it('virtual network: the same addresses again keep their sockets and ask the STUN server again', async () => {
    const clock = new VirtualScheduler();
    const net = new VirtualNetwork(clock, { latencyMs: 10 });
    const stun = net.addStunServer();
    net.addHost('10.0.0.1');
    const a = new IceAgent({
      scheduler: clock, endpointFactory: net.endpointFactory, interfaceSource: net.interfaceSource('10.0.0.1'),
      stunServers: [`${stun.address}:${stun.port}`], random: seededRandom(3),
    });
    const candidates: string[] = [];
    a.on('candidate', (c) => candidates.push(`${c.type} ${c.address}:${c.port}`));
    try {
      let gathered = false;
      void a.gather().then(() => void (gathered = true));
      await clock.runUntilTrue(() => gathered, 1000);
      const first = [...candidates];
      const sent = net.stats.sent;
      candidates.length = 0;
      let regathered = false;
      void a.restart({ regather: true }).then(() => void (regathered = true));
      await clock.runUntilTrue(() => regathered, 1000);
      expect(candidates).to.deep.equal(first);
      expect(net.stats.sent - sent, 'one STUN request and its answer').to.equal(2);
      expect(net.boundEndpoints).to.equal(2);
    } finally {
      await a.close();
      await clock.runUntilIdle(10_000);
    }
  });

  it('rejects options that are not { regather?: boolean }', async () => {
    const a = new IceAgent({ addresses: ['127.0.0.1'] });
    try {
      expect(() => a.restart({ regather: 'yes' } as never)).to.throw().with.property('code', 'ERR_INVALID_ARGUMENT');
    } finally {
      await a.close();
    }
  });

  it('loopback: from 127.0.0.1 to 127.0.0.2 over real sockets; the old socket is closed after the new selection', async function () {
    if (!(await canBind('127.0.0.2'))) this.skip();
    const baseline = await baselineResourceCounts();
    const ifaces = changingInterfaces('127.0.0.1', 'lo', true);
    const a = new IceAgent({ role: 'controlling', includeLoopback: true, interfaceSource: ifaces.source });
    const b = new IceAgent({ role: 'controlled', addresses: ['127.0.0.1'] });
    signal(a, b);
    try {
      await Promise.all([a.gather(), b.gather(), a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
      expect(a.getSelectedPair(1)!.local.address).to.equal('127.0.0.1');
      ifaces.move('127.0.0.2');
      const moved = new Promise<void>((resolve) => a.on('selectedpairchange', (_c, p) => p.local.address === '127.0.0.2' && resolve()));
      const during = nextData(b, 1);
      const regather = a.restart({ regather: true });
      a.send(1, Buffer.from('on the old pair'));
      expect((await during).from.address).to.equal('127.0.0.1');
      await Promise.all([regather, moved, a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
      const after = nextData(b, 1);
      a.send(1, Buffer.from('on the new pair'));
      const got = await after;
      expect([got.data.toString(), got.from.address]).to.deep.equal(['on the new pair', '127.0.0.2']);
      expect(a.localCandidates.map((c) => c.address)).to.deep.equal(['127.0.0.2']);
      // Two agents, one socket each: the old one of A is gone.
      const counts = await settledResourceCounts({ UDPWrap: baseline.UDPWrap + 2, Timeout: Infinity });
      expect(counts.UDPWrap).to.equal(baseline.UDPWrap + 2);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

