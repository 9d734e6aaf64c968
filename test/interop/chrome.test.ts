/**
 * Interop with a real libwebrtc ICE agent: headless Chromium (Debian package
 * `chromium`) against our IceAgent, over UDP on 127.0.0.1.
 *
 * Network discipline: Chromium gathers on every interface and would check from
 * all of them, and our agent would answer. So both run inside a fresh network
 * namespace with only `lo` up (support/chrome-peer.js is started with
 * `ip netns exec`); nothing can leave it. The namespace and the Chromium
 * profile directories are removed afterwards, also on failure or a signal;
 * stale ones of dead runs are removed first.
 *
 * Four exchanges, each in its own process and Chromium (~0.5 s each):
 *   direction     chrome-offers: Chrome offers (controlling, nominates), we answer (controlled, a=setup:passive)
 *                 agent-offers:  we offer (controlling, nominate, a=setup:actpass), Chrome answers (controlled)
 *   permission    with:    getUserMedia granted first -> Chrome signals a plain 127.0.0.1 host candidate
 *                 without: Chrome signals no candidate at all and checks from a wildcard-bound socket,
 *                          so we only ever see it as peer-reflexive (what real browsers look like)
 * And two with our agent ICE-lite on an IceServer's shared port (`--lite-server`, `a=ice-lite` in
 * our description): Chrome controls and nominates whoever offers; we never send a check.
 * In every case Chrome ends up the DTLS client: its ClientHello must reach us as
 * data on component 1, which the agent only delivers from a proven address.
 *
 * Flags (support/chrome-peer.ts CHROMIUM_FLAGS): --allow-loopback-in-peer-connection
 * and --disable-features=WebRtcHideLocalIpsWithMdns are both required (without
 * either, Chrome never finishes gathering and never sends a check to 127.0.0.1);
 * --no-sandbox because we are root; the rest keep Chromium quiet.
 *
 * Needs root, `ip netns` and /usr/bin/chromium (or $CHROMIUM); otherwise skipped with the reason.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Direction, PeerResult } from './support/chrome-peer.js';
import { alive, destroyNamespace } from '../system/support/netns.js';
import { coturnMissing } from '../support/coturn.js';

const here = dirname(fileURLToPath(import.meta.url));
const PEER = join(here, 'support', 'chrome-peer.js');
const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const NS = `ice${process.pid}-chrome`;
const PROFILE_PREFIX = 'ice-chrome-';
/** Per exchange, inside the peer: ICE, nomination and the ClientHello must each come within this. */
const ICE_TIMEOUT_MS = 15_000;
/** The peer process as a whole (Chromium start-up, gathering wait, the exchange, shutdown). */
const PEER_KILL_MS = 45_000;

interface Case {
  readonly direction: Direction;
  readonly mediaPermission: boolean;
  /** Our agent is ICE-lite on an IceServer (always controlled). */
  readonly lite?: boolean;
  /** Relay only on both sides, through a coturn on 127.0.0.1 in the namespace. */
  readonly turn?: boolean;
}
const CASES: readonly Case[] = [
  { direction: 'chrome-offers', mediaPermission: true },
  { direction: 'chrome-offers', mediaPermission: false },
  { direction: 'agent-offers', mediaPermission: true },
  { direction: 'agent-offers', mediaPermission: false },
  { direction: 'chrome-offers', mediaPermission: false, lite: true },
  { direction: 'agent-offers', mediaPermission: true, lite: true },
];
/** Our role: controlled when Chrome offers, or whenever we are lite (RFC 8445 §6.1.1). */
const weControl = (c: Case): boolean => c.direction === 'agent-offers' && c.lite !== true;
const RELAY_CASES: readonly Case[] = [
  { direction: 'chrome-offers', mediaPermission: false, turn: true },
  { direction: 'agent-offers', mediaPermission: false, turn: true },
];
const caseName = (c: Case): string =>
  (c.lite ? 'ICE-lite on a shared port: ' : '') +
  `${c.direction === 'chrome-offers' ? 'Chrome offers' : 'we offer'}, ${weControl(c) ? 'we control, Chrome is controlled' : 'Chrome controls, we are controlled'}, ` +
  `${c.mediaPermission ? 'media permission: Chrome signals a 127.0.0.1 host candidate' : 'no media permission: Chrome signals no candidate (peer-reflexive)'}`;

// ---- environment ----------------------------------------------------------------------

function skipReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (run as root)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
  } catch (err) {
    return `\`ip netns\` is unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    return `${CHROMIUM} is not installed (apt-get install -y chromium, or set $CHROMIUM)`;
  }
  return undefined;
}

/** Namespaces `ice<pid>-chrome` and profile dirs `ice-chrome-<pid>-*` of runs whose process is gone. */
function preCleanStale(): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n !== '');
  } catch { /* none */ }
  for (const ns of names) {
    const m = /^ice(\d+)-chrome$/.exec(ns);
    if (!m || (Number(m[1]) !== process.pid && alive(Number(m[1])))) continue;
    destroyNamespace(ns);
    removed.push(ns);
  }
  for (const d of readdirSync(tmpdir())) {
    const m = /^ice-chrome-(\d+)-/.exec(d);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(join(tmpdir(), d), { recursive: true, force: true });
    removed.push(d);
  }
  return removed;
}

/** Runs one exchange in the namespace; resolves with its JSON line (or a synthetic failure). */
function runPeer(c: Case, profile: string): Promise<{ result: PeerResult | undefined; stderr: string; wallMs: number; raw: string }> {
  const started = Date.now();
  const args = ['netns', 'exec', NS, process.execPath, PEER, '--direction', c.direction, '--profile', profile,
    '--chromium', CHROMIUM, '--timeout', String(ICE_TIMEOUT_MS), ...(c.mediaPermission ? ['--media-permission'] : []), ...(c.lite ? ['--lite-server'] : []), ...(c.turn ? ['--turn'] : [])];
  return new Promise((resolve) => {
    const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; if (err.length > 20_000) err = err.slice(-20_000); });
    const killer = setTimeout(() => destroyNamespaceProcesses(), PEER_KILL_MS);
    child.on('close', () => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      let result: PeerResult | undefined;
      try { result = JSON.parse(line) as PeerResult; } catch { /* reported below */ }
      resolve({ result, stderr: err, wallMs: Date.now() - started, raw: out });
    });
  });
}

/** Kills everything running in our namespace (a stuck peer and its Chromium), keeping the namespace. */
function destroyNamespaceProcesses(): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const p of pids.split('\n').map(Number).filter((n) => n > 0)) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
  } catch { /* no namespace */ }
}

function summary(c: Case, r: PeerResult, wallMs: number): string {
  const ch = r.chrome;
  const sel = r.agent.selected;
  return [
    `${c.lite ? 'lite ' : ''}${c.direction}${c.mediaPermission ? '+media' : ''}:`,
    `(ms after both sides had the other's parameters) agent connected ${r.agent.connectedMs} ms, completed ${r.agent.completedMs} ms;`,
    `chrome ${ch?.iceConnectionState} at ${ch?.connectedMs} ms;`,
    `our pair ${sel?.local} -> ${sel?.remote} (${sel?.remoteType}, rtt ${sel?.rttMs} ms);`,
    `chrome pair ${ch?.localCandidate?.type}->${ch?.remoteCandidate?.type} nominated=${ch?.nominated}`,
    `rtt=${ch?.currentRoundTripTime}s req rx/tx ${ch?.requestsReceived}/${ch?.requestsSent} resp rx/tx ${ch?.responsesReceived}/${ch?.responsesSent};`,
    `stun in req ${r.stun.requestsIn} (USE-CANDIDATE ${r.stun.useCandidateIn}, GOOG-NETWORK-INFO ${r.stun.googNetworkInfo.join(',')}) out req ${r.stun.requestsOut} (USE-CANDIDATE ${r.stun.useCandidateOut});`,
    `ClientHello at ${r.agent.firstData?.at} ms; data ${r.agent.dataPackets}; drops ${JSON.stringify(r.agent.drops)}; wall ${wallMs} ms`,
  ].join(' ');
}

// ---- the suite ------------------------------------------------------------------------

