// ice-probe serve (the echo endpoint) with ice-probe peer --server as its client, and curl-like HTTP calls.
import { expect } from 'chai';
import { workerOf } from '../../lib/server/index.js';
import { Proc, killAll, parseJsonLines } from './helpers.js';

type Msg = Record<string, unknown>;

async function startServe(extra: readonly string[] = []): Promise<{ proc: Proc; listening: Msg; url: string }> {
  const proc = new Proc(['serve', '--json', ...extra]);
  const listening = JSON.parse(await proc.waitForLine(/"event":"listening"/, 10_000)) as Msg;
  return { proc, listening, url: String(listening['http']) };
}

async function client(url: string, extra: readonly string[] = []): Promise<Msg[]> {
  const p = new Proc(['peer', '--server', url, '--host', '127.0.0.1', '--timeout', '10', ...extra]);
  p.child.stdin.end();
  const { code } = await p.wait(20_000);
  expect(code, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).to.equal(0);
  return parseJsonLines(p.lines);
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Msg }> {
  const res = await fetch(`${url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Msg };
}

async function stop(proc: Proc, signal: NodeJS.Signals): Promise<Msg> {
  proc.child.kill(signal);
  const { code } = await proc.wait(15_000);
  expect(code, proc.stderr).to.equal(0);
  return parseJsonLines(proc.lines).at(-1)!;
}

describe('ice-probe serve (echo endpoint, HTTP signalling)', function () {
  this.timeout(60_000);
  afterEach(killAll);

  it('a peer --server client connects to an ICE-lite session and gets its datagram back; SIGTERM stops cleanly', async () => {
    const { proc, listening, url } = await startServe();
    expect(listening).to.include({ lite: true, components: 1, workers: 1 });
    const msgs = await client(url, ['--send', 'hello server']);
    // The server is lite: the client controls (its params line says so once it knows).
    expect(msgs.find((m) => m['type'] === 'received')).to.deep.equal({ type: 'received', component: 1, data: 'hello server' });
    expect(msgs.at(-1)).to.include({ type: 'done', ok: true });
    const udp = String((listening['udp'] as string[])[0]);
    const selected = msgs.find((m) => m['type'] === 'selected')!;
    expect(String(selected['remote'])).to.include(` ${udp.replace(':', ' ')} typ host`);
    const stats = (await (await fetch(`${url}/stats`)).json()) as Msg;
    expect(stats).to.include({ opened: 1, connected: 1, echoed: 1, echoedBytes: 12 });
    const stopped = await stop(proc, 'SIGTERM');
    expect(stopped).to.include({ event: 'stopped', signal: 'SIGTERM', echoed: 1 });
    const events = parseJsonLines(proc.lines).map((m) => m['event']);
    expect(events).to.include.members(['session', 'connected', 'closed']);
  });

  it('the HTTP API: a session by POST (answered with ufrag, pwd, lite, candidates), DELETE ends it, bad bodies are 400', async () => {
    const { proc, url } = await startServe();
    const offer = { ufrag: 'cliA', pwd: 'clientPasswordclientPassword', candidates: ['candidate:1 1 udp 2130706431 127.0.0.1 9 typ host'] };
    const { status, json } = await post(url, offer);
    expect(status).to.equal(201);
    expect(json).to.include({ lite: true, components: 1 });
    expect(json['ufrag']).to.be.a('string');
    expect(json['pwd']).to.be.a('string');
    expect(json['candidates']).to.be.an('array').with.length(1);
    expect(String((json['candidates'] as string[])[0])).to.match(/^candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
    const session = encodeURIComponent(String(json['session']));
    expect((await fetch(`${url}/session/${session}`, { method: 'DELETE' })).status).to.equal(204);
    expect((await fetch(`${url}/session/${session}`, { method: 'DELETE' })).status).to.equal(404);
    expect((await post(url, 'not json')).status).to.equal(400);
    expect((await post(url, { ufrag: 'x' })).status).to.equal(400);
    expect((await post(url, { ...offer, candidates: ['candidate:garbage'] })).status).to.equal(400);
    expect((await post(url, { ...offer, ufrag: 'bad ufrag!' })).status).to.equal(400);
    expect((await post(url, 'x'.repeat(70_000))).status).to.equal(413);
    expect((await fetch(`${url}/nothing`)).status).to.equal(404);
    expect((await stop(proc, 'SIGINT'))).to.include({ event: 'stopped', opened: 1 });
  });

  it('--workers 2: a port per worker, sessions alternate between them, the session id names its worker', async () => {
    const { proc, listening, url } = await startServe(['--workers', '2']);
    const udp = listening['udp'] as string[];
    expect(udp).to.have.length(2);
    expect(new Set(udp).size, 'two different ports').to.equal(2);
    const sessions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { json } = await post(url, { ufrag: `cli${i}`, pwd: 'clientPasswordclientPassword', candidates: [] });
      sessions.push(String(json['session']));
      // The worker's port is in the answer's candidate.
      expect(String((json['candidates'] as string[])[0])).to.include(` ${udp[workerOf(String(json['session']))!]!.replace(':', ' ')} typ host`);
    }
    expect(sessions.map((s) => workerOf(s))).to.deep.equal([0, 1, 0, 1]);
    // Addressed by id alone, a DELETE reaches the right worker.
    for (const s of sessions) expect((await fetch(`${url}/session/${encodeURIComponent(s)}`, { method: 'DELETE' })).status).to.equal(204);
    const msgs = await client(url, ['--send', 'via a worker']);
    expect(msgs.find((m) => m['type'] === 'received')).to.deep.equal({ type: 'received', component: 1, data: 'via a worker' });
    const stopped = await stop(proc, 'SIGTERM');
    expect(stopped).to.include({ event: 'stopped', opened: 5, echoed: 1 });
  });

  it('--full sessions and 2 components: a port per component, data comes back on both', async () => {
    const { proc, listening, url } = await startServe(['--full', '--components', '2']);
    expect(listening).to.include({ lite: false, components: 2 });
    expect(listening['udp']).to.have.length(2);
    const msgs = await client(url, ['--components', '2', '--send', 'both']);
    expect(msgs.filter((m) => m['type'] === 'received').map((m) => m['component']).sort()).to.deep.equal([1, 2]);
    await stop(proc, 'SIGTERM');
  });

  it('a port in use: exit 1 with the reason', async () => {
    const { proc, listening } = await startServe();
    const port = String((listening['udp'] as string[])[0]).split(':')[1]!;
    const second = new Proc(['serve', '--port', port]);
    const { code } = await second.wait(10_000);
    expect(code).to.equal(1);
    expect(second.stderr).to.match(/cannot bind 127\.0\.0\.1 port \d+: EADDRINUSE/);
    await stop(proc, 'SIGTERM');
  });
});
