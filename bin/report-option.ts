/**
 * `--report FILE.html` and `--report-json FILE.json` for the subcommands that
 * run agents, and `ice-probe report` to render a saved record later. The files
 * are written when the run ends however it ends (ok, failed, timed out,
 * interrupted), synchronously, so an exit right after cannot lose them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { IceAgent } from '../lib/index.js';
import { HELP_OPTION, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import type { Output } from './output.js';

/** Spread into a command's options. */
export const REPORT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  report: { type: 'string', arg: 'FILE.html', help: 'write an HTML timeline of the run (also when it fails)' },
  'report-json': { type: 'string', arg: 'FILE.json', help: 'write the recorded events as JSON (render later with ice-probe report)' },
};

/** The usage-line fragment for the options above. */
export const REPORT_USAGE = '[--report FILE.html] [--report-json FILE.json]';

export interface RunReport {
  /** Records an agent's events under `label`. */
  add(agent: IceAgent, label: string, options?: Readonly<Record<string, unknown>>): void;
  note(text: string, agentLabel?: string): void;
  /** Stops recording and writes the files; later calls do nothing. Never throws (a write error is printed). */
  finish(ok: boolean, reason: string): void;
}

/**
 * A report for this run if `--report` or `--report-json` was given, otherwise undefined. The
 * renderer is loaded only then: a run without a report does not pay for its modules at start-up.
 */
export async function startReport(args: ParsedArgs, out: Output, title: string, options: Readonly<Record<string, unknown>>): Promise<RunReport | undefined> {
  const html = args.string('report');
  const json = args.string('report-json');
  if (html === undefined && json === undefined) return undefined;
  const { Recorder, renderReport } = await import('../lib/report/index.js');
  const recorder = new Recorder({ title, options });
  let done = false;
  return {
    add: (agent, label, agentOptions) => void recorder.add(agent, { label, ...(agentOptions !== undefined && { options: agentOptions }) }),
    note: (text, agentLabel) => recorder.note(text, agentLabel),
    finish(ok, reason) {
      if (done) return;
      done = true;
      recorder.note(`${ok ? 'ok' : 'FAILED'}: ${reason}`);
      recorder.setVerdict(ok, reason);
      recorder.stop();
      const record = recorder.record();
      if (json !== undefined) write(out, json, JSON.stringify(record, null, 1) + '\n', 'record');
      if (html !== undefined) write(out, html, renderReport(record), 'report');
    },
  };
}

function write(out: Output, file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text);
    out.note(`${what} written to ${file}`);
  } catch (err) {
    out.note(`ice-probe: cannot write ${what} ${file}: ${(err as Error).message}`);
  }
}

export const reportCommand: Command = {
  spec: {
    name: 'report',
    brief: 'render a record saved with --report-json as an HTML timeline',
    usage: 'ice-probe report --from FILE.json --report FILE.html',
    summary: 'Renders a record written by --report-json (by any ice-probe command or by the library) as one self-contained HTML file.',
    options: {
      from: { type: 'string', arg: 'FILE.json', help: 'the record to render' },
      report: { type: 'string', short: 'o', arg: 'FILE.html', help: 'where to write the HTML' },
      help: HELP_OPTION,
    },
  },
  async run(args: ParsedArgs, out: Output): Promise<number> {
    const from = args.string('from');
    const to = args.string('report');
    if (from === undefined || to === undefined) throw new UsageError('needs --from FILE.json and --report FILE.html', reportCommand.spec.usage);
    const { renderReport } = await import('../lib/report/index.js');
    let html: string;
    try {
      html = renderReport(readFileSync(from, 'utf8'));
    } catch (err) {
      out.note(`ice-probe report: ${from}: ${(err as Error).message}`);
      return 1;
    }
    write(out, to, html, 'report');
    return 0;
  },
};
