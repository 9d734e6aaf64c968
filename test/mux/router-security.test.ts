// Security properties of the router under floods from spoofed sources. Nothing here depends on
// machine speed: counts are exact, time is virtual, and heap growth is measured after full GCs.
import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MuxRouter, type PeerAddress } from '../../lib/mux/index.js';
import { shortTermKey } from '../../lib/stun/index.js';
import { randomIceString, seededRandom } from '../../lib/util/random.js';
import { loadCaptures } from '../fuzz/captures.js';
import { Rng, nextInput } from '../fuzz/mutator.js';
import { FakeAgent, check } from './support.js';

const AGENTS = 1000;
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const NOT_R = ICE_CHARS.replace('R', ''); // registered ufrags start with R, spoofed ones never do

function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

interface World {
  readonly router: MuxRouter<FakeAgent>;
  readonly agents: FakeAgent[];
  readonly owned: { readonly agent: FakeAgent; readonly at: PeerAddress }[];
  readonly spoofed: PeerAddress[];
  reports: number;
}

/** 1000 agents, each owning 1..8 authenticated addresses (4500 in all). */
function world(): World {
  const random = seededRandom(14);
  const w: World = {
    router: new MuxRouter<FakeAgent>({ onUnknownUfrag: () => void w.reports++, unknownUfragReports: { burst: 10, perSecond: 1 } }),
    agents: [], owned: [], spoofed: [], reports: 0,
  };
  for (let i = 0; i < AGENTS; i++) {
    const agent = new FakeAgent(`R${randomIceString(random, 7)}`, randomIceString(random, 24));
    w.agents.push(agent);
    w.router.register(agent, agent.ufrag);
    for (let k = 0; k <= i % 8; k++) {
      const at = { address: `10.${i >> 8}.${i & 255}.${k + 1}`, port: 50000 + k };
      w.router.authenticated(agent, at, 0);
      w.owned.push({ agent, at });
    }
  }
  const rng = new Rng(99);
  for (let i = 0; i < 4096; i++) {
    w.spoofed.push({ address: `${1 + rng.int(223)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`, port: 1 + rng.int(65535) });
  }
  return w;
}

/** Everything an attacker could want to change: who owns which address, and the table sizes. */
function snapshot(w: World): string {
  const owners = w.agents.map((a) => w.router.addressesOf(a).map((x) => `${x.address}:${x.port}`).sort().join(','));
  return JSON.stringify({ size: w.router.size(), owners });
}

function assertIntact(w: World, before: string): void {
  expect(snapshot(w)).to.equal(before);
  for (const { agent, at } of w.owned) if (w.router.agentAt(at) !== agent) expect.fail(`${at.address}:${at.port} left its owner`);
}

/** Routes `n` checks for unknown ufrags from `source`s, one per virtual ms from `t0`; returns how many were routed. */
function floodUnknownUfrags(w: World, rng: Rng, n: number, t0: number): number {
  const data = check('Rxxxxxxx', { key: shortTermKey('not anybody') });
  const ufragAt = data.indexOf('Rxxxxxxx');
  let routed = 0;
  for (let i = 0; i < n; i++) {
    data[ufragAt] = NOT_R.charCodeAt(rng.int(NOT_R.length));
    for (let k = 1; k < 8; k++) data[ufragAt + k] = ICE_CHARS.charCodeAt(rng.int(64));
    if (w.router.route(source(w, rng), data, t0 + i) !== undefined) routed++;
  }
  return routed;
}

/**
 * Routes `n` checks for registered ufrags whose MAC fails (signed with a wrong key, with ANOTHER
 * agent's real key, or unsigned) from owned (70 %) or random addresses; the named agent handles
 * each. Returns how many went anywhere but to the agent they name.
 */
function floodForgedChecks(w: World, rng: Rng, n: number, t0: number): number {
  const forged = w.agents.map((a, i) => [
    check(a.ufrag, { key: shortTermKey('forged-password-forged') }),
    check(a.ufrag, { key: w.agents[(i + 1) % AGENTS]!.key }),
    check(a.ufrag, { key: null }),
  ]);
  let misrouted = 0;
  for (let i = 0; i < n; i++) {
    const t = rng.int(AGENTS);
    const from = rng.chance(0.7) ? w.owned[rng.int(w.owned.length)]!.at : w.spoofed[rng.int(w.spoofed.length)]!;
    const data = forged[t]![rng.int(3)]!;
    const to = w.router.route(from, data, t0 + i);
    if (to !== w.agents[t]) misrouted++;
    to?.handle(w.router, from, data, t0 + i);
  }
  return misrouted;
}

