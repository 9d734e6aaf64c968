/** One agent's timeline: the time axis on top, then its lanes, all on the report's one time scale. */
import { dropsLane, eventsLane, iceStateLane, componentLane, candidatesLane, stunLane, selectedLane, type LaneContext } from './lanes.js';
import { monoWidth } from './format.js';
import { FONT_PX, type Lane } from './lane-layout.js';
import { el, frag, type Markup } from './markup.js';
import type { AgentView, ReportModel } from './model-types.js';
import { pairLane } from './pair-lane.js';
import { durationLabel, type TimeScale } from './scale.js';

export const LABEL_W = 250;
const AXIS_H = 26;
/** Under the lanes: the real length of each compressed gap. */
const FOOT_H = 14;
const RIGHT_PAD = 18;

export function agentLanes(ctx: LaneContext, model: ReportModel, a: AgentView): Lane[] {
  const lanes: (Lane | undefined)[] = [iceStateLane(ctx, a)];
  for (const c of a.components) lanes.push(componentLane(ctx, a, c));
  for (const c of a.components) lanes.push(candidatesLane(ctx, a, c));
  lanes.push(stunLane(ctx, a));
  for (const c of a.components) lanes.push(selectedLane(ctx, a, c));
  for (const p of a.pairs) lanes.push(pairLane(ctx, p));
  lanes.push(dropsLane(ctx, a), eventsLane(ctx, a, model.runMarks));
  return lanes.filter((l): l is Lane => l !== undefined);
}

export function timelineSvg(scale: TimeScale, lanes: readonly Lane[], label: string): Markup {
  const width = scale.left + scale.width + RIGHT_PAD;
  const height = AXIS_H + lanes.reduce((h, l) => h + l.height, 0) + (scale.gaps.length > 0 ? FOOT_H : 4);
  let y = AXIS_H;
  const placed = lanes.map((lane, i) => {
    const g = laneGroup(lane, y, i, width);
    y += lane.height;
    return g;
  });
  return el('svg', {
    class: 'timeline', xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width), height: Math.ceil(height), role: 'img', 'aria-label': `timeline of agent ${label}`,
  },
  gapBands(scale, height), grid(scale, height), placed);
}

function laneGroup(lane: Lane, y: number, index: number, width: number): Markup {
  const data: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(lane.data ?? {})) data[`data-${k}`] = v;
  const [first, ...rest] = lane.label;
  return el('g', { class: `lane ${lane.cls}${index % 2 === 1 ? ' odd' : ''}`, transform: `translate(0 ${y})`, ...data },
    el('rect', { x: 0, y: 0, width, height: lane.height, class: 'lanebg' }),
    el('g', { class: 'lanelabel' },
      lane.labelTitle !== undefined ? el('title', {}, lane.labelTitle) : frag(),
      el('text', { x: 6, y: 13, class: 'lname' }, first ?? '', lane.alert !== undefined ? el('tspan', { class: 'alert' }, ` ${lane.alert}`) : ''),
      rest.map((line, i) => el('text', { x: 6, y: 24 + i * 10.5, class: 'laddr' }, line))),
    el('line', { x1: 0, x2: width, y1: lane.height, y2: lane.height, class: 'sep' }),
    el('g', { class: 'lanebody' }, lane.body));
}

/** Tick lines and labels (ms from start). */
function grid(scale: TimeScale, height: number): Markup {
  const ticks = scale.ticks(64);
  return el('g', { class: 'axis' },
    el('text', { x: 6, y: 16, class: 'axistitle' }, 'time from start'),
    el('line', { x1: scale.left, x2: scale.left + scale.width, y1: AXIS_H - 1, y2: AXIS_H - 1, class: 'axisbase' }),
    ticks.map((t) => frag(
      el('line', { x1: t.x, x2: t.x, y1: AXIS_H - 6, y2: height, class: 'tick' }),
      el('text', { x: t.x, y: AXIS_H - 8, class: 'ticklbl', 'text-anchor': 'middle' }, t.label),
    )));
}

/** Quiet stretches drawn shorter than they lasted: hatched, with their real length. */
function gapBands(scale: TimeScale, height: number): Markup {
  return el('g', { class: 'gaps' }, scale.gaps.map((g) => {
    const x0 = scale.x(g.from);
    const x1 = scale.x(g.to);
    const text = `~${durationLabel(g.to - g.from)}`;
    const fits = monoWidth(text, FONT_PX) + 4 <= x1 - x0;
    return el('g', { class: 'gap' },
      el('title', {}, `nothing happened for ${durationLabel(g.to - g.from)}: drawn compressed`),
      el('rect', { x: x0, y: AXIS_H, width: Math.max(x1 - x0, 1), height: height - AXIS_H - FOOT_H, class: 'gapband' }),
      fits ? el('text', { x: (x0 + x1) / 2, y: height - 3, class: 'gaplbl', 'text-anchor': 'middle' }, text) : frag());
  }));
}
