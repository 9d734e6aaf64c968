// ice-probe gather: candidates as found, STUN results, the NAT mapping verdict.
import { expect } from 'chai';
import { mappingVerdict } from '../../bin/gather.js';
import { killAll, parseJsonLines, run, startStunServer } from './helpers.js';

describe('ice-probe gather', function () {
  this.timeout(20000);
  afterEach(killAll);

  it('shows a host and a srflx candidate from a local stun-server', async () => {
    const { port } = await startStunServer();
    const r = await run(['gather', '--address', '127.0.0.1', '--stun', `127.0.0.1:${port}`]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.lines[0]).to.match(/^time +comp +type +proto +address:port +priority +foundation +related$/);
    expect(r.stdout).to.match(/ms +1 +host +udp +127\.0\.0\.1:(\d+) +\d+ \(126 \| \d+ \| 255\) +\d+ +-/);
    expect(r.stdout).to.match(/ms +1 +srflx +udp +127\.0\.0\.1:(\d+) +\d+ \(100 \| \d+ \| 255\) +\d+ +127\.0\.0\.1:\d+/);
    expect(r.stdout).to.include(`stun 127.0.0.1:${port}: answered, mapped 127.0.0.1:`);
    expect(r.stdout).to.match(/2 candidates in [\d.]+ ms, gathering complete/);
    expect(r.stdout).not.to.include('NAT mapping'); // needs two servers
  });

  it('two STUN servers: the endpoint-independent mapping verdict', async () => {
    const [s1, s2] = await Promise.all([startStunServer(), startStunServer()]);
    const r = await run(['gather', '--address', '127.0.0.1', '--stun', `127.0.0.1:${s1.port}`, '--stun', `127.0.0.1:${s2.port}`]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/NAT mapping: endpoint-independent: same mapped address from every server/);
  });

  it('--json: every line parses; candidates, per-server results, verdict, done', async () => {
    const [s1, s2] = await Promise.all([startStunServer(), startStunServer()]);
    const r = await run(['gather', '--json', '--include-loopback', '--address', '127.0.0.1', '--stun', `127.0.0.1:${s1.port}`, '--stun', `127.0.0.1:${s2.port}`]);
    expect(r.code, r.stderr).to.equal(0);
    const events = parseJsonLines(r.lines);
    const candidates = events.filter((e) => e['event'] === 'candidate');
    expect(candidates.map((c) => c['type'])).to.deep.equal(['host', 'srflx']);
    expect(candidates[1]).to.include({ protocol: 'udp', address: '127.0.0.1', relatedAddress: '127.0.0.1' });
    expect(candidates[1]!['candidate']).to.match(/^candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ srflx raddr 127\.0\.0\.1 rport \d+ ufrag \S+$/);
    expect(events.filter((e) => e['event'] === 'stun-server' && e['reachable'] === true)).to.have.length(2);
    expect(events.find((e) => e['event'] === 'mapping')).to.include({ verdict: 'endpoint-independent' });
    expect(events.at(-1)).to.include({ event: 'done', candidates: 2, complete: true });
  });

  it('an unreachable STUN server next to one that answers is reported, not fatal', async () => {
    const { port } = await startStunServer();
    const r = await run(['gather', '--address', '127.0.0.1', '--stun', `127.0.0.1:${port}`, '--stun', '127.0.0.1:9', '--timeout', '1']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/ 1 +srflx +udp +127\.0\.0\.1:/);
    expect(r.stdout).to.match(/^stun(?: 127\.0\.0\.1:9: unreachable|: 1 server gave no result)/m);
    expect(r.stderr).to.not.include('every STUN server failed');
  });

  it('every STUN server failed: exit 1 with the reason, host candidates still listed', async () => {
    const r = await run(['gather', '--address', '127.0.0.1', '--stun', '127.0.0.1:9', '--timeout', '1']);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.match(/ 1 +host +udp +127\.0\.0\.1:/);
    expect(r.stdout).to.match(/1 candidate in [\d.]+ ms/);
    expect(r.stderr).to.match(/^ice-probe gather: every STUN server failed \((127\.0\.0\.1:9: .+|1 gave no result: still waiting when the timeout expired)\)$/m);
  });

  it('every STUN server failed, --json: exit 1, the reason on stderr', async () => {
    // An IPv6 server and only an IPv4 address: the server is never asked (and no DNS is involved).
    const r = await run(['gather', '--json', '--address', '127.0.0.1', '--stun', '[::1]:3478', '--timeout', '1']);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.include('every STUN server failed (1 gave no result: not asked: no local address of its family, or its name did not resolve)');
    expect(r.stdout).to.match(/"event":"done".*"candidates":1/);
  });

  it('no address passes the filters: exit 1', async () => {
    const r = await run(['gather', '--interface', 'no-such-interface0', '--timeout', '1']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/no candidates/);
  });
});

describe('gather mapping verdict (unit)', () => {
  const base = { address: '10.0.0.2', port: 5000, family: 4 } as const;
  const srv = (port: number) => ({ address: '192.0.2.1', port, family: 4 }) as const;
  const mapped = (port: number) => ({ address: '198.51.100.7', port, family: 4 }) as const;

  it('same mapping from every server: endpoint-independent', () => {
    expect(mappingVerdict([{ server: srv(1), base, mapped: mapped(7) }, { server: srv(2), base, mapped: mapped(7) }]).verdict).to.equal('endpoint-independent');
  });
  it('a different mapping per server: endpoint-dependent', () => {
    const v = mappingVerdict([{ server: srv(1), base, mapped: mapped(7) }, { server: srv(2), base, mapped: mapped(8) }]);
    expect(v.verdict).to.equal('endpoint-dependent');
    expect(v.detail).to.include('198.51.100.7:8');
  });
  it('fewer than two answers: unknown', () => {
    expect(mappingVerdict([{ server: srv(1), base, mapped: mapped(7) }, { server: srv(2), base, error: 'no response' }]).verdict).to.equal('unknown');
  });
});
