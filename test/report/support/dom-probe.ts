/** What the browser tests read from a rendered report's DOM (evaluated in the page). */

export interface SectionProbe {
  readonly agent: string;
  readonly candidates: { readonly key: string; readonly drawn: boolean }[];
  readonly pairs: { readonly id: number; readonly drawn: boolean; readonly text: string }[];
  readonly requests: string[];
  readonly results: string[];
  readonly changes: { readonly kind: string; readonly t: number; readonly change: string }[];
  readonly iceBands: { readonly state: string; readonly x: number }[];
}

export interface DomProbe {
  readonly verdict: string;
  readonly verdictText: string;
  readonly sections: SectionProbe[];
  readonly forbidden: number;
  readonly bodyText: string;
}

/** A function body as text: no closure, runs in the page. A mark is "drawn" when it has a size and lies inside its SVG. */
export const DOM_PROBE = `(() => {
  const drawn = (el) => {
    const svg = el.ownerSVGElement || el.closest('svg');
    const a = el.getBoundingClientRect(), b = svg.getBoundingClientRect();
    return a.width > 0 && a.height > 0 && a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  };
  const verdict = document.querySelector('.verdict');
  return {
    verdict: verdict ? verdict.dataset.verdict : '',
    verdictText: verdict ? verdict.textContent : '',
    forbidden: document.querySelectorAll('script, img, iframe, object, embed, link, image, use, foreignObject, a').length,
    bodyText: document.body.textContent,
    sections: [...document.querySelectorAll('section.agent')].map((s) => ({
      agent: s.dataset.agent,
      candidates: [...s.querySelectorAll('svg g.mk[data-candidate]')].map((e) => ({ key: e.dataset.candidate, drawn: drawn(e) })),
      pairs: [...s.querySelectorAll('svg g.lane-pair')].map((g) => ({ id: Number(g.dataset.pair), drawn: drawn(g), text: g.textContent })),
      requests: [...s.querySelectorAll('svg g.mk[data-attempt]')].filter(drawn).map((e) => e.dataset.tx + '#' + e.dataset.attempt),
      results: [...s.querySelectorAll('svg g.mk[data-result]')].filter(drawn).map((e) => e.dataset.tx + ':' + e.dataset.result),
      changes: [...s.querySelectorAll('tr.change')].map((r) => ({ kind: r.dataset.kind, t: Number(r.dataset.t), change: r.dataset.change })),
      iceBands: [...s.querySelectorAll('g[data-lane="icestate"] g.span')].map((g) => ({ state: g.dataset.state, x: g.querySelector('rect').getBoundingClientRect().left })),
    })),
  };
})()`;
