/** The report's stylesheet and SVG patterns: constants, no record data. */
import { trusted, type Markup } from './markup.js';

export const STYLESHEET = `
:root { color-scheme: light; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; --ink: #111827; --muted: #4b5563; --rule: #e5e7eb; }
* { box-sizing: border-box; }
body { margin: 16px 20px; font: 13px/1.4 system-ui, "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 20px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 18px 0 6px; }
h3 { font-size: 13px; margin: 12px 0 4px; }
.meta, .opts { color: var(--muted); margin: 2px 0; }
.notice { background: #fffbeb; border-left: 3px solid var(--warn); padding: 2px 8px; margin: 4px 0; }
.verdict { display: inline-block; margin: 8px 0; padding: 6px 12px; border: 2px solid; border-radius: 4px; font-size: 15px; }
.verdict .badge { font-weight: bold; letter-spacing: .03em; }
.verdict.ok { border-color: var(--ok); color: #14532d; background: #f0fdf4; }
.verdict.fail { border-color: var(--bad); color: #7f1d1d; background: #fef2f2; border-style: double; border-width: 4px; }
.verdict.unknown { border-color: var(--muted); }
table { border-collapse: collapse; margin: 4px 0 8px; font-size: 12px; }
th, td { border: 1px solid var(--rule); padding: 2px 6px; text-align: left; vertical-align: top; }
thead th { background: #f3f4f6; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
.mono, td.hist { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 11px; }
td.bad, .bad { color: var(--bad); font-weight: bold; }
p.none { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; }
svg.timeline { display: block; max-width: 100%; height: auto; font-family: "DejaVu Sans Mono", "Liberation Mono", ui-monospace, monospace; }
svg.defs { position: absolute; width: 0; height: 0; }
.agent { margin-top: 10px; border-top: 2px solid var(--ink); }
details > summary { cursor: pointer; font-weight: 600; margin: 8px 0 2px; }
.legend ul { list-style: none; padding: 0; columns: 3; font-size: 12px; margin: 4px 0; }
.legend li { margin: 1px 0; }
.legend svg { vertical-align: middle; }
/* timeline text */
.lname { font: bold 10px "DejaVu Sans", sans-serif; fill: var(--ink); }
.alert { fill: var(--bad); }
.laddr { font-size: 8.5px; fill: #374151; }
.lbl { font-size: 8.5px; fill: #374151; }
.att { font-size: 7.5px; fill: #1e3a8a; font-weight: bold; }
.ticklbl, .axistitle { font: 9px "DejaVu Sans", sans-serif; fill: var(--muted); }
.gaplbl { font: italic 9px "DejaVu Sans", sans-serif; fill: var(--muted); }
.none { font-size: 9px; fill: var(--muted); font-style: italic; }
.bandtxt { font-size: 8.5px; fill: var(--ink); pointer-events: none; }
.s-failed .bandtxt { font-weight: bold; fill: #7f1d1d; }
/* timeline lines */
.tick { stroke: var(--rule); stroke-width: .6; }
.axisbase { stroke: var(--muted); stroke-width: .8; }
.sep { stroke: var(--rule); stroke-width: .8; }
.lanebg { fill: transparent; }
.lane.odd .lanebg { fill: rgba(17, 24, 39, .03); }
.lane-pair .lanebg { stroke: none; }
.gapband { fill: url(#p-gap); }
.axisline { stroke: #d1d5db; stroke-width: .8; }
.edge { stroke: var(--ink); stroke-width: .8; }
/* state bands: colour, plus a pattern and the state's name inside */
.band { stroke: #6b7280; stroke-width: .6; fill: #fff; }
.s-starting .band, .s-new .band, .s-frozen .band { fill: #f9fafb; stroke-dasharray: 2 1.5; }
.s-checking .band, .s-waiting .band, .s-in-progress .band, .s-gathering .band { fill: url(#p-checking); }
.s-connected .band, .s-succeeded .band, .s-complete .band { fill: #bbf7d0; stroke: var(--ok); }
.s-completed .band { fill: #86efac; stroke: var(--ok); }
.s-disconnected .band { fill: url(#p-disconnected); stroke: var(--warn); }
.s-failed .band { fill: url(#p-failed); stroke: var(--bad); stroke-width: 1.2; }
.s-closed .band { fill: #e5e7eb; }
.s-removed .band { fill: none; stroke: #d1d5db; stroke-dasharray: 1 2; }
/* transactions */
.span-tx { stroke: #9ca3af; stroke-width: 1; }
.span-tx.o-success { stroke: #86a98f; }
.span-tx.o-error { stroke: var(--bad); }
.span-tx.o-timeout, .span-tx.o-open { stroke: var(--warn); stroke-dasharray: 3 2; }
.req { fill: #fff; stroke: #1d4ed8; stroke-width: 1.2; }
.req.use { fill: #1d4ed8; }
.req.rtx { stroke-dasharray: 1.5 1; }
.req.consent { stroke: #4b5563; }
.res.ok { fill: var(--ok); stroke: #14532d; stroke-width: .6; }
.res.bad, .x { fill: none; stroke-linecap: round; }
.res.bad { stroke: var(--bad); stroke-width: 1.8; }
.res.timeout { stroke: var(--warn); stroke-width: 1.2; }
.lbl.o-error { fill: var(--bad); font-weight: bold; }
.lbl.o-timeout { fill: var(--warn); font-weight: bold; }
.sel { fill: #facc15; stroke: #854d0e; stroke-width: .8; }
.nom { fill: var(--ink); stroke: var(--ink); stroke-width: 1; }
.cand { stroke: var(--ink); stroke-width: 1; fill: #fff; }
.c-host { fill: #dbeafe; } .c-srflx { fill: #ede9fe; } .c-prflx { fill: #fce7f3; } .c-relay { fill: #fef3c7; }
.drop { stroke: var(--bad); stroke-width: 1.2; fill: #fff; }
.ev { stroke: var(--ink); stroke-width: 1; fill: #fff; }
.ev-warning { fill: #fef08a; stroke: #854d0e; }
.ev-restart { fill: #fed7aa; stroke: #9a3412; }
.ev-note { fill: var(--ink); }
.mk:hover > :not(title):not(text) { stroke-width: 2.2; }
@page { size: A4 landscape; margin: 8mm; }
@media print {
  body { margin: 0; font-size: 8px; line-height: 1.25; }
  h1 { font-size: 14px; } h2 { font-size: 11px; margin: 4px 0 2px; } h3 { font-size: 9px; margin: 4px 0 1px; }
  .verdict { margin: 3px 0; padding: 2px 8px; font-size: 11px; }
  table { font-size: 7.5px; margin: 2px 0 4px; } th, td { padding: 1px 4px; } .mono, td.hist { font-size: 7px; }
  .scroll { overflow: visible; }
  svg.timeline { width: 100%; }
  .agent { margin-top: 4px; break-inside: avoid; border-top-width: 1px; }
  .meta, .opts { margin: 0; }
  details:not([open]) { display: none; }
  .legend h2 { display: none; }
  .legend ul { columns: 5; font-size: 7px; margin: 2px 0; }
  .legend svg { width: 9px; height: 9px; }
  .legend p { font-size: 7px; margin: 2px 0; }
}
`;

/** Patterns the stylesheet refers to, in one hidden SVG. */
export function patternDefs(): Markup {
  return trusted(`<svg class="defs" aria-hidden="true" focusable="false"><defs>
<pattern id="p-checking" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#fffbeb"/><line x1="0" y1="0" x2="0" y2="5" stroke="#f59e0b" stroke-width="1.2"/></pattern>
<pattern id="p-disconnected" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#ffedd5"/><circle cx="2" cy="2" r=".9" fill="#c2410c"/></pattern>
<pattern id="p-failed" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fee2e2"/><path d="M0,0L5,5M5,0L0,5" stroke="#dc2626" stroke-width=".9"/></pattern>
<pattern id="p-gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#fafafa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e5e7eb" stroke-width="2"/></pattern>
</defs></svg>`);
}
