// Spawning the BUILT CLI (dist/bin/ice-probe.js) and making sure nothing outlives the tests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** dist/test/cli/helpers.js -> dist/bin/ice-probe.js */
export const CLI = fileURLToPath(new URL('../../bin/ice-probe.js', import.meta.url));
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class Proc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(this);
    this.child.stdin.on('error', () => {}); // the child may exit before we stop writing
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      this.lines.push(line);
      for (const l of this.listeners) l(line);
    });
    this.exited = new Promise((resolve) => {
      // 'close' waits for stdio to end, so every line has been seen.
      this.child.on('close', (code, signal) => {
        live.delete(this);
        resolve({ code, signal });
      });
    });
  }

  get stdout(): string {
    return this.lines.map((l) => l + '\n').join('');
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first stdout line (already seen or future) that matches. */
  waitForLine(match: RegExp, timeoutMs = 5000): Promise<string> {
    const seen = this.lines.find((l) => match.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${match} within ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)), timeoutMs);
      this.onLine((l) => {
        if (match.test(l)) {
          clearTimeout(timer);
          resolve(l);
        }
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited before a line matching ${match}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`));
      });
    });
  }

  /** Waits for exit, killing the process if it takes longer than timeoutMs. */
  async wait(timeoutMs = 15000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const killer = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killer]);
    clearTimeout(timer);
    return this.exited;
  }
}

const live = new Set<Proc>();

/** SIGKILL every process a test started that is still running (call from afterEach). */
export async function killAll(): Promise<void> {
  const procs = [...live];
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}

export async function run(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15000): Promise<{ code: number | null; stdout: string; stderr: string; lines: string[] }> {
  const p = new Proc(args, env);
  p.child.stdin.end();
  const { code } = await p.wait(timeoutMs);
  return { code, stdout: p.stdout, stderr: p.stderr, lines: p.lines };
}

/** Starts `ice-probe stun-server --port 0` and returns it with its port. */
export async function startStunServer(extra: readonly string[] = []): Promise<{ proc: Proc; port: number }> {
  const proc = new Proc(['stun-server', '--host', '127.0.0.1', '--port', '0', ...extra]);
  const line = await proc.waitForLine(/listening on 127\.0\.0\.1:\d+/);
  const port = Number(/:(\d+)/.exec(line)?.[1]);
  return { proc, port };
}

export function parseJsonLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
