// ice-probe selftest: what `npm start` runs.
import { expect } from 'chai';
import { killAll, parseJsonLines, run } from './helpers.js';

describe('ice-probe selftest', function () {
  this.timeout(30000);
  afterEach(killAll);

  it('exits 0 and prints the timeline: candidates, states, selected pair, datagrams', async () => {
    const r = await run(['selftest']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/STUN server listening on 127\.0\.0\.1:\d+/);
    expect(r.stdout).to.match(/A {2}candidate host +udp 127\.0\.0\.1:\d+/);
    expect(r.stdout).to.match(/B {2}candidate srflx udp 127\.0\.0\.1:\d+/);
    expect(r.stdout).to.match(/-> connected/);
    expect(r.stdout).to.match(/selected pair \(component 1\): .*rtt [\d.]+ ms/);
    expect(r.stdout).to.include('received "hello from A on component 1"');
    expect(r.stdout).to.include('received "hello from B on component 1"');
    expect(r.stdout).to.match(/selftest ok: connected in [\d.]+ ms/);
    expect(r.stdout).not.to.include('\x1b[');
  });

  it('--json --components 2: every line parses, ends with ok', async () => {
    const r = await run(['selftest', '--json', '--components', '2']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const events = parseJsonLines(r.lines);
    const kinds = new Set(events.map((e) => e['event']));
    for (const k of ['stun-server', 'candidate', 'stun-result', 'end-of-candidates', 'state', 'selected', 'received', 'result']) {
      expect(kinds, k).to.include(k);
    }
    expect(events.filter((e) => e['event'] === 'selected')).to.have.length(4);
    expect(events.filter((e) => e['event'] === 'received')).to.have.length(4);
    expect(events.filter((e) => e['event'] === 'state' && e['state'] === 'connected')).to.have.length(2);
    expect(events.at(-1)).to.include({ event: 'result', ok: true });
    for (const e of events) expect(e['at']).to.be.a('number');
  });
});
