/**
 * NAT matrix over real NATs built from Linux network namespaces and iptables
 * (see support/netns.ts for the topology and how each NAT behaviour is built).
 * Two `ice-probe peer` processes, one behind each router, exchange their
 * signalling through this test (a relay between their stdout and stdin) and
 * gather against a STUN server in the public namespace.
 *
 * Every case has its own namespace set, so the cases run in parallel; the whole
 * matrix takes about as long as its slowest case (a failing one: ~19.5 s of
 * check timeouts plus pacing). Results go to test/system/results/latest.json
 * and are printed as a table.
 *
 * Needs root, `ip netns` and iptables; otherwise the suite is skipped with the reason.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTopology, destroyAll, destroyTopology, preCleanStale, systemSkipReason, waitForUdpPort,
  type SiteSpec, type Topology,
} from './support/netns.js';
import { candidateType, killChildren, probePath, runPair, spawnInNs, type PeerRecord } from './support/probe-runner.js';
import { coturnMissingNs, startCoturnInNs, TURN_PASS, TURN_PORT, TURN_USER, type NsCoturn } from './support/coturn-ns.js';

type Expect = 'host' | 'srflx' | 'prflx' | 'relay' | 'failed';

interface MatrixCase {
  readonly id: string;
  readonly name: string;
  readonly a: SiteSpec;
  readonly b: SiteSpec;
  readonly expect: Expect;
  /** Both peers also get the TURN server in the public namespace; `relay-only`: and only relay candidates. */
  readonly turn?: 'both' | 'relay-only';
}

const CASES: readonly MatrixCase[] = [
  { id: 'c1', name: 'no-NAT <-> no-NAT', a: { nat: 'none' }, b: { nat: 'none' }, expect: 'host' },
  { id: 'c2', name: 'port-restricted cone <-> port-restricted cone', a: { nat: 'port-restricted' }, b: { nat: 'port-restricted' }, expect: 'srflx' },
  { id: 'c3', name: 'no-NAT <-> symmetric', a: { nat: 'none' }, b: { nat: 'symmetric' }, expect: 'prflx' },
  { id: 'c4', name: 'address-restricted cone <-> symmetric', a: { nat: 'address-restricted' }, b: { nat: 'symmetric' }, expect: 'prflx' },
  { id: 'c5', name: 'full cone <-> symmetric', a: { nat: 'full-cone' }, b: { nat: 'symmetric' }, expect: 'prflx' },
  { id: 'c6', name: 'port-restricted cone <-> symmetric', a: { nat: 'port-restricted' }, b: { nat: 'symmetric' }, expect: 'failed' },
  { id: 'c7', name: 'symmetric <-> symmetric', a: { nat: 'symmetric' }, b: { nat: 'symmetric' }, expect: 'failed' },
  {
    id: 'c8', name: 'port-restricted cone <-> port-restricted cone, 10% loss each way',
    a: { nat: 'port-restricted', lossPercent: 10 }, b: { nat: 'port-restricted', lossPercent: 10 }, expect: 'srflx',
  },
  { id: 'c9', name: 'symmetric <-> symmetric, with TURN', a: { nat: 'symmetric' }, b: { nat: 'symmetric' }, expect: 'relay', turn: 'both' },
  { id: 'c10', name: 'port-restricted cone <-> symmetric, with TURN', a: { nat: 'port-restricted' }, b: { nat: 'symmetric' }, expect: 'relay', turn: 'both' },
  { id: 'c11', name: 'symmetric <-> symmetric, relay only', a: { nat: 'symmetric' }, b: { nat: 'symmetric' }, expect: 'relay', turn: 'relay-only' },
  { id: 'c12', name: 'no-NAT <-> no-NAT, relay only', a: { nat: 'none' }, b: { nat: 'none' }, expect: 'relay', turn: 'relay-only' },
];
const turnMissing = coturnMissingNs();

const STUN_PORT = 3478;
const PEER_TIMEOUT_S = 40;
/** RFC 8489 §6.2.1 with our defaults: 6 requests, RTO 500 ms doubling, last wait 8 x RTO = 19.5 s after the first send. */
const CHECK_FAIL_MS = 19_500;
/** Slack on top of the check timeout: process start, gathering, signalling and 50 ms pacing of a few pairs, on a loaded 2-core box. */
const FAIL_SLACK_MS = 5_000;

