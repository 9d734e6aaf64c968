// The renderer: one self-contained, well-formed HTML document; every candidate and pair
// present; every string from the record escaped; tolerant of records it does not fully know.
import { expect } from 'chai';
import { renderReport, CONTENT_SECURITY_POLICY } from '../../lib/report/render.js';
import { readRecord } from '../../lib/report/read-record.js';
import { RECORD_FORMAT, type IceRecord, type KnownEntry, type RecordEntry } from '../../lib/report/record.js';
import { attributeNames, dataValues, elementNames, tagBalance } from './support/html-check.js';
import { hostileRecord, HOSTILE } from './support/hostile.js';
import { virtualRun } from './support/virtual-run.js';

function entriesOf<T extends KnownEntry['type']>(r: IceRecord, type: T): Extract<KnownEntry, { type: T }>[] {
  return r.entries.filter((e): e is Extract<KnownEntry, { type: T }> => e.type === type);
}

/** Nothing that makes a request or runs: no script or embedding element, no src/href/on* attribute, no url() but local fragments. */
function selfContained(html: string): void {
  const elements = elementNames(html);
  for (const e of ['script', 'img', 'iframe', 'object', 'embed', 'link', 'image', 'use', 'foreignobject', 'a']) expect(elements.has(e), `<${e}>`).to.equal(false);
  const attributes = [...attributeNames(html)];
  expect(attributes.filter((a) => a.startsWith('on') || ['src', 'href', 'xlink:href', 'srcset', 'action', 'poster', 'style'].includes(a))).to.deep.equal([]);
  expect(html).not.to.match(/@import|@font-face/i);
  expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1])).to.satisfy((urls: string[]) => urls.every((u) => u.startsWith('#')));
  expect(html).to.include(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`);
}

describe('report: renderer', function () {
  this.timeout(20000);
  let record: IceRecord;

  before(async () => {
    const run = virtualRun({ nat: true, components: 2 });
    await run.connect();
    run.recorder.setVerdict(true, 'both completed');
    record = await run.close();
  });

  it('renders one well-formed, self-contained document', () => {
    const html = renderReport(record);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')).to.equal(true);
    expect(tagBalance(html)).to.deep.equal([]);
    selfContained(html);
    expect(html).to.include('data-verdict="ok"');
  });

  it('has a mark for every local candidate, a lane for every pair and a marker for every check', () => {
    const html = renderReport(record);
    const candidates = entriesOf(record, 'candidate').map((e) => `${e.candidate.type} ${e.candidate.address}:${e.candidate.port}`);
    expect(candidates.length).to.be.greaterThan(4);
    const marks = dataValues(html, 'candidate');
    for (const c of candidates) expect(marks, c).to.include(c);
    const pairIds = new Set(entriesOf(record, 'pair').map((e) => String(e.pair.id)));
    const lanes = [...html.matchAll(/<g class="lane lane-pair[^"]*"[^>]*data-pair="(\d+)"/g)].map((m) => m[1]);
    expect(new Set(lanes)).to.deep.equal(pairIds);
    const txs = new Set(dataValues(html, 'tx'));
    for (const e of entriesOf(record, 'check-sent')) expect(txs.has(e.transactionId), e.transactionId).to.equal(true);
  });

  it('lists state changes in record order and orders pair lanes by component, then priority', () => {
    const html = renderReport(record);
    const section = html.slice(html.indexOf('<section class="agent" data-agent="A"'), html.indexOf('<section class="agent" data-agent="B"'));
    const rows = dataValues(section, 'change');
    const expected = record.entries.filter((e) => e.agent === 'A' && ['state', 'component-state', 'selected-pair', 'role', 'gathering'].includes(e.type));
    expect(rows).to.have.length(expected.length);
    expect(rows.filter((r) => /-> (checking|connected|completed|closed)$/.test(r)).slice(0, 3)).to.deep.equal(['starting -> checking', 'starting -> checking', 'starting -> checking']);
    const lanes = [...section.matchAll(/data-pair="(\d+)" data-component="(\d+)"/g)].map((m) => ({ id: Number(m[1]), component: Number(m[2]) }));
    const priority = new Map(entriesOf(record, 'pair').filter((e) => e.agent === 'A').map((e) => [e.pair.id, BigInt(e.pair.priority)]));
    for (let i = 1; i < lanes.length; i++) {
      const [x, y] = [lanes[i - 1]!, lanes[i]!];
      expect(x.component < y.component || (x.component === y.component && priority.get(x.id)! >= priority.get(y.id)!), `lane ${x.id} before ${y.id}`).to.equal(true);
    }
  });

  it('ends a pair lane where the pair left the checklist, and shows why components changed state', () => {
    const html = renderReport(record);
    const removed = entriesOf(record, 'pair-removed');
    expect(removed.length, 'the NAT run prunes pairs after nomination').to.be.greaterThan(0);
    for (const r of removed) {
      const lane = html.slice(html.indexOf(`data-pair="${r.pairId}"`));
      expect(lane.slice(0, lane.indexOf('</g><g class="lane')), `pair #${r.pairId}`).to.include(`pair #${r.pairId}: removed at`);
    }
    for (const e of entriesOf(record, 'component-state')) expect(e.reason, 'component-state reason').to.be.a('string').and.not.equal('');
    expect(html).to.include('a pair is valid');
  });

  it('is deterministic and survives a JSON round trip unchanged', () => {
    expect(renderReport(JSON.stringify(record))).to.equal(renderReport(record));
  });

  it('escapes every string from the record: a hostile mDNS name, label or reason stays text', () => {
    const html = renderReport(hostileRecord());
    expect(tagBalance(html)).to.deep.equal([]);
    selfContained(html);
    expect(html).not.to.include(HOSTILE.address);
    expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dataValues(html, 'candidate')).to.include(`host ${HOSTILE.address}:9`);
    expect(html).not.to.match(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  });

  it('renders records it only partly knows: newer version, unknown entries, malformed ones', () => {
    const future = { ...JSON.parse(JSON.stringify(record)), version: 7 };
    future.entries = [{ t: 1, agent: 'A', type: 'lite-binding', port: 3478 }, { t: 2, agent: 'A', type: 'candidate', candidate: { address: 5 } }, 'junk', ...future.entries];
    const html = renderReport(future);
    expect(html).to.include('format version 7');
    expect(html).to.include('lite-binding (1)');
    expect(html).to.include('2 malformed entries were skipped');
    expect(tagBalance(html)).to.deep.equal([]);
  });

  it('shows an ICE restart on the events lane of the agent that restarted and of its peer', async () => {
    const run = virtualRun();
    expect(await run.connect().then(() => run.a.iceState)).to.equal('completed');
    const restarts: string[] = [];
    for (const x of [run.a, run.b]) x.on('restart', (_p, by) => restarts.push(by));
    void run.a.restart();
    const again = await run.clock.runUntilTrue(() => restarts.length === 2 && run.a.iceState === 'completed' && run.b.iceState === 'completed', run.clock.now() + 60_000);
    expect(again, 'both complete again after the restart').to.equal(true);
    const restarted = await run.close();
    const entries = restarted.entries.filter((e) => e.type === 'restart') as unknown as { agent: string; by: string; ufrag: string }[];
    expect(entries.map((e) => `${e.agent} ${e.by}`)).to.deep.equal(['A local', 'B peer']);
    const html = renderReport(restarted);
    expect(html).not.to.include('types this renderer does not know');
    expect(tagBalance(html)).to.deep.equal([]);
    for (const e of entries) {
      const section = html.slice(html.indexOf(`<section class="agent" data-agent="${e.agent}"`));
      const lane = section.slice(section.indexOf('data-lane="events"'));
      expect(dataValues(lane.slice(0, lane.indexOf('</svg>')), 'mark'), `agent ${e.agent}`).to.include('restart');
      const text = `ICE restart (by ${e.by === 'local' ? 'this agent' : 'peer'}), ufrag ${e.ufrag}`;
      expect(section.slice(0, section.indexOf('</section>')), `agent ${e.agent}`).to.include(text);
      expect(dataValues(section.slice(0, section.indexOf('</section>')), 'change'), `agent ${e.agent}: changes table`).to.include(`new ufrag ${e.ufrag}`);
    }
  });

  it('renders a record too long to spread into one call (200 000 entries)', () => {
    // Drop samples: cheap to draw, so the test is about the record's length, not drawing speed.
    const entries: RecordEntry[] = [];
    for (let i = 0; i < 200_000; i++) entries.push({ t: i, agent: 'A', type: 'drops', counters: { malformed: Math.floor(i / 50_000) + 1 } });
    const html = renderReport({ format: RECORD_FORMAT, version: 1, durationMs: 0, run: {}, agents: [{ label: 'A' }], entries });
    expect(tagBalance(html)).to.deep.equal([]);
    expect(html).to.include('200 s long');
    expect(dataValues(html, 'drops')).to.deep.equal(['+1 malformed', '+1 malformed', '+1 malformed', '+1 malformed']);
  });

  it('rejects what is not a record, with a typed error', () => {
    for (const bad of ['{', '[]', JSON.stringify({ format: 'other' }), JSON.stringify({ format: RECORD_FORMAT, version: 1 })]) {
      expect(() => readRecord(bad), bad).to.throw().with.property('code', 'ERR_INVALID_ARGUMENT');
    }
  });

  it('renders an empty record (a run that failed before any event)', () => {
    const html = renderReport({ format: RECORD_FORMAT, version: 1, durationMs: 0, run: { verdict: { ok: false, reason: 'no address' } }, agents: [{ label: 'A' }], entries: [] });
    expect(html).to.include('data-verdict="failed"');
    expect(html).to.include('No local candidate was gathered.');
    expect(tagBalance(html)).to.deep.equal([]);
  });
});
