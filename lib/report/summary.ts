/** The top of the report: what ran, the verdict, and per agent the numbers a network engineer asks first. */
import { hostPort } from './format.js';
import { el, frag, type Markup } from './markup.js';
import type { AgentView, ReportModel } from './model-types.js';
import { durationLabel, msLabel } from './scale.js';
import { finalStateText } from './model-finish.js';

export function header(model: ReportModel): Markup {
  const r = model.record;
  const title = r.run.title ?? 'ICE agent run';
  const meta = [
    r.startedAt !== undefined ? `recorded ${r.startedAt}` : '',
    `${durationLabel(model.durationMs)} long`,
    `${model.agents.length} agent${model.agents.length === 1 ? '' : 's'}`,
    `record format ${r.format} v${r.version}`,
  ].filter((s) => s !== '');
  return el('header', {},
    el('h1', {}, `ICE report: ${title}`),
    el('p', { class: 'meta' }, meta.join(' · ')),
    verdict(model),
    optionsLine(r.run.options),
    notices(model));
}

function verdict(model: ReportModel): Markup {
  const v = model.record.run.verdict;
  if (v === undefined) {
    const states = model.agents.map((a) => `${a.meta.label} ${finalStateText(a.stats)}`).join(', ');
    return el('div', { class: 'verdict unknown', 'data-verdict': 'none' }, el('span', { class: 'badge' }, '? NO VERDICT'), ` final states: ${states}`);
  }
  return el('div', { class: `verdict ${v.ok ? 'ok' : 'fail'}`, 'data-verdict': v.ok ? 'ok' : 'failed' },
    el('span', { class: 'badge' }, v.ok ? '\u2714 OK' : '\u2718 FAILED'), ' ', v.reason);
}

function optionsLine(options: Readonly<Record<string, unknown>> | undefined): Markup | undefined {
  if (options === undefined || Object.keys(options).length === 0) return undefined;
  const text = Object.entries(options).filter(([, v]) => !(Array.isArray(v) && v.length === 0)).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join('  ');
  return el('p', { class: 'opts' }, el('b', {}, 'options: '), text);
}

function notices(model: ReportModel): Markup {
  const lines: string[] = [];
  const r = model.record;
  if (r.version > 1) lines.push(`This record has format version ${r.version}; this renderer knows version 1 and shows what it understands.`);
  if (model.unknownTypes.size > 0) lines.push(`Entries of types this renderer does not know were skipped: ${[...model.unknownTypes].map(([t, n]) => `${t} (${n})`).join(', ')}.`);
  if (model.malformed > 0) lines.push(`${model.malformed} malformed entr${model.malformed === 1 ? 'y was' : 'ies were'} skipped.`);
  if (r.truncated) lines.push(`The recording hit its size bound at ${msLabel(r.truncated.atMs)}: ${r.truncated.droppedEntries} later entries are missing.`);
  return frag(lines.map((l) => el('p', { class: 'notice' }, l)));
}

/** One row per agent; one cell line per component for the selected pair. */
export function summaryTable(model: ReportModel): Markup {
  const head = ['agent', 'role', 'ufrag', 'final state', 'connected at', 'completed at', 'selected pair', 'checks', 'retx', 'answers', 'errors', 'timeouts', 'consent sent / answered / timed out', 'dropped'];
  const rows = model.agents.map((a) => {
    const s = a.stats;
    return el('tr', { 'data-agent': a.meta.label },
      el('th', {}, a.meta.label), el('td', {}, a.meta.role ?? ''), el('td', { class: 'mono' }, a.meta.ufrag ?? ''),
      el('td', { class: `state${s.finalState === 'failed' || s.stateBeforeClose === 'failed' ? ' bad' : ''}` }, finalStateText(s)),
      el('td', { class: 'num' }, s.connectedAt !== undefined ? msLabel(s.connectedAt) : 'never'),
      el('td', { class: 'num' }, s.completedAt !== undefined ? msLabel(s.completedAt) : 'never'),
      el('td', { class: 'mono' }, selectedCell(a)),
      ...[s.checks, s.retransmissions, s.answers, s.errors, s.timeouts].map((n) => el('td', { class: 'num' }, n)),
      el('td', { class: 'num' }, `${s.consentChecks} / ${s.consentAnswers} / ${s.consentTimeouts}`),
      el('td', { class: 'num' }, s.dropped));
  });
  return el('table', { class: 'summary' }, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

function selectedCell(a: AgentView): Markup {
  const lines = a.components.map((c) => {
    const last = [...a.selected].reverse().find((s) => s.component === c);
    if (!last) return el('div', {}, `c${c}: none`);
    const p = a.pairs.find((x) => x.id === last.pair.id);
    const rtt = p?.rttMs ?? last.pair.rttMs;
    return el('div', {}, `c${c}: #${last.pair.id} ${last.pair.local.type} ${hostPort(last.pair.local)} -> ${last.pair.remote.type} ${hostPort(last.pair.remote)}${rtt !== undefined ? `, rtt ${durationLabel(rtt)}` : ''}`);
  });
  return frag(lines);
}
