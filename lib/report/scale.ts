/**
 * The time axis: milliseconds from start, to scale wherever something happens
 * at least every LINEAR_MS, with longer quiet gaps compressed (logarithmically
 * beyond LINEAR_MS) so that a burst of checks
 * and a 30-second consent timeout fit on one screen. Compressed gaps are
 * returned so the renderer can mark them and print their real length.
 */

export interface CompressedGap {
  readonly from: number;
  readonly to: number;
}

export interface Tick {
  readonly t: number;
  readonly x: number;
  readonly label: string;
}

export interface TimeScale {
  readonly left: number;
  readonly width: number;
  readonly endMs: number;
  x(t: number): number;
  readonly gaps: readonly CompressedGap[];
  ticks(minSpacingPx: number): Tick[];
}

/** Gaps up to this long are drawn to scale (twice the default pacing Ta, RFC 8445 §14.2). */
export const LINEAR_MS = 100;
/** Beyond it a gap grows by this much per factor e of its length: 500 ms, 2 s and 16 s stay distinct. */
const LOG_MS = 50;
/** Most of the width the wait for the first event may take. */
const LEAD_SHARE = 0.08;

function warp(d: number): number {
  return d <= LINEAR_MS ? d : LINEAR_MS + LOG_MS * Math.log(d / LINEAR_MS);
}

export function timeScale(times: readonly number[], endMs: number, left: number, width: number): TimeScale {
  const end = Math.max(endMs, 1);
  const knots = [...new Set([0, end, ...times.filter((t) => t > 0 && t < end)])].sort((a, b) => a - b);
  const widths = knots.slice(1).map((k, i) => warp(k - knots[i]!));
  // Before the first event nothing is known (process start, socket binding): when that wait is
  // over a quarter of the run, it gets LEAD_SHARE of the width.
  const rest = widths.slice(1).reduce((a, b) => a + b, 0);
  const leadCap = (rest * LEAD_SHARE) / (1 - LEAD_SHARE);
  const lead = knots[1]! - knots[0]!;
  const nothingAtZero = times.length > 0 && times.every((t) => t > 0);
  const squeezeLead = nothingAtZero && widths.length > 1 && lead > end / 4 && widths[0]! > leadCap;
  if (squeezeLead) widths[0] = leadCap;
  const u = [0];
  const gaps: CompressedGap[] = [];
  for (let i = 1; i < knots.length; i++) {
    const d = knots[i]! - knots[i - 1]!;
    u.push(u[i - 1]! + widths[i - 1]!);
    if (d > LINEAR_MS || (i === 1 && squeezeLead)) gaps.push({ from: knots[i - 1]!, to: knots[i]! });
  }
  const total = u[u.length - 1]!;
  const x = (t: number): number => {
    const c = Math.min(Math.max(t, 0), end);
    let lo = 0;
    let hi = knots.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (knots[mid]! <= c) lo = mid;
      else hi = mid;
    }
    const span = knots[hi]! - knots[lo]!;
    const frac = span === 0 ? 0 : (c - knots[lo]!) / span;
    return left + (width * (u[lo]! + frac * (u[hi]! - u[lo]!))) / total;
  };
  return { left, width, endMs: end, x, gaps, ticks: (spacing) => ticks(x, end, spacing) };
}

const STEPS = [1, 2, 5].flatMap((m) => [0.1, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000].map((p) => m * p)).sort((a, b) => b - a);

/** Round values first (the biggest steps), then finer ones where there is room (closer together inside compressed gaps). */
function ticks(x: (t: number) => number, end: number, spacing: number): Tick[] {
  const kept: Tick[] = [];
  for (const step of STEPS) {
    const n = Math.floor(end / step);
    if (n > 30 && step < STEPS[0]!) continue; // finer steps than ~30 per run only make odd labels (25.8 ms)
    for (let k = 0; k <= n; k++) {
      const t = Math.round(k * step * 10) / 10;
      if (kept.some((tick) => tick.t === t)) continue;
      const at = x(t);
      if (kept.every((tick) => Math.abs(tick.x - at) >= spacing)) kept.push({ t, x: at, label: tickLabel(t) });
    }
  }
  return kept.sort((a, b) => a.t - b.t);
}

/** Axis labels: `0 ms`, `12.5 ms`, `480 ms`, `1 s`, `2.5 s`. */
export function tickLabel(t: number): string {
  return t >= 1000 ? `${trim(t / 1000, 2)} s` : `${trim(t)} ms`;
}

/** Times in text: `0 ms`, `12.5 ms`, `480 ms`, `2500 ms`, `12.5 s`. */
export function msLabel(t: number): string {
  if (t >= 10_000) return `${trim(t / 1000)} s`;
  return `${trim(t)} ms`;
}

/** Durations in text: `0.21 ms`, `12.3 ms`, `1.25 s`. */
export function durationLabel(ms: number): string {
  if (ms >= 1000) return `${trim(ms / 1000, 2)} s`;
  if (ms < 1) return `${trim(ms, 2)} ms`;
  return `${trim(ms, 1)} ms`;
}

function trim(n: number, digits = 1): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}