const sum = (w: World, f: (a: FakeAgent) => number): number => w.agents.reduce((n, a) => n + f(a), 0);

/** An owned address (an attempt to steal it) or a random one. */
function source(w: World, rng: Rng): PeerAddress {
  return rng.chance(0.5) ? w.owned[rng.int(w.owned.length)]!.at : w.spoofed[rng.int(w.spoofed.length)]!;
}

describe('mux: router security under spoofed floods', function () {
  this.timeout(120_000);
  const gc = fullGc();
  const w = world();
  const intact = snapshot(w);
  let heapBefore = 0;

  before(() => {
    // Warm up (compiled code and inline caches are not growth), then take the baseline.
    floodUnknownUfrags(w, new Rng(1), 20_000, 0);
    floodForgedChecks(w, new Rng(2), 20_000, 0);
    gc?.();
    heapBefore = process.memoryUsage().heapUsed;
  });

  it('drops 10^6 checks for unknown ufrags silently, reports a bounded few, and changes no table', () => {
    const before = w.router.stats().counters;
    const reportsBefore = w.reports;
    const N = 1_000_000;
    // One per virtual ms: 1000 s.
    expect(floodUnknownUfrags(w, new Rng(0xdead), N, 1_000_000)).to.equal(0);
    const c = w.router.stats().counters;
    expect(c.drops['unknown-ufrag'] - before.drops['unknown-ufrag']).to.equal(N);
    expect(c.routedByUfrag + c.routedByAddress + c.routedByTransaction)
      .to.equal(before.routedByUfrag + before.routedByAddress + before.routedByTransaction);
    // Token bucket: burst 10, then 1 per second of the 1000 virtual seconds.
    expect(w.reports - reportsBefore).to.be.within(1000, 10 + 1000);
    assertIntact(w, intact);
  });

  it('routes 10^5 forged-MAC checks to the named agent, which rejects them: nothing answered, nothing stolen', () => {
    const rejected = sum(w, (a) => a.rejected);
    const routedByUfrag = w.router.stats().counters.routedByUfrag;
    const N = 100_000;
    expect(floodForgedChecks(w, new Rng(0xbeef), N, 3_000_000)).to.equal(0);
    expect(sum(w, (a) => a.rejected) - rejected).to.equal(N);
    expect(sum(w, (a) => a.answered), 'responses').to.equal(0);
    expect(w.router.stats().counters.routedByUfrag - routedByUfrag).to.equal(N);
    assertIntact(w, intact);
  });

  it('grows the heap by less than 1 MiB over both floods (measured after full GCs, when GC is reachable)', function () {
    if (!gc) this.skip();
    gc();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth, `${growth} bytes`).to.be.below(1 << 20);
  });

  it('survives 10^5 seeded mutations of checks and captures from spoofed sources with tables intact', () => {
    const rng = new Rng(0xf00d);
    const wrongKey = shortTermKey('forged-password-forged');
    const seeds = [...loadCaptures().map((c) => c.data), ...w.agents.slice(0, 50).map((a) => check(a.ufrag, { key: wrongKey }))];
    for (let i = 0; i < 100_000; i++) {
      const { data } = nextInput(rng, { seeds, signKeys: [wrongKey] });
      const from = source(w, rng);
      w.router.route(from, data, 4_000_000 + i)?.handle(w.router, from, data, 4_000_000 + i);
    }
    expect(sum(w, (a) => a.answered)).to.equal(0);
    assertIntact(w, intact);
  });

  it('(control) a genuine check does move an address: the assertions above can fail', () => {
    const victim = w.owned[0]!;
    const thief = w.agents.find((a) => a !== victim.agent)!;
    const genuine = check(thief.ufrag, { key: thief.key });
    w.router.route(victim.at, genuine, 5_000_000)?.handle(w.router, victim.at, genuine, 5_000_000);
    expect(thief.answered).to.equal(1);
    expect(w.router.agentAt(victim.at)).to.equal(thief);
    expect(snapshot(w)).not.to.equal(intact);
  });
});
