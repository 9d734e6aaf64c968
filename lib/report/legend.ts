/** What the shapes mean: the same shape functions as the timeline, so the legend cannot drift. */
import { el, type Markup } from './markup.js';
import { shape, type ShapeName } from './svg-shapes.js';

const ITEMS: readonly (readonly [ShapeName, string, string])[] = [
  ['up', 'req', 'check sent (number: attempt; T: triggered)'],
  ['up', 'req use', 'check with USE-CANDIDATE (nomination)'],
  ['diamond', 'req consent', 'consent check (RFC 7675)'],
  ['circle', 'res ok', 'success response (label: RTT)'],
  ['cross', 'res bad', 'error response (label: code)'],
  ['xsquare', 'res timeout', 'no answer: transaction timed out'],
  ['flag', 'nom', 'pair nominated'],
  ['star', 'sel', 'pair selected'],
  ['square', 'cand c-host', 'host candidate'],
  ['diamond', 'cand c-srflx', 'server-reflexive candidate'],
  ['up', 'cand c-prflx', 'peer-reflexive candidate'],
  ['circle', 'cand c-relay', 'relayed candidate'],
  ['xsquare', 'drop', 'datagrams dropped (label: reason)'],
  ['down', 'ev ev-restart', 'ICE restart (label: by whom, new ufrag)'],
  ['bang', 'ev ev-warning', 'warning'],
];

export function legend(): Markup {
  return el('section', { class: 'legend' },
    el('h2', {}, 'Legend'),
    el('ul', {}, ITEMS.map(([name, cls, text]) =>
      el('li', {}, el('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' }, shape(name, 7, 7, 4, cls)), ' ', text))),
    el('p', {}, 'Bands show states over time, each named inside (or abbreviated: chk checking, conn connected, fz frozen, w waiting, in-pr in-progress, ok succeeded, FAIL failed, gone removed from the checklist). ' +
      'Hatched stretches of the time axis are quiet periods drawn shorter than they lasted; their real length is written on the axis. ' +
      'Hover any mark for its details.'));
}