interface CaseResult {
  readonly c: MatrixCase;
  readonly error?: string;
  readonly a?: PeerRecord;
  readonly b?: PeerRecord;
  readonly killed?: boolean;
  readonly wallMs: number;
  /** TURN rows: coturn's state when the peers were done (a crash), and its last log lines. */
  readonly turn?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/system -> test/system/results
const RESULTS_DIR = join(here, '..', '..', '..', 'test', 'system', 'results');

function firstState(r: PeerRecord | undefined, states: readonly string[]): number | undefined {
  return r?.states.find((s) => states.includes(s.state))?.t;
}

/** The same, on the probe's own clock (ms since that process started): no process start-up in it. */
function firstStateAt(r: PeerRecord | undefined, states: readonly string[]): number | undefined {
  const s = r?.states.find((x) => states.includes(x.state));
  return s?.at ?? s?.t;
}

/** `candidate:f 1 udp prio ADDR PORT typ ...` -> 'ADDR PORT'. */
function transportOf(line: string): string {
  return line.split(' ').slice(4, 6).join(' ');
}

function maxOf(x: number | undefined, y: number | undefined): number | null {
  return x === undefined || y === undefined ? null : Math.max(x, y);
}

function pairTypes(r: PeerRecord | undefined): string {
  return r?.selected ? `${candidateType(r.selected.local)}/${candidateType(r.selected.remote)}` : '-';
}

function outcome(res: CaseResult): string {
  if (res.error) return `error: ${res.error.split('\n')[0]}`;
  const ok = (r: PeerRecord | undefined): boolean => firstState(r, ['connected', 'completed']) !== undefined;
  if (ok(res.a) && ok(res.b)) return 'connected';
  if (firstState(res.a, ['failed']) !== undefined && firstState(res.b, ['failed']) !== undefined) return 'failed';
  return `A ${res.a?.states.at(-1)?.state ?? '?'} / B ${res.b?.states.at(-1)?.state ?? '?'}`;
}

/** The peers' TURN flags: the server in the public namespace, and --relay-only for the relay-only rows. */
function turnArgs(c: MatrixCase, address: string): string[] {
  if (!c.turn) return [];
  const args = ['--turn', `${address}:${TURN_PORT}`, '--turn-user', TURN_USER, '--turn-pass', TURN_PASS];
  return c.turn === 'relay-only' ? [...args, '--relay-only'] : args;
}

async function runCase(c: MatrixCase): Promise<CaseResult> {
  const started = Date.now();
  let topo: Topology | undefined;
  try {
    topo = await createTopology(c.id, c.a, c.b);
    const stun = spawnInNs(topo.pub, ['stun-server', '--host', topo.stunAddress, '--port', String(STUN_PORT)]);
    let turn: NsCoturn | undefined;
    try {
      await waitForUdpPort(topo.pub, STUN_PORT);
      if (c.turn) turn = await startCoturnInNs(topo.pub, topo.stunAddress);
      // --verbose: a failing case prints each agent's log (STUN results, states) in its report.
      const common = ['--components', '1', '--stun', `${topo.stunAddress}:${STUN_PORT}`, '--timeout', String(PEER_TIMEOUT_S), '--verbose', ...turnArgs(c, topo.stunAddress)];
      const { a, b, killed } = await runPair(
        { ns: topo.hostA.ns, args: ['peer', '--role', 'controlling', '--host', topo.hostA.address, '--send', `hello from A ${c.id}`, ...common] },
        { ns: topo.hostB.ns, args: ['peer', '--role', 'controlled', '--host', topo.hostB.address, '--send', `hello from B ${c.id}`, ...common] },
        (PEER_TIMEOUT_S + 10) * 1000,
        // ice-probe ends 1 s after stdin closes once connected, so no peer waits forever for a
        // `--send` datagram that was lost (10% loss) or never sent (see close-flush.test.ts).
        { closeStdinsWhenConnected: true },
      );
      const turnNote = turn && `coturn ${turn.exitStatus() ?? 'still running'}; log tail:\n${turn.log().split('\n').filter((l) => l.includes('session')).slice(-40).join('\n')}`;
      return { c, a, b, killed, wallMs: Date.now() - started, ...(turnNote && { turn: turnNote }) };
    } finally {
      if (stun.pid !== undefined && stun.exitCode === null) { try { process.kill(stun.pid, 'SIGKILL'); } catch { /* gone */ } }
      turn?.stop();
    }
  } catch (err) {
    return { c, error: (err as Error).stack ?? String(err), wallMs: Date.now() - started };
  } finally {
    if (topo) destroyTopology(topo);
  }
}

function describePeer(r: PeerRecord | undefined): string {
  if (!r) return 'no record';
  return JSON.stringify({
    states: r.states, selected: r.selected, done: r.done, exitCode: r.exitCode, received: r.received,
    endOfCandidates: r.sentEndOfCandidates, candidates: r.lines.filter((l) => l.line.type === 'candidate').map((l) => l.line['candidate']),
    stderr: r.stderr.slice(0, 2000),
  }, null, 1);
}

describe('system: NAT matrix in network namespaces', function () {
  this.timeout(150_000);
  const results = new Map<string, CaseResult>();
  let skipped = false;
  const emergency = (): void => {
    killChildren();
    destroyAll();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    emergency();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };

  before(async function () {
    const why = systemSkipReason() ?? (probePath() === undefined ? 'ice-probe is not built (dist/bin/ice-probe.js)' : undefined);
    if (why) {
      skipped = true;
      console.log(`      NAT matrix skipped: ${why}`);
      this.skip();
    }
    const stale = preCleanStale();
    if (stale.length > 0) console.log(`      removed ${stale.length} stale namespaces: ${stale.join(' ')}`);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', emergency);
    if (turnMissing) console.log(`      TURN rows skipped: ${turnMissing}`);
    const all = await Promise.all(CASES.filter((c) => !c.turn || !turnMissing).map(runCase));
    for (const r of all) results.set(r.c.id, r);
  });

  after(function () {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', emergency);
    emergency();
    if (skipped || results.size === 0) return;
    const rows = CASES.filter((c) => results.has(c.id)).map((c) => {
      const r = results.get(c.id)!;
      const connectedA = firstState(r.a, ['connected', 'completed']);
      const connectedB = firstState(r.b, ['connected', 'completed']);
      const failedA = firstState(r.a, ['failed']);
      const failedB = firstState(r.b, ['failed']);
      return {
        case: c.name,
        natA: c.a.nat,
        natB: c.b.nat,
        lossPercent: c.a.lossPercent ?? 0,
        expected: c.expect === 'failed' ? 'failed' : `connected over ${c.expect}`,
        got: outcome(r),
        selectedA: pairTypes(r.a),
        selectedB: pairTypes(r.b),
        connectedMs: connectedA !== undefined && connectedB !== undefined ? Math.max(connectedA, connectedB) : null,
        failedMs: failedA !== undefined && failedB !== undefined ? Math.max(failedA, failedB) : null,
        // The same on each probe's own clock (from its start: no process start-up).
        connectedProbeMs: maxOf(firstStateAt(r.a, ['connected', 'completed']), firstStateAt(r.b, ['connected', 'completed'])),
        failedProbeMs: maxOf(firstStateAt(r.a, ['failed']), firstStateAt(r.b, ['failed'])),
        dataAtoB: r.b?.received.length ?? 0,
        dataBtoA: r.a?.received.length ?? 0,
        wallMs: r.wallMs,
      };
    });
    try {
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify({ at: new Date().toISOString(), probe: probePath(), rows }, null, 2)}\n`);
    } catch (err) {
      console.log(`      cannot write results: ${(err as Error).message}`);
    }
    console.log('\n      NAT matrix (A controlling, B controlled; selected = local/remote type as each side reports)');
    console.table(rows.map((r) => ({
      case: r.case, expected: r.expected, got: r.got, 'A pair': r.selectedA, 'B pair': r.selectedB,
      'ms (probe clock)': Math.round(r.connectedProbeMs ?? r.failedProbeMs ?? NaN),
      'ms (from spawn)': r.connectedMs ?? r.failedMs, 'data A>B/B>A': `${r.dataAtoB}/${r.dataBtoA}`,
    })));
  });

  for (const c of CASES) {
    const title = c.expect === 'failed' ? `${c.name}: fails within ${(CHECK_FAIL_MS + FAIL_SLACK_MS) / 1000} s` : `${c.name}: connects over ${c.expect}`;
    it(title, function () {
      if (c.turn && turnMissing) return this.skip();
      const r = results.get(c.id);
      expect(r, 'case did not run').to.not.equal(undefined);
      if (r!.error) expect.fail(`setup failed: ${r!.error}`);
      const detail = `\nA: ${describePeer(r!.a)}\nB: ${describePeer(r!.b)}${r!.turn ? `\n${r!.turn}` : ''}`;
      const a = r!.a!;
      const b = r!.b!;
      expect(r!.killed, `peers had to be killed after the deadline${detail}`).to.equal(false);
      for (const p of [a, b]) {
        expect(p.lines[0]?.line.type, `${p.name}'s first line${detail}`).to.equal('params');
        expect(p.sentEndOfCandidates, `${p.name} sent end-of-candidates${detail}`).to.equal(true);
        expect(p.done, `${p.name} wrote a done line${detail}`).to.not.equal(undefined);
      }
      if (c.expect === 'failed') {
        for (const p of [a, b]) {
          const failedAt = firstState(p, ['failed']);
          expect(failedAt, `${p.name} reached 'failed'${detail}`).to.be.a('number');
          expect(firstState(p, ['connected', 'completed']), `${p.name} never connected${detail}`).to.equal(undefined);
          const failedAtProbe = firstStateAt(p, ['failed'])!;
          expect(failedAtProbe, `${p.name} failed no earlier than the check timeout${detail}`).to.be.at.least(CHECK_FAIL_MS - 500);
          expect(failedAtProbe, `${p.name} failed within the bound (probe clock)${detail}`).to.be.at.most(CHECK_FAIL_MS + FAIL_SLACK_MS);
          expect(p.done!.ok, `${p.name} done.ok${detail}`).to.equal(false);
        }
        return;
      }
      for (const p of [a, b]) {
        expect(firstState(p, ['connected', 'completed']), `${p.name} connected${detail}`).to.be.a('number');
        expect(p.selected, `${p.name} reported a selected pair${detail}`).to.not.equal(undefined);
        expect(p.done!.ok, `${p.name} done.ok${detail}`).to.equal(true);
        expect(firstState(p, ['failed']), `${p.name} never failed${detail}`).to.equal(undefined);
      }
      if (!c.a.lossPercent) {
        expect(b.received, `B received A's text${detail}`).to.include(`hello from A ${c.id}`);
        expect(a.received, `A received B's text${detail}`).to.include(`hello from B ${c.id}`);
      }
      const types = [a, b].flatMap((p) => [candidateType(p.selected!.local), candidateType(p.selected!.remote)]);
      if (c.expect === 'relay') {
        // Relay-only: every side sends from its relay candidate. With TURN next to host and srflx
        // candidates, a relay is on at least one end of the pair (the other may be learned as prflx).
        if (c.turn === 'relay-only') for (const p of [a, b]) expect(candidateType(p.selected!.local), `${p.name}'s local${detail}`).to.equal('relay');
        expect(types, `a relay candidate in the selected pairs${detail}`).to.include('relay');
        for (const p of [a, b]) expect(p.lines.filter((l) => l.line.type === 'candidate').some((l) => / typ relay /.test(String(l.line['candidate']))), `${p.name} signalled a relay candidate${detail}`).to.equal(true);
      } else if (c.expect === 'prflx') {
        expect(types, `a peer-reflexive candidate in the selected pairs${detail}`).to.include('prflx');
      } else {
        // Each side's remote is the other side's candidate of the expected type. It may still be
        // reported as prflx when the other side's check arrived before that candidate was
        // trickled (RFC 8445 §7.3.1.3): then it has that candidate's transport address.
        for (const [p, other] of [[a, b], [b, a]] as const) {
          const wanted = other.lines
            .filter((l) => l.line.type === 'candidate' && candidateType(String(l.line['candidate'])) === c.expect)
            .map((l) => transportOf(String(l.line['candidate'])));
          const remote = p.selected!.remote;
          expect(candidateType(remote), `${p.name}'s remote type${detail}`).to.be.oneOf([c.expect, 'prflx']);
          expect(wanted, `${p.name}'s remote is ${other.name}'s ${c.expect} candidate${detail}`).to.include(transportOf(remote));
        }
      }
    });
  }
});
