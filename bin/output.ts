/**
 * Terminal output: colours and a live one-line status (spinner, elapsed ms,
 * state) only on a terminal that takes escape sequences, never with NO_COLOR
 * set or TERM=dumb; plain lines otherwise (and when piped). Also the clock
 * every command measures "ms since start" with.
 */
import { performance } from 'node:perf_hooks';

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/** https://no-color.org: set and not empty disables colour. */
export function noColorRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
}

/** A dumb terminal moves the cursor on nothing: no colours, no redrawn status line. */
export function dumbTerminal(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['TERM'] === 'dumb';
}

export function useColor(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !noColorRequested(env) && !dumbTerminal(env);
}

/** The live status line rewrites itself with escape sequences: the same conditions as colour. */
export function useLiveStatus(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  return useColor(stream, env);
}

export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly magenta: (s: string) => string;
}

export function makeStyle(enabled: boolean): Style {
  const sgr = (open: number, close: number) => (s: string): string => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  };
}

/** Milliseconds since the command started, with 0.1 ms resolution. */
export class Clock {
  private readonly t0 = performance.now();
  ms(): number {
    return Math.round((performance.now() - this.t0) * 10) / 10;
  }
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Writes result lines to stdout and diagnostics to stderr. When stderr is a
 * capable terminal it also keeps a live status line there (cleared before any
 * other output, redrawn after it). Otherwise only plain lines come out.
 */
export class Output {
  readonly style: Style;
  readonly errStyle: Style;
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private status: (() => string) | undefined;
  private drawn = false;
  private readonly live: boolean;

  constructor(
    private readonly out: Stream = process.stdout,
    private readonly err: Stream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.style = makeStyle(useColor(out, env));
    this.errStyle = makeStyle(useColor(err, env));
    this.live = useLiveStatus(err, env);
  }

  /** A result line on stdout. */
  line(text: string): void {
    this.clear();
    this.out.write(text + '\n');
    this.redraw();
  }

  /** A diagnostic line on stderr. */
  note(text: string): void {
    this.clear();
    this.err.write(text + '\n');
    this.redraw();
  }

  warn(text: string): void {
    this.note(this.errStyle.yellow(`warning: ${text}`));
  }

  /** Starts the live status line (no-op unless useLiveStatus(stderr)). */
  startStatus(text: () => string): void {
    if (!this.live) return;
    this.status = text;
    this.timer ??= setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.redraw();
    }, 80);
    this.timer.unref();
    this.redraw();
  }

  stopStatus(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
    this.status = undefined;
  }

  private clear(): void {
    if (!this.drawn) return;
    this.err.write('\r\x1b[2K');
    this.drawn = false;
  }

  private redraw(): void {
    if (!this.status) return;
    const cols = (this.err as { columns?: number }).columns ?? 0;
    const text = `${FRAMES[this.frame]} ${this.status()}`.slice(0, cols > 20 ? cols - 1 : 200);
    this.err.write(`\r\x1b[2K${this.errStyle.cyan(text)}`);
    this.drawn = true;
  }
}

/** One JSON object per line; bigint becomes a decimal number string. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
