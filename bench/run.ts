// `npm run bench [-- --quick] [-- --only codec,connect]`: runs each measurement in its own child
// process (fresh heap, nothing left over from the previous one), prints one table and writes
// bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMERS } from '../lib/index.js';
import type { Row } from './stats.js';

const BENCHES = ['codec', 'connect', 'datapath', 'footprint', 'inbound', 'process-pair', 'relay', 'mux-router', 'server'] as const;
const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: readonly string[]): { quick: boolean; only: string[] } {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--only');
  const only = i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : [...BENCHES];
  for (const name of only) if (!(BENCHES as readonly string[]).includes(name)) throw new Error(`unknown benchmark "${name}" (${BENCHES.join(', ')})`);
  return { quick, only };
}

function runOne(name: string, quick: boolean): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, `${name}.js`), quick ? ['--quick'] : []);
    let rows: Row[] | undefined;
    child.on('message', (m) => (rows = (m as { rows: Row[] }).rows));
    child.on('error', reject);
    child.on('exit', (code) => (rows ? resolve(rows) : reject(new Error(`${name} exited with code ${code}`))));
  });
}

function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function table(rows: readonly Row[]): string {
  const head = ['bench', 'implementation', 'metric', 'unit', 'n', 'median', 'p90', 'ratio', 'vs', 'note'];
  const body = rows.map((r) => [
    r.bench, r.impl, r.metric, r.unit, String(r.n), fmt(r.median), fmt(r.p90),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.ratioVs ?? '', r.note ?? '',
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const numeric = new Set([4, 5, 6, 7]);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

interface Goal {
  readonly what: string;
  readonly ok: boolean;
}

/** What the rows say that no goal checks: each side's time to connected (RFC 7675 consent before sending). */
function notes(rows: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.impl !== 'ice-agent' || !r.metric.startsWith('controlled side lag, ')) continue;
    const how = r.metric.replace('controlled side lag, ', '');
    out.push(`controlled side connects ${r.median.toFixed(2)} ms (median, p90 ${r.p90.toFixed(2)}) after the controlling side (${how})`);
  }
  return out;
}

function goals(rows: readonly Row[]): Goal[] {
  const out: Goal[] = [];
  for (const r of rows) {
    if (r.impl !== 'ice-agent' || r.ratio === undefined) continue;
    const at = `${r.metric}: ${r.ratio.toFixed(2)}x ${r.ratioVs}`;
    if (r.bench === 'codec' && r.metric.includes('encode+decode')) out.push({ what: `codec >= 0.9x the node:crypto floor (${at})`, ok: r.ratio >= 0.9 });
    if (r.bench === 'datapath' && r.unit === 'dgram/s') out.push({ what: `throughput >= 0.95x raw (${at})`, ok: r.ratio >= 0.95 });
    if (r.bench === 'datapath' && r.unit === 'us') out.push({ what: `CPU/datagram <= 1.05x raw (${at})`, ok: r.ratio <= 1.05 });
    if (r.bench === 'connect' && r.metric.includes('1 component, default')) out.push({ what: `connect (1 component) <= 0.1x werift (${at})`, ok: r.ratio <= 0.1 });
    if (r.bench === 'footprint' && r.metric.startsWith('idle CPU')) out.push({ what: `idle CPU per pair <= 0.25x werift (${at})`, ok: r.ratio <= 0.25 });
    if (r.bench === 'relay' && r.unit === 'us' && r.ratioVs === 'our host path') out.push({ what: `CPU per relayed datagram <= 1.10x host (${at})`, ok: r.ratio <= 1.1 });
  }
  const ours = (bench: string, metric: string): Row | undefined =>
    rows.find((r) => r.impl === 'ice-agent' && r.bench === bench && r.metric.includes(metric));
  // RFC 8445 pacing makes the second component's first check wait one Ta; nothing else should.
  const two = ours('connect', '2 components, default');
  const limit = DEFAULT_TIMERS.taMs + 3;
  if (two) out.push({ what: `connect (2 components, default Ta) <= Ta + 3 ms = ${limit} ms (${two.median.toFixed(1)} ms)`, ok: two.median <= limit });
  const pair = ours('process pair', 'both params -> both connected');
  if (pair) out.push({ what: `process pair: two fresh processes connected <= 10 ms after both params (${pair.median.toFixed(1)} ms)`, ok: pair.median <= 10 });
  for (const r of rows) {
    if (r.impl === 'ice-agent' && r.bench === 'footprint' && r.metric.startsWith('heap per agent')) {
      out.push({ what: `heap per agent <= 12 KiB (${r.metric}: ${r.median.toFixed(1)} KiB)`, ok: r.median <= 12 });
    }
  }
  return [...out, ...serverGoals(rows)];
}

/** Issue 14's goals for `--only server` (bench/server.ts). */
function serverGoals(rows: readonly Row[]): Goal[] {
  const find = (metric: string): Row | undefined => rows.find((r) => r.bench === 'server' && r.metric.startsWith(metric));
  const out: Goal[] = [];
  const goal = (metric: string, what: (r: Row) => string, ok: (r: Row) => boolean): void => {
    const r = find(metric);
    if (r) out.push({ what: what(r), ok: ok(r) });
  };
  goal('heap per lite agent', (r) => `server: heap per agent <= 8 KiB, router entries included (${r.median.toFixed(2)} KiB)`, (r) => r.median <= 8);
  goal('authenticated checks answered', (r) => `server: >= 40,000 authenticated checks answered per second on one core (${fmt(r.median)} per CPU-second)`, (r) => r.median >= 40_000);
  goal('agents reaching completed', (r) => `server: >= 2,000 agents per second reaching completed end to end (${fmt(r.median)}/s)`, (r) => r.median >= 2000);
  goal('idle: server CPU', (r) => `server: idle (a consent check every 5 s from every client) <= 10 % of one core (${r.median.toFixed(1)} %)`, (r) => r.median <= 10);
  goal('checks answered per CPU-second of the server processes, 2 worker', (r) => `server: two worker ports answer >= 0.8x one worker's checks per CPU-second (${(r.ratio ?? Number.NaN).toFixed(2)}x)`, (r) => (r.ratio ?? 0) >= 0.8);
  return out;
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const rows: Row[] = [];
  const failures: string[] = [];
  for (const name of only) {
    const t = Date.now();
    process.stderr.write(`bench: ${name}${quick ? ' (quick)' : ''}... `);
    try {
      rows.push(...(await runOne(name, quick)));
      process.stderr.write(`${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
      process.stderr.write('FAILED\n');
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  console.log(`\nice-agent vs werift-ice, node ${process.version}, ${cpus().length} CPUs${quick ? ', --quick' : ''}, ${seconds.toFixed(0)} s`);
  console.log('ratio = median of per-round ratios (ours / baseline, rounds interleaved); p90 = the worse tail (10th percentile for rates)\n');
  console.log(table(rows));
  const g = goals(rows);
  if (g.length > 0) console.log(`\ngoals:\n${g.map((x) => `  [${x.ok ? 'met' : 'NOT MET'}] ${x.what}`).join('\n')}`);
  const n = notes(rows);
  if (n.length > 0) console.log(`\nnotes:\n${n.map((x) => `  ${x}`).join('\n')}`);
  for (const f of failures) console.log(`FAILED ${f}`);
  const out = join(here, '..', '..', 'bench', 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, quick, only, seconds, goals: g, notes: n, failures, rows }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
  if (failures.length > 0) process.exitCode = 1;
}

void main();