describe('interop: headless Chromium (libwebrtc) in a loopback-only namespace', function () {
  this.timeout(PEER_KILL_MS + 10_000);
  const profiles: string[] = [];
  let nsCreated = false;
  const cleanup = (): void => {
    if (nsCreated) destroyNamespace(NS);
    nsCreated = false;
    for (const p of profiles.splice(0)) rmSync(p, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };

  before(function () {
    const why = skipReason();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    const stale = preCleanStale();
    if (stale.length > 0) console.log(`      removed stale: ${stale.join(' ')}`);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', cleanup);
    try {
      execFileSync('ip', ['netns', 'add', NS], { stdio: 'pipe' });
      nsCreated = true;
      execFileSync('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    } catch (err) {
      cleanup();
      console.log(`      skipped: cannot create network namespace ${NS}: ${(err as Error).message.split('\n')[0]}`);
      this.skip();
    }
    // Discipline check: nothing but lo in there.
    const links = execFileSync('ip', ['-n', NS, '-o', 'link', 'show'], { encoding: 'utf8' }).trim().split('\n');
    expect(links.map((l) => l.split(':')[1]?.trim())).to.deep.equal(['lo']);
  });

  after(function () {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanup);
    cleanup();
  });

  /** One exchange in its own Chromium profile: the peer's result and, for failures, its output tails. */
  async function exchange(c: Case): Promise<{ r: PeerResult; diag: string }> {
    const profile = mkdtempSync(join(tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
    profiles.push(profile);
    const run = await runPeer(c, profile);
    rmSync(profile, { recursive: true, force: true });
    const diag = `\n--- peer stderr (tail) ---\n${run.stderr.slice(-3000)}\n--- result ---\n${run.raw.slice(-6000)}`;
    if (run.result === undefined) throw new Error(`chrome-peer printed no result${diag}`);
    console.log(`      ${summary(c, run.result, run.wallMs)}`);
    return { r: run.result, diag };
  }

  for (const c of CASES) {
    describe(caseName(c), function () {
      let r: PeerResult;
      let diag = '';

      before(async function () {
        ({ r, diag } = await exchange(c));
      });

      it('completes the exchange (both sides connected, ClientHello received)', function () {
        expect(r.ok, `${r.error}${diag}`).to.equal(true);
      });

      it('our agent reaches connected, then completed, on 127.0.0.1 and the port Chrome checks from', function () {
        const states = r.agent.states.map((s) => s.state);
        expect(states, diag).to.include('connected');
        expect(states.indexOf('completed'), diag).to.be.greaterThan(states.indexOf('connected'));
        expect(r.agent.role).to.equal(weControl(c) ? 'controlling' : 'controlled');
        const sel = r.agent.selected;
        expect(sel, diag).to.not.equal(undefined);
        const chromeLocal = r.chrome?.localCandidate;
        expect(chromeLocal, diag).to.not.equal(undefined);
        expect(sel!.remote).to.equal(`127.0.0.1:${chromeLocal!.port}`);
        expect(sel!.local).to.equal(`127.0.0.1:${r.chrome!.remoteCandidate!.port}`);
        expect(sel!.nominated).to.equal(true);
        // With permission Chrome signalled its host candidate and the pair uses it; without, it is peer-reflexive.
        const signalled = r.chromeOfferOrAnswer?.candidates.filter((l) => / udp /i.test(l)) ?? [];
        if (c.mediaPermission) {
          expect(signalled.some((l) => l.includes(` 127.0.0.1 ${chromeLocal!.port} typ host`)), diag).to.equal(true);
          expect(sel!.remoteType).to.equal('host');
          expect(chromeLocal!.type).to.equal('host');
        } else {
          expect(signalled).to.deep.equal([]);
          expect(sel!.remoteType).to.equal('prflx');
        }
      });

      it("Chrome's ICE is connected on a nominated, selected pair with checks both ways (getStats)", function () {
        const ch = r.chrome;
        expect(ch, diag).to.not.equal(undefined);
        expect(['connected', 'completed']).to.include(ch!.iceConnectionState);
        expect(ch!.iceRole).to.equal(weControl(c) ? 'controlled' : 'controlling');
        expect(ch!.selected, 'transport.selectedCandidatePairId').to.equal(true);
        expect(ch!.pairState).to.equal('succeeded');
        expect(ch!.nominated, 'candidate-pair.nominated').to.equal(true);
        expect(ch!.remoteCandidate?.address).to.equal('127.0.0.1');
        if (c.lite) expect(ch!.requestsReceived ?? 0, 'an ICE-lite agent sends no check').to.equal(0);
        else expect(ch!.requestsReceived ?? 0, 'Chrome received our checks').to.be.at.least(1);
        expect(ch!.responsesReceived ?? 0, 'Chrome got responses to its checks').to.be.at.least(1);
        expect(ch!.currentRoundTripTime).to.be.a('number');
      });

      it(c.lite ? 'checks went one way: we answered Chrome and never sent a request' : 'checks went both ways: our checks got responses, we answered Chrome', function () {
        if (c.lite) {
          expect(r.stun.requestsOut, 'requests from the lite agent').to.equal(0);
          expect(r.stun.successIn).to.equal(0);
        } else {
          expect(r.stun.requestsOut).to.be.at.least(1);
          expect(r.stun.successIn).to.be.at.least(1);
          expect(r.agent.pairs.some((p) => p.state === 'succeeded' && p.rttMs !== undefined), JSON.stringify(r.agent.pairs)).to.equal(true);
        }
        expect(r.stun.requestsIn).to.be.at.least(1);
        expect(r.stun.successOut).to.be.at.least(1);
        expect(r.stun.errorsIn + r.stun.errorsOut, 'no STUN error responses either way').to.equal(0);
        // Chrome's checks carry GOOG-NETWORK-INFO (0xC057, comprehension-optional): skipped yet authenticated.
        expect(r.stun.firstRequestAttributes).to.include('0xc057');
        expect(r.stun.googNetworkInfo.length).to.be.at.least(1);
      });

      it('nomination: USE-CANDIDATE from the controlling side was accepted', function () {
        if (!weControl(c)) {
          expect(r.stun.peerRoleAttribute).to.equal('ICE-CONTROLLING');
          expect(r.stun.useCandidateIn).to.be.at.least(1);
          expect(r.stun.useCandidateOut).to.equal(0);
        } else {
          expect(r.stun.peerRoleAttribute).to.equal('ICE-CONTROLLED');
          expect(r.stun.useCandidateIn).to.equal(0);
          expect(r.stun.useCandidateOut).to.be.at.least(1);
        }
        expect(r.agent.selected?.nominated).to.equal(true);
        expect(r.chrome?.nominated).to.equal(true);
      });

      it("Chrome's DTLS ClientHello arrives as data on component 1 from the selected remote, nothing dropped", function () {
        const first = r.agent.firstData;
        expect(first, diag).to.not.equal(undefined);
        expect(first!.component).to.equal(1);
        expect(first!.firstByte, 'RFC 7983: 20..63 is DTLS, 22 = handshake').to.equal(22);
        expect(first!.from).to.equal(r.agent.selected?.remote);
        expect(r.stun.nonStunIn).to.equal(r.agent.dataPackets);
        const { malformed, unauthenticated, wrongSource, unprovenData, overLimit } = r.agent.drops;
        expect({ malformed, unauthenticated, wrongSource, unprovenData, overLimit }, JSON.stringify(r.agent.drops)).to.deep.equal({
          malformed: 0, unauthenticated: 0, wrongSource: 0, unprovenData: 0, overLimit: 0,
        });
        expect(r.agent.warnings).to.deep.equal([]);
      });
    });
  }
  for (const c of RELAY_CASES) {
    describe(`relay only (iceTransportPolicy 'relay' on both sides, coturn on 127.0.0.1): ${c.direction === 'chrome-offers' ? 'Chrome offers' : 'we offer'}`, function () {
      let r: PeerResult;
      let diag = '';

      before(async function () {
        if (coturnMissing()) {
          console.log(`      skipped: ${coturnMissing()}`);
          return this.skip();
        }
        ({ r, diag } = await exchange(c));
      });

      it('completes the exchange through the relay (both connected, ClientHello received)', function () {
        expect(r.ok, `${r.error}${diag}`).to.equal(true);
      });

      it("Chrome signals exactly one relay candidate, its related address hidden (raddr 0.0.0.0 rport 0), and we accept it", function () {
        const lines = r.chromeOfferOrAnswer?.candidates ?? [];
        expect(lines.length, diag).to.equal(1);
        expect(lines[0]).to.match(/ udp \d+ 127\.0\.0\.1 \d+ typ relay raddr 0\.0\.0\.0 rport 0/);
        expect(r.agent.warnings, diag).to.deep.equal([]);
      });

      it('both sides use relay candidates inside coturn\'s relay ports', function () {
        const { min, max } = r.turn!.relayPorts;
        const port = (hostPort: string): number => Number(hostPort.split(':').pop());
        const sel = r.agent.selected!;
        expect(sel.localType, diag).to.equal('relay');
        expect(port(sel.local)).to.be.within(min, max);
        expect(port(sel.remote)).to.be.within(min, max);
        expect(r.chrome?.localCandidate?.type).to.equal('relay');
        expect(r.turn!.ours.map((x) => x.state)).to.deep.equal(['allocated']);
        expect(r.turn!.ours[0]!.channels, 'a channel for the selected pair').to.equal(1);
      });

      it("Chrome's DTLS ClientHello arrives relayed, from Chrome's relayed address", function () {
        const first = r.agent.firstData;
        expect(first, diag).to.not.equal(undefined);
        expect(first!.firstByte).to.equal(22);
        expect(first!.from).to.equal(r.agent.selected?.remote);
        const { malformed, unauthenticated, wrongSource, unprovenData } = r.agent.drops;
        expect({ malformed, unauthenticated, wrongSource, unprovenData }).to.deep.equal({ malformed: 0, unauthenticated: 0, wrongSource: 0, unprovenData: 0 });
      });
    });
  }
});
