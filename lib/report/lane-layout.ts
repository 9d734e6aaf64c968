/** Lanes of the timeline: a label on the left, a body drawn at y = 0 and shifted into place. */
import { durationLabel } from './scale.js';
import type { TimeScale } from './scale.js';
import { el, frag, type Markup } from './markup.js';
import { monoWidth } from './format.js';

export interface Lane {
  readonly height: number;
  /** Label lines on the left: the first in bold. */
  readonly label: readonly string[];
  /** Shown after the first label line, in bold (a failure to see at a glance). */
  readonly alert?: string;
  /** Hover text of the label. */
  readonly labelTitle?: string;
  readonly body: Markup;
  readonly cls: string;
  readonly data?: Readonly<Record<string, string | number>>;
}

export const FONT_PX = 10;
export const SMALL_PX = 8.5;

/**
 * Places short labels next to markers in a few rows; a label that fits nowhere
 * is left out (the marker keeps its hover title). Row 0 is the markers' own
 * line: block() the markers first so that no label covers one.
 */
export class LabelRows {
  private readonly taken: [number, number][][];
  /** Markers on row 0: centre and half-width. */
  private readonly markers: [number, number][] = [];

  constructor(rows: number, private readonly left: number, private readonly right: number) {
    this.taken = Array.from({ length: rows }, () => []);
  }

  /** Keeps labels on row 0 off the marker at x (half-width r). */
  block(x: number, r: number): void {
    this.markers.push([x, r]);
  }

  /** `beside`: right of x, or left of it near the edge; `from`: starting at x, pushed left only as far as the edge needs. */
  place(x: number, text: string, fontPx = SMALL_PX, how: 'beside' | 'from' = 'beside'): { row: number; x: number; anchor: 'start' | 'end' } | undefined {
    const w = monoWidth(text, fontPx);
    if (how === 'from') return this.claim(x, Math.max(this.left, Math.min(x, this.right - w)), w, 'start');
    const after = x + 5 + w <= this.right;
    return this.claim(x, after ? x + 5 : x - 5 - w, w, after ? 'start' : 'end');
  }

  private claim(own: number, start: number, w: number, anchor: 'start' | 'end'): { row: number; x: number; anchor: 'start' | 'end' } | undefined {
    if (start < this.left) return undefined;
    const end = start + w;
    const free = (a: number, b: number): boolean => end + 2 <= a || start >= b + 2;
    // Markers drawn on top of the label's own (same instant) do not push it down a row.
    const clearOfMarkers = this.markers.every(([mx, r]) => Math.abs(mx - own) < 6 || free(mx - r, mx + r));
    const row = this.taken.findIndex((used, i) => used.length < 5000 && (i > 0 || clearOfMarkers) && used.every(([a, b]) => free(a, b)));
    if (row < 0) return undefined;
    this.taken[row]!.push([start, end]);
    return { row, x: anchor === 'start' ? start : end, anchor };
  }
}

/** A text label placed by LabelRows at baseline y0 + row * step. */
export function rowText(rows: LabelRows, x: number, y0: number, step: number, text: string, cls = 'lbl', how: 'beside' | 'from' = 'beside'): Markup | undefined {
  const p = rows.place(x, text, SMALL_PX, how);
  if (!p) return undefined;
  return el('text', { x: p.x, y: y0 + p.row * step, class: cls, 'text-anchor': p.anchor }, text);
}

const STATES = new Set([
  'starting', 'new', 'checking', 'connected', 'completed', 'failed', 'disconnected', 'closed',
  'frozen', 'waiting', 'in-progress', 'succeeded', 'gathering', 'complete', 'removed',
]);

/** A CSS class for a state name from a record: known names only, everything else one neutral class. */
export function stateClass(state: string): string {
  return STATES.has(state) ? `s-${state}` : 's-other';
}

const SHORT: Readonly<Record<string, string>> = {
  starting: 'st', checking: 'chk', connected: 'conn', completed: 'done', failed: 'FAIL', disconnected: 'disc', closed: 'cl',
  frozen: 'fz', waiting: 'w', 'in-progress': 'in-pr', succeeded: 'ok', new: 'new', removed: 'gone',
};

export interface StateSpan {
  readonly t: number;
  readonly state: string;
  /** Hover text for the span. */
  readonly title: string;
}

/** Segments of a state over time, each named inside (or abbreviated when narrow), from spans[i].t to the next or `endMs`. */
export function stateBand(scale: TimeScale, spans: readonly StateSpan[], endMs: number, y: number, h: number): Markup {
  const parts: Markup[] = [];
  spans.forEach((s, i) => {
    const x0 = scale.x(s.t);
    const x1 = scale.x(spans[i + 1]?.t ?? endMs);
    const w = Math.max(x1 - x0, 1);
    const name = monoWidth(s.state, SMALL_PX) + 4 <= w ? s.state : SHORT[s.state] !== undefined && monoWidth(SHORT[s.state]!, SMALL_PX) + 3 <= w ? SHORT[s.state]! : '';
    const until = spans[i + 1]?.t ?? endMs;
    parts.push(
      el('g', { class: `span ${stateClass(s.state)}`, 'data-state': s.state, 'data-t': String(s.t) },
        el('title', {}, `${s.title} (${durationLabel(until - s.t)})`),
        el('rect', { x: x0, y, width: w, height: h, class: 'band' }),
        name !== '' && el('text', { x: x0 + 2, y: y + h - 2.5, class: 'bandtxt' }, name),
        i > 0 && el('line', { x1: x0, x2: x0, y1: y - 2, y2: y + h + 2, class: 'edge' }),
      ),
    );
  });
  return frag(parts);
}
