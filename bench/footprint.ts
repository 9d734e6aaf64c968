// 4. Footprint and upkeep of N connected pairs in one process: heap and RSS per agent (after
// global.gc), file descriptors per agent (/proc/self/fd), and idle CPU per pair per second spent on
// consent freshness. Each case runs in its own child process (node --expose-gc) so that heap and
// RSS start from the same baseline.
import { fork } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeAll, connectOurs, connectWerift } from './peers.js';
import { cpuSince, median, nowMs, row, runMain, sleep, type BenchOptions, type Row } from './stats.js';

interface CaseResult {
  readonly impl: string;
  readonly pairs: number;
  readonly heapPerAgent: number;
  readonly rssPerAgent: number;
  readonly fdsPerAgent: number;
  /** CPU microseconds per pair per second, one value per 5 s window (one consent interval). */
  readonly idleWindows: number[];
  readonly setupMs: number;
  readonly stillConnected: number;
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('footprint needs node --expose-gc');
  for (let i = 0; i < 3; i++) g();
};
const fds = (): number => readdirSync('/proc/self/fd').length;

async function measure(impl: string, pairs: number, idleSeconds: number): Promise<CaseResult> {
  const connect = impl === 'ice-agent' ? () => connectOurs() : () => connectWerift();
  const isUp = impl === 'ice-agent'
    ? (a: unknown) => ['connected', 'completed'].includes((a as { iceState: string }).iceState)
    : (a: unknown) => ['connected', 'completed'].includes((a as { state: string }).state);
  const first = await connect(); // warm-up: code loaded and compiled before the baseline
  await closeAll([first.a, first.b]);
  await sleep(100);
  gc();
  const m0 = process.memoryUsage();
  const f0 = fds();
  const agents: { close(): Promise<void> }[] = [];
  const t0 = nowMs();
  const batch = 50;
  for (let i = 0; i < pairs; i += batch) {
    const made = await Promise.all(Array.from({ length: Math.min(batch, pairs - i) }, () => connect()));
    for (const c of made) agents.push(c.a, c.b);
  }
  const setupMs = nowMs() - t0;
  await sleep(500);
  gc();
  const m1 = process.memoryUsage();
  const f1 = fds();
  const n = agents.length;
  // Idle: nothing but consent freshness (5 s +-20% in both implementations).
  const idleWindows: number[] = [];
  for (let s = 0; s < idleSeconds; s += 5) {
    const c0 = process.cpuUsage();
    const w0 = nowMs();
    await sleep(5000);
    idleWindows.push(cpuSince(c0) / pairs / ((nowMs() - w0) / 1000));
  }
  const stillConnected = agents.filter(isUp).length;
  for (let i = 0; i < agents.length; i += 500) await closeAll(agents.slice(i, i + 500));
  return {
    impl, pairs, setupMs, stillConnected, idleWindows,
    heapPerAgent: (m1.heapUsed - m0.heapUsed) / n,
    rssPerAgent: (m1.rss - m0.rss) / n,
    fdsPerAgent: (f1 - f0) / n,
  };
}

function runCase(impl: string, pairs: number, idleSeconds: number): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--case', impl, String(pairs), String(idleSeconds)], {
      execArgv: ['--expose-gc'],
    });
    let result: CaseResult | undefined;
    child.on('message', (m) => (result = m as CaseResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`footprint case ${impl} x${pairs} exited ${code}`))));
  });
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const idle = o.quick ? 5 : 15;
  const cases: [string, number][] = o.quick
    ? [['ice-agent', 200], ['werift-ice', 200]]
    : [['ice-agent', 200], ['werift-ice', 200], ['ice-agent', 2000]];
  const results: CaseResult[] = [];
  for (const [impl, pairs] of cases) results.push(await runCase(impl, pairs, idle));
  const werift = results.find((r) => r.impl === 'werift-ice');
  const rows: Row[] = [];
  for (const r of results) {
    const vs = r.impl === 'ice-agent' && r.pairs === werift?.pairs ? werift : undefined;
    const base = { bench: 'footprint', impl: r.impl, ...(vs && { ratioVs: 'werift-ice' }) };
    const one = (metric: string, unit: string, v: number, w: number | undefined, note?: string): Row => ({
      ...row({ ...base, metric: `${metric}, N=${r.pairs} pairs`, unit, ...(note && { note }) }, [v]),
      ...(w !== undefined && { ratio: v / w }),
    });
    rows.push(one('heap per agent', 'KiB', r.heapPerAgent / 1024, vs && vs.heapPerAgent / 1024));
    rows.push(one('RSS per agent', 'KiB', r.rssPerAgent / 1024, vs && vs.rssPerAgent / 1024));
    rows.push(one('fds per agent', 'fd', r.fdsPerAgent, vs?.fdsPerAgent));
    const mean = r.idleWindows.reduce((s, x) => s + x, 0) / r.idleWindows.length;
    rows.push({
      ...row({ ...base, metric: `idle CPU per pair per second, N=${r.pairs} pairs`, unit: 'us',
        note: `mean ${mean.toFixed(1)} us, ${r.idleWindows.length} x 5 s windows; ${r.stillConnected}/${2 * r.pairs} agents connected after; setup ${(r.setupMs / 1000).toFixed(1)} s` },
      r.idleWindows),
      ...(vs && { ratio: median(r.idleWindows) / median(vs.idleWindows) }),
    });
  }
  return rows;
}

const at = process.argv.indexOf('--case');
if (at >= 0) {
  const [impl, pairs, idle] = process.argv.slice(at + 1);
  measure(impl!, Number(pairs), Number(idle)).then(
    (r) => (process.send ? process.send(r, () => process.exit(0)) : console.log(JSON.stringify(r))),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  runMain(import.meta.url, main);
}
