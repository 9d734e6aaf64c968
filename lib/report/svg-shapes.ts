/**
 * Marker shapes for the timeline. Each kind of thing has its own shape (not
 * just its own colour), so the report reads in black and white too.
 */
import { el, type Markup } from './markup.js';

export type ShapeName = 'square' | 'diamond' | 'up' | 'down' | 'circle' | 'cross' | 'star' | 'flag' | 'bang' | 'xsquare';

const pts = (list: readonly (readonly [number, number])[]): string => list.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');

/** A shape centred on (x, y) with half-size r; `cls` picks fill and stroke in the stylesheet. */
export function shape(name: ShapeName, x: number, y: number, r: number, cls: string): Markup {
  switch (name) {
    case 'square':
      return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, class: cls });
    case 'diamond':
      return el('polygon', { points: pts([[x, y - r * 1.25], [x + r * 1.25, y], [x, y + r * 1.25], [x - r * 1.25, y]]), class: cls });
    case 'up':
      return el('polygon', { points: pts([[x, y - r * 1.2], [x + r, y + r * 0.8], [x - r, y + r * 0.8]]), class: cls });
    case 'down':
      return el('polygon', { points: pts([[x, y + r * 1.2], [x + r, y - r * 0.8], [x - r, y - r * 0.8]]), class: cls });
    case 'circle':
      return el('circle', { cx: x, cy: y, r, class: cls });
    case 'cross':
      return el('path', { d: `M${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`, class: `${cls} x` });
    case 'xsquare':
      return el('path', { d: `M${x - r},${y - r}h${2 * r}v${2 * r}h${-2 * r}zM${x - r},${y - r}L${x + r},${y + r}M${x - r},${y + r}L${x + r},${y - r}`, class: `${cls} x` });
    case 'star':
      return el('polygon', { points: pts(starPoints(x, y, r * 1.4)), class: cls });
    case 'flag':
      return el('path', { d: `M${x},${y + r * 1.6}V${y - r * 1.6}l${r * 1.8},${r * 0.7}l${-r * 1.8},${r * 0.7}`, class: `${cls} flag` });
    case 'bang':
      return el('path', { d: `M${x},${y - r * 1.3}L${x + r * 1.3},${y + r}H${x - r * 1.3}ZM${x},${y - r * 0.4}V${y + r * 0.3}`, class: `${cls} bang` });
  }
}

function starPoints(x: number, y: number, r: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    const rr = i % 2 === 0 ? r : r * 0.45;
    out.push([x + rr * Math.cos(a), y + rr * Math.sin(a)]);
  }
  return out;
}

/** A marker: the shape plus a hover title and data attributes for tools and tests. */
export function marker(title: string, data: Readonly<Record<string, string | number>>, ...parts: Markup[]): Markup {
  const attrs: Record<string, string | number> = { class: 'mk' };
  for (const [k, v] of Object.entries(data)) attrs[`data-${k}`] = v;
  return el('g', attrs, el('title', {}, title), ...parts);
}
