// ice-probe peer: two processes joined by a relay that copies each one's stdout lines to the other's stdin.
import { expect } from 'chai';
import { Proc, killAll, parseJsonLines } from './helpers.js';

type Msg = Record<string, unknown>;

/** Copies `from`'s stdout lines to `to`'s stdin (optionally rewriting/holding them); ends `to`'s stdin when `from` exits. */
function relay(from: Proc, to: Proc, transform: (line: string) => string[] = (l) => [l]): void {
  from.onLine((line) => {
    for (const l of transform(line)) if (to.child.stdin.writable) to.child.stdin.write(l + '\n');
  });
  void from.exited.then(() => to.child.stdin.end());
}

async function pair(components: number, opts: { reorder?: boolean; garbage?: boolean } = {}): Promise<[Proc, Proc]> {
  const common = ['peer', '--host', '127.0.0.1', '--components', String(components), '--timeout', '15'];
  const a = new Proc([...common, '--role', 'controlling', '--send', 'hello from A']);
  const b = new Proc([...common, '--role', 'controlled', '--send', 'hello from B']);
  if (opts.garbage) {
    for (const p of [a, b]) {
      p.child.stdin.write('this is not json\n');
      p.child.stdin.write('[1,2,3]\n');
      p.child.stdin.write('{"type":"candidate","component":1,"candidate":"candidate:bogus"}\n');
      p.child.stdin.write('{"type":"from-the-future","x":1}\n');
    }
  }
  // Reorder: hold each side's params until its end-of-candidates has been forwarded.
  const reorder = (): ((line: string) => string[]) => {
    let held: string | undefined;
    return (line) => {
      const m = JSON.parse(line) as Msg;
      if (m['type'] === 'params') return (held = line), [];
      if (m['type'] === 'end-of-candidates' && held !== undefined) return [line, held];
      return [line];
    };
  };
  relay(a, b, opts.reorder ? reorder() : undefined);
  relay(b, a, opts.reorder ? reorder() : undefined);
  await Promise.all([a.wait(20000), b.wait(20000)]);
  return [a, b];
}

function check(p: Proc, components: number, role: string, otherText: string): Msg[] {
  const ctx = `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`;
  const msgs = parseJsonLines(p.lines);
  expect(msgs[0], ctx).to.include({ type: 'params', role, components, sends: true });
  expect(msgs[0]!['ufrag']).to.be.a('string');
  expect(msgs[0]!['pwd']).to.be.a('string');
  const candidates = msgs.filter((m) => m['type'] === 'candidate');
  expect(candidates.length, ctx).to.be.at.least(components);
  for (const c of candidates) expect(c['candidate']).to.match(new RegExp(`^candidate:\\S+ ${String(c['component'])} udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host ufrag ${String(msgs[0]!['ufrag']).replace(/[+/]/g, '\\$&')}$`));
  expect(msgs.filter((m) => m['type'] === 'end-of-candidates')).to.have.length(1);
  const states = msgs.filter((m) => m['type'] === 'state');
  expect(states.map((s) => s['state']), ctx).to.include('connected');
  for (const s of states) expect(s['at']).to.be.a('number');
  for (let c = 1; c <= components; c++) {
    const selected = msgs.find((m) => m['type'] === 'selected' && m['component'] === c);
    expect(selected, ctx).to.not.equal(undefined);
    expect(selected!['local']).to.match(/^candidate:/);
    expect(selected!['remote']).to.match(/^candidate:/);
    expect(msgs.find((m) => m['type'] === 'received' && m['component'] === c), ctx).to.deep.equal({ type: 'received', component: c, data: otherText });
  }
  expect(msgs.at(-1), ctx).to.include({ type: 'done', ok: true });
  return msgs;
}

describe('ice-probe peer (JSON Lines signalling)', function () {
  this.timeout(30000);
  afterEach(killAll);

  for (const components of [1, 2]) {
    it(`two peers joined by a relay connect with ${components} component${components === 1 ? '' : 's'} and exchange --send text`, async () => {
      const [a, b] = await pair(components);
      expect((await a.exited).code, a.stderr).to.equal(0);
      expect((await b.exited).code, b.stderr).to.equal(0);
      check(a, components, 'controlling', 'hello from B');
      check(b, components, 'controlled', 'hello from A');
      expect(a.stderr + b.stderr).to.equal('');
    });
  }

  it('candidates before params, malformed lines and bad candidates: warnings on stderr, still connects', async () => {
    const [a, b] = await pair(1, { reorder: true, garbage: true });
    for (const [p, role, text] of [[a, 'controlling', 'hello from B'], [b, 'controlled', 'hello from A']] as const) {
      expect((await p.exited).code, p.stderr).to.equal(0);
      check(p, 1, role, text);
      expect(p.stderr).to.match(/warning: stdin line 1: not JSON/);
      expect(p.stderr).to.match(/warning: stdin line 2: not a JSON object/);
      expect(p.stderr).to.match(/warning: ignored candidate on stdin line 3: /);
      expect(p.stderr).not.to.match(/line 4/); // unknown types are ignored silently
    }
  });

  it('without --send on the other side: done once connected; stdin closing is fine', async () => {
    const common = ['peer', '--host', '127.0.0.1', '--timeout', '15'];
    const a = new Proc([...common, '--role', 'controlling']);
    const b = new Proc([...common, '--role', 'controlled', '--verbose']);
    relay(a, b);
    relay(b, a);
    const [ea, eb] = await Promise.all([a.wait(20000), b.wait(20000)]);
    expect(ea.code, a.stderr).to.equal(0);
    expect(eb.code, b.stderr).to.equal(0);
    expect(parseJsonLines(a.lines).at(-1)).to.include({ type: 'done', ok: true });
    expect(parseJsonLines(a.lines)[0]).to.include({ sends: false });
    expect(b.stderr).to.match(/\[peer [\d.]+ ms\] iceState/); // --verbose logs go to stderr
  });

  it('nobody on the other side: exit 1 with done ok=false after --timeout', async () => {
    const p = new Proc(['peer', '--host', '127.0.0.1', '--timeout', '1']);
    const { code } = await p.wait(10000);
    expect(code).to.equal(1);
    const last = parseJsonLines(p.lines).at(-1);
    expect(last).to.include({ type: 'done', ok: false });
    expect(last!['reason']).to.match(/timed out after 1 s .*no params/);
  });
});
