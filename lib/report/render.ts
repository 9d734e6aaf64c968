/**
 * Record -> one self-contained HTML document: inline CSS and SVG, no script,
 * nothing loaded from anywhere (the Content-Security-Policy says so too).
 * Pure: no clock, no I/O; the same record always gives the same bytes.
 */
import { el, frag, trusted, type Markup } from './markup.js';
import { buildModel } from './model.js';
import type { AgentView, ReportModel } from './model-types.js';
import { readRecord } from './read-record.js';
import type { IceRecord } from './record.js';
import { legend } from './legend.js';
import { finalStateText } from './model-finish.js';
import { timeScale } from './scale.js';
import { STYLESHEET, patternDefs } from './styles.js';
import { header, summaryTable } from './summary.js';
import { candidatesTable, changesTable, pairsTable, stunTable } from './tables.js';
import { LABEL_W, agentLanes, timelineSvg } from './timeline.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Plot width: 880 px, wider (the page scrolls) when many distinct instants would crowd it. */
function plotWidth(model: ReportModel): number {
  return Math.min(8000, Math.max(880, new Set(model.times).size * 4));
}

/** Renders a record (an `IceRecord`, or its JSON text or parsed value) as an HTML document. */
export function renderReport(input: IceRecord | unknown): string {
  const record = readRecord(input);
  const model = buildModel(record);
  const scale = timeScale(model.times, model.durationMs, LABEL_W, plotWidth(model));
  const ctx = { scale, endMs: model.durationMs };
  const body = frag(
    patternDefs(),
    header(model),
    el('section', { class: 'overview' }, summaryTable(model)),
    model.agents.map((a) => agentSection(a, timelineSvg(scale, agentLanes(ctx, model, a), a.meta.label))),
    legend(),
  );
  const title = `ICE report: ${record.run.title ?? 'ICE agent run'}${record.run.verdict ? (record.run.verdict.ok ? ' (ok)' : ' (FAILED)') : ''}`;
  return '<!DOCTYPE html>\n' + el('html', { lang: 'en' },
    el('head', {},
      el('meta', { charset: 'utf-8' }),
      el('meta', { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }),
      el('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      el('meta', { name: 'generator', content: 'ice-agent report' }),
      el('title', {}, title),
      el('style', {}, trusted(STYLESHEET))),
    el('body', {}, body)).html + '\n';
}

function agentSection(a: AgentView, svg: Markup): Markup {
  const m = a.meta;
  const about = [m.role, m.ufrag !== undefined ? `ufrag ${m.ufrag}` : undefined, `${a.components.length} component${a.components.length === 1 ? '' : 's'}`, `final state ${finalStateText(a.stats)}`]
    .filter((s): s is string => s !== undefined);
  const stun = stunTable(a);
  return el('section', { class: 'agent', 'data-agent': m.label },
    el('h2', {}, `Agent ${m.label}`, el('span', { class: 'meta' }, ` (${about.join(', ')})`)),
    el('div', { class: 'scroll' }, svg),
    el('details', { class: 'tables' },
      el('summary', {}, `Details of agent ${m.label}: ${a.candidates.length} local candidate${a.candidates.length === 1 ? '' : 's'}, ` +
        `${a.pairs.length} pair${a.pairs.length === 1 ? '' : 's'}, ${a.changes.length} state change${a.changes.length === 1 ? '' : 's'} (tables; printed when open)`),
      el('h3', {}, 'Local candidates (as gathered)'), candidatesTable(a),
      stun !== undefined && frag(el('h3', {}, 'STUN server answers'), stun),
      el('h3', {}, 'Candidate pairs (checklist order: component, then priority)'), pairsTable(a),
      el('h3', {}, 'State changes (in order)'), changesTable(a)));
}
