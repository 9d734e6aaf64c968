// Shared helpers for the benchmark suite: statistics, result rows, timing and the child-process protocol.
import { fileURLToPath } from 'node:url';

/** One line of the final table. Lower-is-better unless `higherIsBetter`. */
export interface Row {
  readonly bench: string;
  readonly impl: string;
  readonly metric: string;
  readonly unit: string;
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  /** Median of the per-round ratios against `ratioVs` (ours / theirs), when there is a baseline. */
  readonly ratio?: number;
  readonly ratioVs?: string;
  readonly higherIsBetter?: boolean;
  readonly note?: string;
}

export interface BenchOptions {
  readonly quick: boolean;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (v: readonly number[]): number => quantile(v, 0.5);
/** p90 in the "bad" direction: the 90th percentile of a cost, the 10th of a rate. */
export const p90 = (v: readonly number[], higherIsBetter = false): number => quantile(v, higherIsBetter ? 0.1 : 0.9);

/** Per-round ratios a[i] / b[i] (the samples must come from the same interleaved rounds). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (b[i]! > 0) out.push(a[i]! / b[i]!);
  return out;
}

export function row(
  r: Omit<Row, 'n' | 'median' | 'p90' | 'ratio'>,
  samples: readonly number[],
  baseline?: readonly number[],
): Row {
  const hib = r.higherIsBetter ?? false;
  const base: Row = { ...r, n: samples.length, median: median(samples), p90: p90(samples, hib) };
  return baseline ? { ...base, ratio: median(ratios(samples, baseline)) } : base;
}

export const nowMs = (): number => performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU time (user + system) in microseconds since `start`. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}

/** Rotate the order in which implementations run, round by round, so drift hits all of them alike. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Entry point of one measurement script. Run by run.js as a child (fork): the rows go back over IPC.
 * Run directly (`node dist/bench/codec.js [--quick]`): the rows are printed as JSON.
 */
export function runMain(moduleUrl: string, main: (o: BenchOptions) => Promise<Row[]>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  const quick = process.argv.includes('--quick');
  main({ quick }).then(
    (rows) => {
      if (process.send) process.send({ rows }, () => process.exit(0));
      else {
        console.log(JSON.stringify(rows, null, 2));
        process.exit(0);
      }
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
