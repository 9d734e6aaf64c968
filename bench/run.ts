// `npm run bench [-- --quick] [-- --only codec,connect]`: runs each measurement in its own child
// process (fresh heap, nothing left over from the previous one), prints one table and writes
// bench/results/latest.json.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row } from './stats.js';

const BENCHES = ['codec', 'connect', 'datapath', 'footprint', 'inbound', 'relay'] as const;
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

function goals(rows: readonly Row[]): Goal[] {
  const out: Goal[] = [];
  for (const r of rows) {
    if (r.impl !== 'ice-agent' || r.ratio === undefined) continue;
    const at = `${r.metric}: ${r.ratio.toFixed(2)}x ${r.ratioVs}`;
    if (r.bench === 'codec' && r.metric.includes('encode+decode')) out.push({ what: `codec >= 5x werift (${at})`, ok: r.ratio >= 5 });
    if (r.bench === 'datapath' && r.unit === 'dgram/s') out.push({ what: `throughput >= 0.95x raw (${at})`, ok: r.ratio >= 0.95 });
    if (r.bench === 'datapath' && r.unit === 'us') out.push({ what: `CPU/datagram <= 1.05x raw (${at})`, ok: r.ratio <= 1.05 });
    if (r.bench === 'connect' && r.metric.includes('1 component, default')) out.push({ what: `connect (1 component) <= 0.1x werift (${at})`, ok: r.ratio <= 0.1 });
    if (r.bench === 'footprint' && r.metric.startsWith('idle CPU')) out.push({ what: `idle CPU per pair <= 0.25x werift (${at})`, ok: r.ratio <= 0.25 });
    if (r.bench === 'relay' && r.unit === 'us' && r.ratioVs === 'our host path') out.push({ what: `CPU per relayed datagram <= 1.10x host (${at})`, ok: r.ratio <= 1.1 });
  }
  const ours = (bench: string, metric: string): Row | undefined =>
    rows.find((r) => r.impl === 'ice-agent' && r.bench === bench && r.metric.includes(metric));
  // werift has one component only: its 1-component time is the yardstick for our 2 components.
  const werift1 = rows.find((r) => r.impl === 'werift-ice' && r.bench === 'connect' && r.metric.includes('1 component, default'));
  const two = ours('connect', '2 components, default');
  if (werift1 && two) {
    const ratio = two.median / werift1.median;
    out.push({ what: `connect (2 components, default Ta) <= 0.5x werift's 1-component time (${ratio.toFixed(2)}x)`, ok: ratio <= 0.5 });
  }
  for (const r of rows) {
    if (r.impl === 'ice-agent' && r.bench === 'footprint' && r.metric.startsWith('heap per agent')) {
      out.push({ what: `heap per agent <= 12 KiB (${r.metric}: ${r.median.toFixed(1)} KiB)`, ok: r.median <= 12 });
    }
  }
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
  for (const f of failures) console.log(`FAILED ${f}`);
  const out = join(here, '..', '..', 'bench', 'results', 'latest.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, quick, only, seconds, goals: g, failures, rows }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
  if (failures.length > 0) process.exitCode = 1;
}

void main();
