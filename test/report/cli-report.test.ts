// ice-probe selftest|peer|gather --report/--report-json, and ice-probe report: files written
// on success and on failure, the JSON renders to the very same HTML later.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll, run } from '../cli/helpers.js';
import { renderReport } from '../../lib/report/render.js';
import { selftestReport, silentPeerReport } from './support/real-runs.js';

describe('ice-probe --report', function () {
  this.timeout(40_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ice-report-cli-'))));
  afterEach(async () => {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('selftest: both files, verdict ok, both agents; `ice-probe report` renders the JSON to the same HTML', async () => {
    const r = await selftestReport(dir);
    expect(r.code, r.output).to.equal(0);
    expect(r.output).to.include(`report written to ${r.html}`);
    expect(r.record.run).to.deep.include({ title: 'ice-probe selftest', verdict: { ok: true, reason: r.record.run.verdict!.reason } });
    expect(r.record.agents.map((a) => [a.label, a.role])).to.deep.equal([['A', 'controlling'], ['B', 'controlled']]);
    expect(r.record.entries.some((e) => e.type === 'check-result')).to.equal(true);
    const html = readFileSync(r.html, 'utf8');
    expect(html).to.equal(renderReport(r.record));
    const again = join(dir, 'again.html');
    const rendered = await run(['report', '--from', r.json, '-o', again]);
    expect(rendered.code, rendered.stderr).to.equal(0);
    expect(readFileSync(again, 'utf8')).to.equal(html);
  });

  it('peer that never gets an answer: exit 1, and the report is written anyway with the failure and every attempt', async () => {
    const r = await silentPeerReport(dir, 3);
    expect(r.code, r.output).to.equal(1);
    expect(r.record.run.verdict).to.deep.include({ ok: false });
    expect(r.record.run.verdict!.reason).to.match(/timed out after 3 s/);
    const sent = r.record.entries.filter((e) => e.type === 'check-sent');
    expect(sent.length, 'first check and its retransmissions').to.be.at.least(2);
    expect(r.datagramsToSilentPeer, 'the checks really left').to.be.within(1, sent.length);
    expect(r.record.entries.some((e) => e.type === 'check-result')).to.equal(false);
    expect(readFileSync(r.html, 'utf8')).to.include('NO ANSWER');
  });

  it('gather --report: candidates of this machine on loopback only', async () => {
    const html = join(dir, 'gather.html');
    const r = await run(['gather', '--address', '127.0.0.1', '--report', html]);
    expect(r.code, r.stderr).to.equal(0);
    const text = readFileSync(html, 'utf8');
    expect(text).to.match(/data-candidate="host 127\.0\.0\.1:\d+"/);
    expect(text).to.include('data-verdict="ok"');
  });

  it('bad input: no --from is a usage error; a file that is not a record fails with the reason; an unwritable report is reported', async () => {
    expect((await run(['report', '--report', join(dir, 'x.html')])).code).to.equal(2);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"format":"something else"}');
    const r = await run(['report', '--from', junk, '--report', join(dir, 'y.html')]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('not an ice-agent report record');
    const w = await run(['selftest', '--report', join(dir, 'no-such-dir', 'r.html')]);
    expect(w.code, 'the run itself still succeeds').to.equal(0);
    expect(w.stderr).to.match(/cannot write report .*no-such-dir/);
  });
});
