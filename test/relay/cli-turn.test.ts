// ice-probe and TURN: `gather --turn` as a TURN server test (relayed and mapped addresses,
// lifetime, time to allocate; exit 1 with the reason when an allocation fails), and `peer`
// processes that connect relay-only through coturn.
import { expect } from 'chai';
import { METHOD_ALLOCATE } from '../../lib/stun/constants.js';
import { Proc, killAll, parseJsonLines, run } from '../cli/helpers.js';
import { coturnMissing, PASS, SECRET, startCoturn, USER, type Coturn } from '../support/coturn.js';
import { UdpTurnDouble } from './support/udp-turn-double.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const missing = coturnMissing();
const ALLOCATED = /^turn turn:127\.0\.0\.1:\d+ \(udp, component 1\): allocated in \d+\.\d ms: relayed 127\.0\.0\.1:(\d+), mapped 127\.0\.0\.1:\d+, lifetime 600 s$/m;

describe('ice-probe and TURN', function () {
  this.timeout(60_000);
  afterEach(killAll);

  describe('usage', () => {
    for (const [args, why] of [
      [['--turn', '127.0.0.1:3478'], /needs --turn-user and --turn-pass, or --turn-secret/],
      [['--relay-only'], /--relay-only needs a --turn server/],
      [['--turn', '127.0.0.1:3478', '--turn-pass', 'p', '--turn-secret', 's'], /cannot be used together/],
      [['--turn', 'turn:127.0.0.1:99999', '--turn-user', 'u', '--turn-pass', 'p'], /--turn: invalid STUN\/TURN URI .*port/],
      [['--turn-user', 'u'], /need a --turn server/],
    ] as const) {
      it(`gather ${args.join(' ')}: exit 2, ${why}`, async () => {
        const r = await run(['gather', ...args]);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(why);
      });
    }
  });

  describe('against coturn on loopback', () => {
    let c: Coturn;
    let rest: Coturn;
    let dir: string;
    before(async function () {
      if (missing) {
        console.log(`      (skipped: ${missing})`);
        return this.skip();
      }
      [c, rest] = await Promise.all([startCoturn({ auth: 'static', tls: true }), startCoturn({ auth: 'rest' })]);
      dir = mkdtempSync(join(tmpdir(), 'cli-turn-'));
      writeFileSync(join(dir, 'ca.pem'), c.certPem!);
    });
    after(async () => {
      await Promise.all([c?.stop(), rest?.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('gather --turn HOST:PORT: prints the relayed and mapped addresses, lifetime and time to allocate; exit 0', async () => {
      const r = await run(['gather', '--address', '127.0.0.1', '--turn', `127.0.0.1:${c.port}`, '--turn-user', USER, '--turn-pass', PASS]);
      expect(r.code, r.stderr).to.equal(0);
      const m = ALLOCATED.exec(r.stdout);
      expect(m, r.stdout).to.not.equal(null);
      expect(Number(m![1])).to.be.within(c.relayPorts.min, c.relayPorts.max);
      expect(r.stdout).to.match(/ relay +udp +127\.0\.0\.1:\d+ +16777215 \(0 \| 65535 \| 255\)/);
      expect(r.stdout).to.match(/ host +udp /);
    });

    it('gather --turn-secret (REST) --relay-only --json: one relay candidate and a turn line', async () => {
      const r = await run(['gather', '--json', '--relay-only', '--turn', `turn:127.0.0.1:${rest.port}`, '--turn-user', 'alice', '--turn-secret', SECRET]);
      expect(r.code, r.stderr).to.equal(0);
      const lines = parseJsonLines(r.lines);
      expect(lines.filter((l) => l['event'] === 'candidate').map((l) => l['type'])).to.deep.equal(['relay']);
      const turn = lines.find((l) => l['event'] === 'turn')!;
      expect(turn).to.deep.include({ state: 'allocated', transport: 'udp', lifetimeS: 600, component: 1, reason: null });
      expect(turn['allocateMs']).to.be.a('number');
    });

    it('gather --turn turns: with --turn-ca: allocated over TLS; without it: exit 1 with the TLS error', async () => {
      const url = `turns:127.0.0.1:${c.tlsPort}`;
      const ok = await run(['gather', '--relay-only', '--turn', url, '--turn-ca', join(dir, 'ca.pem'), '--turn-user', USER, '--turn-pass', PASS]);
      expect(ok.code, ok.stderr).to.equal(0);
      expect(ok.stdout).to.match(/\(tls, component 1\): allocated in/);
      const bad = await run(['gather', '--relay-only', '--turn', url, '--turn-user', USER, '--turn-pass', PASS]);
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.match(/\(tls, component 1\): FAILED socket: TLS connection to 127\.0\.0\.1:\d+ failed: self-signed certificate/);
      expect(bad.stderr).to.match(/ice-probe gather: TURN failed: turns:127\.0\.0\.1:\d+: socket: TLS/);
    });

    it('gather with a wrong password: exit 1, auth-failed (401)', async () => {
      const r = await run(['gather', '--relay-only', '--turn', `127.0.0.1:${c.port}`, '--turn-user', USER, '--turn-pass', 'wrong']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/FAILED auth-failed \(401\)/);
      expect(r.stderr).to.match(/TURN failed: turn:127\.0\.0\.1:\d+: auth-failed \(401\)/);
    });

    it('two peer processes with --relay-only connect relay <-> relay through coturn and exchange --send text', async () => {
      const common = ['peer', '--relay-only', '--turn', `127.0.0.1:${c.port}`, '--turn-user', USER, '--turn-pass', PASS, '--timeout', '15'];
      const a = new Proc([...common, '--role', 'controlling', '--send', 'hello from A']);
      const b = new Proc([...common, '--role', 'controlled', '--send', 'hello from B']);
      for (const [from, to] of [[a, b], [b, a]] as const) {
        from.onLine((line) => void (to.child.stdin.writable && to.child.stdin.write(line + '\n')));
        void from.exited.then(() => to.child.stdin.end());
      }
      const [ea, eb] = await Promise.all([a.wait(20_000), b.wait(20_000)]);
      for (const [p, e, other] of [[a, ea, 'B'], [b, eb, 'A']] as const) {
        expect(e.code, p.stderr).to.equal(0);
        const msgs = parseJsonLines(p.lines);
        const selected = msgs.find((m) => m['type'] === 'selected')!;
        expect(String(selected['local'])).to.match(/ typ relay /);
        expect(String(selected['remote'])).to.match(/ typ relay /);
        expect(msgs.filter((m) => m['type'] === 'received').map((m) => m['data'])).to.include(`hello from ${other}`);
      }
    });

    it('selftest --relay-only: both agents connect over relay candidates', async () => {
      const r = await run(['selftest', '--relay-only', '--turn', `127.0.0.1:${c.port}`, '--turn-user', USER, '--turn-pass', PASS, '--json']);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      const lines = parseJsonLines(r.lines);
      expect(lines.filter((l) => l['event'] === 'selected').map((l) => l['localType'])).to.deep.equal(['relay', 'relay']);
    });
  });

  describe('against a TURN server double (errors coturn will not make on demand)', () => {
    let d: UdpTurnDouble;
    beforeEach(async () => { d = await UdpTurnDouble.start(); });
    afterEach(async () => { await d.close(); });
    const gather = (extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      run(['gather', '--address', '127.0.0.1', '--turn', `127.0.0.1:${d.address.port}`, '--turn-user', 'alice', '--turn-pass', 'alicepass', ...extra]);

    it('437 on every Allocate: exit 1, allocation-mismatch (437) after 4 sockets', async () => {
      for (let i = 0; i < 4; i++) { d.double.inject(METHOD_ALLOCATE, { kind: 'pass' }); d.double.inject(METHOD_ALLOCATE, { kind: 'error', code: 437 }); }
      const r = await gather(['--json']);
      expect(r.code).to.equal(1);
      const turn = parseJsonLines(r.stdout.trim().split('\n')).find((l) => l['event'] === 'turn')!;
      expect(turn).to.deep.include({ state: 'failed', reason: 'allocation-mismatch', code: 437, sockets: 4 });
    });

    it('437 twice: allocated from the third socket, exit 0', async () => {
      for (let i = 0; i < 2; i++) { d.double.inject(METHOD_ALLOCATE, { kind: 'pass' }); d.double.inject(METHOD_ALLOCATE, { kind: 'error', code: 437 }); }
      const r = await gather();
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/allocated in [\d.]+ ms: relayed 127\.0\.0\.1:\d+, mapped 127\.0\.0\.1:\d+, lifetime 600 s, 3 sockets/);
    });

    it('486: exit 1 with fallback-to-binding (486); the Binding request still gives the srflx', async () => {
      d.double.inject(METHOD_ALLOCATE, { kind: 'pass' });
      d.double.inject(METHOD_ALLOCATE, { kind: 'error', code: 486 });
      const r = await gather();
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/FAILED fallback-to-binding \(486\)/);
      expect(r.stdout).to.match(/ srflx +udp +127\.0\.0\.1:\d+ /);
      expect(d.double.requests['binding']).to.equal(1);
    });

    it('no answer at all: exit 1 after --timeout with the reason', async () => {
      d.double.inject(METHOD_ALLOCATE, { kind: 'drop-request' }, 20);
      const r = await gather(['--timeout', '2']);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(/FAILED timeout: no answer within 2 s/);
    });
  });
});
