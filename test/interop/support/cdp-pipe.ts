/**
 * A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`:
 * Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and
 * events on fd 4. No WebSocket, no port, no dependency; this is also how
 * Playwright and Puppeteer talk to a browser they launched themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  method: string;
}

export class CdpPipe {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffered = '';
  private exited: Error | undefined;
  /** Last lines Chromium wrote on stderr, for error reports. */
  readonly stderrTail: string[] = [];

  private constructor(readonly child: ChildProcess, private readonly out: Writable, input: Readable) {
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim() !== '') this.stderrTail.push(line);
      if (this.stderrTail.length > 40) this.stderrTail.splice(0, this.stderrTail.length - 40);
    });
    child.on('exit', (code, signal) => this.fail(new Error(`chromium exited (code ${code}, signal ${signal}): ${this.stderrTail.slice(-5).join(' | ')}`)));
    child.on('error', (err) => this.fail(err));
  }

  static launch(executable: string, args: readonly string[]): CdpPipe {
    const child = spawn(executable, [...args, '--remote-debugging-pipe'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    const out = child.stdio[3] as Writable;
    const input = child.stdio[4] as Readable;
    out.on('error', () => { /* reported through 'exit' */ });
    return new CdpPipe(child, out, input);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId !== undefined && { sessionId }) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.out.write(message + '\0');
    });
  }

  /** Evaluates `expression` in a page session, awaiting a returned promise; returns the JSON value. */
  async evaluate<T>(sessionId: string, expression: string, timeoutMs = 20_000): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId, timeoutMs);
    const details = r['exceptionDetails'] as { exception?: { description?: string }; text?: string } | undefined;
    if (details) throw new Error(`page: ${details.exception?.description ?? details.text ?? 'exception'}`);
    return (r['result'] as { value?: T } | undefined)?.value as T;
  }

  /** Attaches to the first page target (the `about:blank` Chromium opened). */
  async attachToPage(): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const { targetInfos } = (await this.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string }[] };
      const page = targetInfos.find((t) => t.type === 'page');
      if (page) {
        const { sessionId } = (await this.send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
        return sessionId;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('chromium opened no page');
  }

  /** Browser.close, then SIGKILL if it lingers. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.send('Browser.close', {}, undefined, 3000).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    for (let end = this.buffered.indexOf('\0'); end >= 0; end = this.buffered.indexOf('\0')) {
      const text = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      const msg = JSON.parse(text) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`CDP ${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
      }
      // Events (messages without id) are not needed here: no domain is enabled that we listen to.
    }
  }

  private fail(err: Error): void {
    this.exited ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
