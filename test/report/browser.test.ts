/**
 * Reports in a real browser: headless Chromium opens the HTML of a real selftest
 * and of a run that fails (a peer that never answers), and the test reads the
 * rendered DOM: every candidate, pair and check of the run has its mark, state
 * changes appear in order, no request left the page, no console error; then a
 * screenshot (its size checked) and a print (one page for the short selftest).
 * Skipped, with the reason, when Chromium is not installed.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderReport } from '../../lib/report/render.js';
import type { IceRecord, KnownEntry } from '../../lib/report/record.js';
import { killAll } from '../cli/helpers.js';
import { ReportBrowser, chromiumMissing, tempHtml, type PageLoad } from './support/browser.js';
import { DOM_PROBE, type DomProbe, type SectionProbe } from './support/dom-probe.js';
import { HOSTILE, hostileRecord } from './support/hostile.js';
import { pngSize, silentPeerReport, type ReportRun } from './support/real-runs.js';
import { selftestScreenshot } from './support/screenshot.js';

const CHANGE_TYPES = ['state', 'component-state', 'selected-pair', 'role', 'gathering'];

function of<T extends KnownEntry['type']>(r: IceRecord, agent: string, type: T): Extract<KnownEntry, { type: T }>[] {
  return r.entries.filter((e): e is Extract<KnownEntry, { type: T }> => e.agent === agent && e.type === type);
}

/** Every candidate, pair and check of `agent` in the record has a drawn mark; its state changes are listed and drawn in order. */
function expectAllMarked(record: IceRecord, s: SectionProbe): void {
  for (const e of of(record, s.agent, 'candidate')) {
    const key = `${e.candidate.type} ${e.candidate.address}:${e.candidate.port}`;
    expect(s.candidates.filter((c) => c.key === key && c.drawn), `candidate ${key} of ${s.agent}`).to.have.length(1);
  }
  const pairIds = [...new Set(of(record, s.agent, 'pair').map((e) => e.pair.id))].sort();
  expect(s.pairs.map((p) => p.id).sort(), `pair lanes of ${s.agent}`).to.deep.equal(pairIds);
  for (const p of s.pairs) expect(p.drawn, `pair #${p.id} lane drawn`).to.equal(true);
  expect(s.requests.sort()).to.deep.equal(of(record, s.agent, 'check-sent').map((e) => `${e.transactionId}#${e.attempt}`).sort());
  expect(s.results.sort()).to.deep.equal(of(record, s.agent, 'check-result').map((e) => `${e.transactionId}:${e.outcome}`).sort());
  const changes = record.entries.filter((e) => e.agent === s.agent && CHANGE_TYPES.includes(e.type));
  expect(s.changes.map((c) => c.t)).to.deep.equal(changes.map((e) => e.t));
  const states = of(record, s.agent, 'state').map((e) => e.state);
  expect(s.iceBands.map((b) => b.state)).to.deep.equal(['starting', ...states]);
  const xs = s.iceBands.map((b) => b.x);
  expect(xs, 'iceState bands left to right in time order').to.deep.equal([...xs].sort((a, b) => a - b));
}

describe('report: in a real browser (headless Chromium)', function () {
  this.timeout(90_000);
  let browser: ReportBrowser | undefined;
  let dir: string;

  before(async function () {
    const missing = chromiumMissing();
    if (missing) {
      console.log(`      skipped: ${missing}`);
      return this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'ice-report-browser-'));
    browser = await ReportBrowser.open();
  });
  after(async () => {
    await browser?.close();
    await killAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** What the page loaded and said must be nothing but the file itself; then the DOM probe. */
  async function probe(file: string, load: PageLoad): Promise<DomProbe> {
    expect(load.requests, 'the only request is the file itself').to.deep.equal([pathToFileURL(file).href]);
    expect(load.problems, 'console errors and warnings').to.deep.equal([]);
    return browser!.evaluate<DomProbe>(DOM_PROBE);
  }

  async function open(run: ReportRun | string): Promise<DomProbe> {
    const file = typeof run === 'string' ? run : run.html;
    return probe(file, await browser!.load(file));
  }

  it('a real selftest: every candidate, pair and check has its mark, state changes in order; screenshot; one printed page', async () => {
    const { run, load, png } = await selftestScreenshot(browser!, dir);
    const dom = await probe(run.html, load);
    expect(dom.verdict).to.equal('ok');
    expect(dom.forbidden).to.equal(0);
    expect(dom.sections.map((s) => s.agent)).to.deep.equal(['A', 'B']);
    for (const s of dom.sections) {
      expect(s.pairs.length, `agent ${s.agent} formed a pair`).to.be.greaterThan(0);
      expectAllMarked(run.record, s);
      expect(s.iceBands.map((b) => b.state)).to.include('connected');
    }
    const size = pngSize(png);
    expect(size.width).to.equal(1280);
    expect(size.height).to.be.within(600, 4000);
    expect(png.length).to.be.greaterThan(30_000);
    const pdf = (await browser!.pdf()).toString('latin1');
    expect(pdf.match(/\/Type\s*\/Page(?!s)/g), 'printed pages').to.have.length(1);
  });

  it('a run that fails (a peer that never answers): the failure and every unanswered attempt are on the page', async () => {
    const run = await silentPeerReport(dir, 3);
    expect(run.code, run.output).to.equal(1);
    const dom = await open(run);
    expect(dom.verdict).to.equal('failed');
    expect(dom.verdictText).to.match(/FAILED.*timed out after 3 s in state checking/);
    const [s] = dom.sections;
    expectAllMarked(run.record, s!);
    expect(s!.requests.length).to.be.at.least(2);
    expect(s!.results).to.deep.equal([]);
    expect(s!.pairs[0]!.text).to.match(/NO ANSWER \(\d+ sent\)/);
    expect(pngSize(await browser!.screenshot()).height).to.be.within(400, 4000);
  });

  it('a hostile record: markup in candidate strings, labels and reasons is text in the DOM', async () => {
    const { file, dir: hostileDir } = tempHtml(renderReport(hostileRecord()));
    try {
      const dom = await open(file);
      expect(dom.forbidden).to.equal(0);
      expect(dom.bodyText).to.include(HOSTILE.address);
      expect(dom.bodyText).to.include(HOSTILE.label);
      expect(dom.sections[0]!.candidates.map((c) => c.key)).to.deep.equal([`host ${HOSTILE.address}:9`]);
    } finally {
      rmSync(hostileDir, { recursive: true, force: true });
    }
  });
});
