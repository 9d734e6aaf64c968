// getStats() in the CLI: `peer --stats` writes one stats line before done; selftest shows the selected pair's counters.
import { expect } from 'chai';
import { Proc, killAll, parseJsonLines, run } from './helpers.js';

type Msg = Record<string, unknown>;
type PairStats = Record<string, number | string | boolean>;

describe('ice-probe: statistics', function () {
  this.timeout(30000);
  afterEach(killAll);

  it('peer --stats: one stats line just before done; the selected pair counts the datagram each side received', async () => {
    const common = ['peer', '--host', '127.0.0.1', '--timeout', '15', '--stats'];
    const a = new Proc([...common, '--role', 'controlling', '--send', 'hello from A']);
    const b = new Proc([...common, '--role', 'controlled', '--send', 'hi B']);
    for (const [from, to] of [[a, b], [b, a]] as const) {
      from.onLine((line) => to.child.stdin.writable && to.child.stdin.write(line + '\n'));
      void from.exited.then(() => to.child.stdin.end());
    }
    const [ea, eb] = await Promise.all([a.wait(20000), b.wait(20000)]);
    expect([ea.code, eb.code], a.stderr + b.stderr).to.deep.equal([0, 0]);
    for (const [p, got] of [[a, 'hi B'], [b, 'hello from A']] as const) {
      const msgs = parseJsonLines(p.lines);
      const stats = msgs.at(-2)!;
      expect(msgs.at(-1)).to.include({ type: 'done', ok: true });
      expect(msgs.filter((m) => m['type'] === 'stats')).to.have.length(1);
      expect(stats['type']).to.equal('stats');
      const transport = (stats['transports'] as Msg[])[0]!;
      expect(transport).to.include({ type: 'transport', id: 'T1', packetsReceived: 1, bytesReceived: got.length });
      const pair = (stats['candidatePairs'] as PairStats[]).find((x) => x['id'] === transport['selectedCandidatePairId'])!;
      expect(pair).to.include({ packetsReceived: 1, bytesReceived: got.length, state: 'succeeded' });
      expect(pair['requestsReceived']).to.be.at.least(1);
      expect(pair['responsesSent']).to.equal(pair['requestsReceived']);
      const local = (stats['localCandidates'] as Msg[]).find((c) => c['id'] === pair['localCandidateId']);
      expect(local).to.include({ address: '127.0.0.1', candidateType: 'host', protocol: 'udp' });
    }
  });

  it('selftest shows each agent\'s selected-pair counters after the exchange', async () => {
    const r = await run(['selftest', '--json']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const counters = parseJsonLines(r.lines).filter((e) => e['event'] === 'pair-stats');
    expect(counters.map((e) => e['agent'])).to.deep.equal(['A', 'B']);
    for (const e of counters) {
      expect(e).to.include({ component: 1, packetsSent: 1, packetsReceived: 1, bytesSent: 'hello from A on component 1'.length });
      expect(e['responsesReceived']).to.be.at.least(1);
    }
    const text = await run(['selftest']);
    expect(text.stdout).to.match(/A {2}pair counters \(component 1\): sent 1 \(27 B\), received 1 \(27 B\); checks sent \d+/);
  });
});
