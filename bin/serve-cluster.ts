/**
 * `ice-probe serve --workers N`: one process per core (node:cluster), each with its OWN UDP port
 * (port + k × components) and an IceServer whose agent ufrags name the worker (workerUfrag). The
 * primary runs the HTTP API: a new session goes to the next worker in turn; anything addressed
 * to a session afterwards (DELETE /session/<id>) reaches its worker from the id alone (workerOf).
 * Not a shared `reusePort` group: the kernel would hash each of a client's candidates (different
 * 4-tuples) to any worker, whatever worker holds its agent (README "Server mode").
 */
import cluster, { type Worker } from 'node:cluster';
import { workerOf } from '../lib/server/index.js';
import type { SessionHost } from './serve-http.js';
import type { EchoSessions, ServeCounters, SessionAnswer, SessionEvent, SessionOffer } from './serve-sessions.js';

/** Primary → worker. */
type Request =
  | { readonly id: number; readonly op: 'create'; readonly offer: SessionOffer }
  | { readonly id: number; readonly op: 'close'; readonly session: string }
  | { readonly id: number; readonly op: 'counters' }
  | { readonly id: number; readonly op: 'stop' };

/** Worker → primary. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly worker: number; readonly addresses: readonly string[] }
  | { readonly type: 'reply'; readonly id: number; readonly ok: boolean; readonly value?: unknown; readonly error?: string }
  | { readonly type: 'event'; readonly worker: number; readonly event: SessionEvent };

/** The environment variable that tells a forked process which worker it is. */
export const WORKER_ENV = 'ICE_PROBE_SERVE_WORKER';

export function sumCounters(all: readonly ServeCounters[]): ServeCounters {
  const out = {} as Record<keyof ServeCounters, number>;
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k as keyof ServeCounters] = (out[k as keyof ServeCounters] ?? 0) + v;
  return out as ServeCounters;
}

/** The primary's view of its workers: requests over IPC, answers matched by id. */
export class ClusterHost implements SessionHost {
  private nextId = 1;
  private nextWorker = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly workers: readonly Worker[]) {
    for (const w of workers) w.on('message', (m: WorkerMessage) => this.onMessage(m));
  }

  create(offer: SessionOffer): Promise<SessionAnswer> {
    const k = this.nextWorker++ % this.workers.length;
    return this.ask(k, { op: 'create', offer }) as Promise<SessionAnswer>;
  }

  /** The session id is its first ufrag: its first two characters name the worker. */
  async close(session: string): Promise<boolean> {
    const k = workerOf(session);
    if (k === undefined || k >= this.workers.length) return false;
    return (await this.ask(k, { op: 'close', session })) as boolean;
  }

  async counters(): Promise<ServeCounters> {
    return sumCounters((await Promise.all(this.workers.map((_, k) => this.ask(k, { op: 'counters' })))) as ServeCounters[]);
  }

  async stop(): Promise<void> {
    const exits = this.workers.map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
    await Promise.all(this.workers.map((_, k) => this.ask(k, { op: 'stop' }).catch(() => undefined)));
    await Promise.all(exits);
  }

  private ask(k: number, r: { op: Request['op'] } & Partial<Request>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[k]!.send({ ...r, id });
    });
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type !== 'reply') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(Object.assign(new Error(m.error ?? 'worker error'), { code: 'ERR_WORKER' }));
  }
}

/** Forks `n` workers and resolves with them once each reported its addresses. */
export async function forkWorkers(n: number, onReady: (m: WorkerMessage & { type: 'ready' }) => void, onEvent: (m: WorkerMessage & { type: 'event' }) => void): Promise<Worker[]> {
  const workers = Array.from({ length: n }, (_, k) => cluster.fork({ [WORKER_ENV]: String(k) }));
  await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        onReady(m);
        resolve();
      } else if (m.type === 'event') onEvent(m);
    });
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before it was ready`)));
  })));
  return workers;
}

/** The worker side: answers the primary's requests from its own sessions. */
export function serveWorker(worker: number, sessions: EchoSessions, addresses: readonly string[], stop: () => Promise<void>): void {
  const send = (m: WorkerMessage): void => void process.send?.(m);
  process.on('message', (r: Request) => {
    const answer = async (): Promise<unknown> => {
      switch (r.op) {
        case 'create': return sessions.create(r.offer);
        case 'close': return sessions.close(r.session);
        case 'counters': return sessions.counters();
        case 'stop': return stop();
      }
    };
    answer().then(
      (value) => send({ type: 'reply', id: r.id, ok: true, value }),
      (err: unknown) => send({ type: 'reply', id: r.id, ok: false, error: (err as Error).message }),
    );
  });
  send({ type: 'ready', worker, addresses });
}

export const workerEvent = (worker: number) => (event: SessionEvent): void => void process.send?.({ type: 'event', worker, event } satisfies WorkerMessage);
