// The request/answer protocol between bench/server.ts and its two kinds of child processes.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Ask {
  readonly id: number;
  readonly op: string;
  readonly args?: Record<string, unknown>;
}

export interface Answer {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

/** Credentials the bench gives agent `i` of worker `w`, so that the load generator knows them without signalling. */
export function benchUfrag(w: number, i: number): string {
  return `w${w}${i.toString(36).padStart(5, '0')}`;
}
export function benchPwd(i: number): string {
  return `benchpwd${i.toString(36).padStart(6, '0')}xxxxxxxxx`;
}
export const CLIENT = { ufrag: 'load', pwd: 'loadGeneratorPasswordxx' };

/** A child process answering `ask`s over IPC. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | null>;

  constructor(private readonly proc: ChildProcess, readonly name: string) {
    proc.on('message', (m: Answer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited with code ${code}`));
      this.pending.clear();
      resolve(code);
    }));
  }

  /**
   * Starts `script` with node (and `execArgv`), through `sh -c 'ulimit -n …'` when it needs more
   * file descriptors than the default (one UDP socket per simulated client).
   */
  static start(script: string, name: string, execArgv: readonly string[] = [], fds = 0): Child {
    const node = [process.execPath, ...execArgv, script].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    const command = fds > 0 ? `ulimit -n ${fds} 2>/dev/null || ulimit -n hard; exec ${node}` : `exec ${node}`;
    return new Child(spawn('sh', ['-c', command], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), name);
  }

  ask<T>(op: string, args?: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, ...(args && { args }) } satisfies Ask);
    });
  }

  async stop(): Promise<void> {
    await this.ask('exit').catch(() => undefined);
    await this.exited;
  }
}

/** The child side: answers each request with `handle`, then exits on 'exit'. */
export function serveRequests(handle: (op: string, args: Record<string, unknown>) => Promise<unknown>): void {
  process.on('message', (m: Ask) => {
    const reply = (a: Omit<Answer, 'id'>): void => void process.send?.({ id: m.id, ...a });
    if (m.op === 'exit') {
      reply({ ok: true });
      setImmediate(() => process.exit(0));
      return;
    }
    handle(m.op, m.args ?? {}).then(
      (value) => reply({ ok: true, value }),
      (err: unknown) => reply({ ok: false, error: (err as Error).stack ?? String(err) }),
    );
  });
}
