/**
 * The live counters of `ice-probe serve`: a status line redrawn on a terminal (Output decides:
 * never with NO_COLOR, TERM=dumb or a pipe), and with --json a stats line every 5 s. Counters are
 * polled (a cluster's come over IPC), so the line shows the last poll and rates since the one before.
 */
import { jsonLine, type Output } from './output.js';
import type { ServeCounters } from './serve-sessions.js';

const POLL_MS = 500;
const JSON_EVERY_MS = 5000;

export function statusText(where: string, c: ServeCounters, inPerSecond: number, outPerSecond: number): string {
  return [
    `serve ${where}`,
    `sessions ${c.sessions} (${c.connected} connected of ${c.opened})`,
    `in ${Math.round(inPerSecond)}/s out ${Math.round(outPerSecond)}/s`,
    `echoed ${c.echoed}`,
    `dropped: unknown ufrag ${c.unknownUfrag}, unknown address ${c.unknownAddress}, unauthenticated ${c.silenced}`,
  ].join('  ');
}

export class ServeStatus {
  private last: { at: number; c: ServeCounters } | undefined;
  private rates = { in: 0, out: 0 };
  private poller: NodeJS.Timeout | undefined;
  private jsonAt = 0;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly counters: () => Promise<ServeCounters>,
    private readonly out: Output,
    private readonly json: boolean,
    private readonly where: string,
  ) {}

  start(): void {
    this.out.startStatus(() => (this.last ? statusText(this.where, this.last.c, this.rates.in, this.rates.out) : `serve ${this.where}`));
    this.jsonAt = performance.now();
    this.poller = setInterval(() => void this.poll(), POLL_MS);
    this.poller.unref();
  }

  /** Stops polling and returns the final counters. */
  async stop(): Promise<ServeCounters | undefined> {
    clearInterval(this.poller);
    await this.polling;
    this.out.stopStatus();
    try {
      return await this.counters();
    } catch {
      return this.last?.c;
    }
  }

  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const c = await this.counters();
        const at = performance.now();
        if (this.last) {
          const s = (at - this.last.at) / 1000;
          this.rates = { in: (c.received - this.last.c.received) / s, out: (c.sent - this.last.c.sent) / s };
        }
        this.last = { at, c };
        if (this.json && at - this.jsonAt >= JSON_EVERY_MS) {
          this.jsonAt = at;
          this.out.line(jsonLine({ event: 'stats', inPerSecond: Math.round(this.rates.in), outPerSecond: Math.round(this.rates.out), ...c }));
        }
      } catch {
        // a worker going away while stopping: the next poll (or stop) tells
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}
