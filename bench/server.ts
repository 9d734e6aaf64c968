// `npm run bench -- --only server`: 10,000 ICE-lite agents on one UDP port in one process
// (bench/server-process.ts), driven by a load generator in another (bench/server-load.ts, one UDP
// socket per client). Measured in the server process: heap per agent (router entries included),
// authenticated checks answered per CPU-second, agents reaching `completed` per second end to end,
// CPU at idle (a consent check every 5 s from every client), and the efficiency of two worker
// ports (two server processes) against one. --quick: 2,000 agents, shorter windows.
import { fileURLToPath } from 'node:url';
import { row, runMain, type BenchOptions, type Row } from './stats.js';
import { Child } from './server-ipc.js';

interface Counts {
  readonly completed: number;
  readonly received: number;
  readonly answered: number;
  readonly addresses: number;
  readonly cpuUs: number;
}

interface Setup {
  readonly port: number;
  readonly setupMs: number;
  readonly heapBefore: number;
}

const script = (name: string): string => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
/** BENCH_TRACE=1: progress on stderr. */
const trace = (what: string): void => void (process.env['BENCH_TRACE'] && process.stderr.write(`[server bench ${Math.round(performance.now())} ms] ${what}\n`));

function startServer(name: string): Child {
  return Child.start(script('server-process'), name, ['--expose-gc']);
}

async function sum(servers: readonly Child[]): Promise<Counts> {
  const all = await Promise.all(servers.map((s) => s.ask<Counts>('counts')));
  return all.reduce((a, b) => ({
    completed: a.completed + b.completed, received: a.received + b.received, answered: a.answered + b.answered,
    addresses: a.addresses + b.addresses, cpuUs: a.cpuUs + b.cpuUs,
  }));
}

/** Sets up `n` agents split over `servers` (worker k on its own port), opens the clients, connects them all. */
async function connectAll(servers: readonly Child[], load: Child, n: number): Promise<{ setups: Setup[]; setupMs: number; connectMs: number }> {
  const per = n / servers.length;
  const t0 = performance.now();
  const setups = await Promise.all(servers.map((s, worker) => s.ask<Setup>('setup', { n: per, worker })));
  const setupMs = performance.now() - t0;
  trace(`${n} agents made in ${Math.round(setupMs)} ms`);
  await load.ask('open', { targets: setups.map((s, worker) => ({ port: s.port, worker, count: per })) });
  trace(`${n} client sockets open`);
  const t1 = performance.now();
  await load.ask('connect');
  for (let c = await sum(servers); c.completed < n; c = await sum(servers)) await new Promise((r) => setTimeout(r, 10));
  trace(`all completed in ${Math.round(performance.now() - t1)} ms`);
  return { setups, setupMs, connectMs: performance.now() - t1 };
}

/** Closed-loop load for `ms`: checks answered per CPU-second of the server processes (and per wall second). */
async function answeredRate(servers: readonly Child[], load: Child, ms: number): Promise<{ perCpuSecond: number; perSecond: number }> {
  const c0 = await sum(servers);
  const r = await load.ask<{ ms: number }>('load', { ms, window: 256 });
  const c1 = await sum(servers);
  const answered = c1.answered - c0.answered;
  return { perCpuSecond: answered / ((c1.cpuUs - c0.cpuUs) / 1e6), perSecond: answered / (r.ms / 1000) };
}

async function idleCpu(servers: readonly Child[], load: Child, n: number, ms: number): Promise<number> {
  const c0 = await sum(servers);
  const t0 = performance.now();
  await load.ask('idle', { ms, perSecond: n / 5 });
  const c1 = await sum(servers);
  return (100 * (c1.cpuUs - c0.cpuUs) / 1000) / (performance.now() - t0);
}

async function oneWorker(n: number, rounds: number, loadMs: number, idleMs: number): Promise<{ rows: Row[]; cpuRates: number[] }> {
  const server = startServer('server');
  const load = Child.start(script('server-load'), 'load generator', [], n + 1024);
  try {
    const { setups, setupMs, connectMs } = await connectAll([server], load, n);
    const heap = (await server.ask<number>('heap')) - setups[0]!.heapBefore;
    const addresses = (await sum([server])).addresses;
    const rates = [];
    for (let r = 0; r < rounds; r++) rates.push(await answeredRate([server], load, loadMs));
    const idle = [];
    for (let w = 0; w < idleMs / 5000; w++) idle.push(await idleCpu([server], load, n, 5000));
    const base = { bench: 'server', impl: 'ice-agent' };
    const N = n.toLocaleString('en-US');
    const cpuRates = rates.map((x) => x.perCpuSecond);
    const rows = [
      row({ ...base, metric: `heap per lite agent, N=${N} connected (router entries included)`, unit: 'KiB', note: `${addresses} addresses routed; after GC` }, [heap / n / 1024]),
      row({ ...base, metric: `authenticated checks answered per server CPU-second, N=${N}`, unit: 'check/s', higherIsBetter: true,
        note: `closed loop, 256 in flight; wall: ${Math.round(rates.reduce((a, x) => a + x.perSecond, 0) / rates.length).toLocaleString('en-US')}/s (the generator shares the cores)` }, cpuRates),
      row({ ...base, metric: `agents reaching completed per second, end to end, N=${N}`, unit: 'agent/s', higherIsBetter: true,
        note: `create+gather ${(setupMs / 1000).toFixed(2)} s, then a nominating check from each client until all completed ${(connectMs / 1000).toFixed(2)} s` }, [n / ((setupMs + connectMs) / 1000)]),
      row({ ...base, metric: `idle: server CPU, a consent check every 5 s from each of N=${N} clients (${(n / 5).toLocaleString('en-US')} req/s)`, unit: '% core',
        note: `${idle.length} x 5 s windows` }, idle),
    ];
    return { rows, cpuRates };
  } finally {
    await Promise.all([server.stop(), load.stop()]);
  }
}

async function twoWorkers(n: number, rounds: number, loadMs: number, oneCpuRates: readonly number[]): Promise<Row> {
  const servers = [startServer('worker 0'), startServer('worker 1')];
  const load = Child.start(script('server-load'), 'load generator', [], n + 1024);
  try {
    await connectAll(servers, load, n);
    const rates = [];
    for (let r = 0; r < rounds; r++) rates.push((await answeredRate(servers, load, loadMs)).perCpuSecond);
    return row({
      bench: 'server', impl: 'ice-agent', ratioVs: '1 worker', higherIsBetter: true,
      metric: `checks answered per CPU-second of the server processes, 2 worker ports, N=${n.toLocaleString('en-US')}`, unit: 'check/s',
      note: 'two server processes, each with its own port and half the agents; ratio: against one worker\'s rate',
    }, rates, oneCpuRates);
  } finally {
    await Promise.all([...servers.map((s) => s.stop()), load.stop()]);
  }
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const n = o.quick ? 2000 : 10_000;
  const rounds = o.quick ? 2 : 5;
  const loadMs = o.quick ? 1500 : 3000;
  const idleMs = o.quick ? 5000 : 15_000;
  const one = await oneWorker(n, rounds, loadMs, idleMs);
  const two = await twoWorkers(n, rounds, loadMs, one.cpuRates);
  return [...one.rows, two];
}

runMain(import.meta.url, main);
