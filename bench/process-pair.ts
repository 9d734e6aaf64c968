// 6. Cold start: two fresh processes on one machine, joined by this process as the signalling relay
// (each one's stdout lines go to the other's stdin as they arrive). The clock starts when the later
// of the two `params` lines has been handed to the other side and stops when both processes have
// written a connected (or completed) state line; each side's own time is reported too. ice-agent
// runs `ice-probe peer --host 127.0.0.1`; werift-ice runs bench/werift-peer.ts, which speaks the
// same JSON Lines protocol. Both gather one loopback host candidate and no STUN server.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nowMs, rotate, row, runMain, withTimeout, type BenchOptions, type Row } from './stats.js';

const CLI = fileURLToPath(new URL('../bin/ice-probe.js', import.meta.url));
const WERIFT_PEER = fileURLToPath(new URL('./werift-peer.js', import.meta.url));

interface Impl {
  readonly name: string;
  readonly args: (role: 'controlling' | 'controlled') => string[];
}

const IMPLS: readonly Impl[] = [
  { name: 'ice-agent', args: (role) => [CLI, 'peer', '--role', role, '--host', '127.0.0.1', '--timeout', '10'] },
  { name: 'werift-ice', args: (role) => [WERIFT_PEER, role] },
];

interface Side {
  /** When the process was spawned, when its params line arrived here, when it said connected. */
  readonly spawnedAt: number;
  paramsAt?: number;
  connectedAt?: number;
}

interface Trial {
  /** From both params exchanged to both connected. */
  readonly bothMs: number;
  readonly controllingMs: number;
  readonly controlledMs: number;
  /** From spawning to the params line (module loading and start-up; outside the clock). */
  readonly startupMs: number;
  /** From spawning both to both connected: what a cold start costs in all. */
  readonly totalMs: number;
}

/** One pair of fresh processes; resolves when both exited. */
async function trial(impl: Impl): Promise<Trial> {
  const roles = ['controlling', 'controlled'] as const;
  const procs = roles.map((role) => spawn(process.execPath, impl.args(role), { stdio: ['pipe', 'pipe', 'ignore'] }));
  const sides: Side[] = procs.map(() => ({ spawnedAt: nowMs() }));
  const exited = procs.map((p) => new Promise<void>((resolve) => p.on('close', () => resolve())));
  procs.forEach((p, i) => {
    const other = procs[1 - i]!;
    other.stdin.on('error', () => {});
    createInterface({ input: p.stdout, crlfDelay: Infinity }).on('line', (line) => {
      const at = nowMs();
      if (other.stdin.writable) other.stdin.write(`${line}\n`);
      const m = JSON.parse(line) as { type?: string; state?: string };
      if (m.type === 'params') sides[i]!.paramsAt ??= at;
      if (m.type === 'state' && (m.state === 'connected' || m.state === 'completed')) sides[i]!.connectedAt ??= at;
    });
  });
  try {
    await withTimeout(Promise.all(exited), 15_000, `${impl.name} process pair`);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
  const [a, b] = sides as [Side, Side];
  if (a.paramsAt === undefined || b.paramsAt === undefined || a.connectedAt === undefined || b.connectedAt === undefined) {
    throw new Error(`${impl.name}: a process did not connect`);
  }
  const t0 = Math.max(a.paramsAt, b.paramsAt);
  return {
    bothMs: Math.max(a.connectedAt, b.connectedAt) - t0,
    controllingMs: a.connectedAt - t0,
    controlledMs: b.connectedAt - t0,
    startupMs: Math.max(a.paramsAt - a.spawnedAt, b.paramsAt - b.spawnedAt),
    totalMs: Math.max(a.connectedAt, b.connectedAt) - a.spawnedAt,
  };
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const trials = o.quick ? 8 : 30;
  const results = new Map<Impl, Trial[]>(IMPLS.map((i) => [i, []]));
  const failed = new Map<Impl, string[]>(IMPLS.map((i) => [i, []]));
  // A pair that does not connect on a loaded machine is counted, not fatal (unless it is most of them).
  const attempt = async (impl: Impl): Promise<void> => {
    try {
      results.get(impl)!.push(await trial(impl));
    } catch (err) {
      failed.get(impl)!.push((err as Error).message);
      if (failed.get(impl)!.length > trials / 3) throw err;
    }
  };
  for (const impl of IMPLS) await trial(impl).catch(() => undefined); // the page cache and the file system, not the processes, warm up
  for (let r = 0; r < trials; r++) for (const impl of rotate(IMPLS, r)) await attempt(impl);
  const [ours, werift] = IMPLS.map((i) => results.get(i)!) as [Trial[], Trial[]];
  const base = { bench: 'process pair', unit: 'ms' };
  const pick = (t: Trial[], k: keyof Trial): number[] => t.map((x) => x[k]);
  return [
    row({ ...base, impl: 'ice-agent', metric: 'fresh processes: both params -> both connected', ratioVs: 'werift-ice', note: 'goal <= 10 ms' }, pick(ours, 'bothMs'), pick(werift, 'bothMs')),
    row({ ...base, impl: 'werift-ice', metric: 'fresh processes: both params -> both connected' }, pick(werift, 'bothMs')),
    row({ ...base, impl: 'ice-agent', metric: 'fresh processes: both params -> controlling connected' }, pick(ours, 'controllingMs')),
    row({ ...base, impl: 'ice-agent', metric: 'fresh processes: both params -> controlled connected' }, pick(ours, 'controlledMs')),
    row({ ...base, impl: 'ice-agent', metric: 'fresh processes: spawn -> params line', ratioVs: 'werift-ice' }, pick(ours, 'startupMs'), pick(werift, 'startupMs')),
    row({ ...base, impl: 'werift-ice', metric: 'fresh processes: spawn -> params line' }, pick(werift, 'startupMs')),
    row({ ...base, impl: 'ice-agent', metric: 'fresh processes: spawn -> both connected', ratioVs: 'werift-ice' }, pick(ours, 'totalMs'), pick(werift, 'totalMs')),
    row({ ...base, impl: 'werift-ice', metric: 'fresh processes: spawn -> both connected' }, pick(werift, 'totalMs')),
    ...IMPLS.filter((i) => failed.get(i)!.length > 0).map((i) =>
      row({ ...base, impl: i.name, unit: 'pairs', metric: 'fresh processes: pairs that did not connect', note: failed.get(i)![0]! }, [failed.get(i)!.length])),
  ];
}

runMain(import.meta.url, main);
