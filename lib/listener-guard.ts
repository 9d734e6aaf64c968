/**
 * User code (event listeners, the logger) runs inside the driver's loop, but
 * the agent must never depend on it: a listener that throws must not stop the
 * rest of a batch of events, leave a promise of the agent unsettled or unwind
 * a timer or socket callback. Each listener is called on its own; what it
 * throws is surfaced afterwards, the way Node's own emitters surface errors on
 * asynchronous paths: on the next tick, as an `error` event when the
 * application listens for one, otherwise as an uncaught exception (printed
 * with its stack; the process exits unless it handles 'uncaughtException').
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from './util/logger.js';

export class ListenerGuard {
  constructor(private readonly emitter: EventEmitter) {}

  /** Calls every listener of `event`, each isolated from the others' exceptions. */
  emit(event: string, ...args: unknown[]): void {
    // One listener (the common case): no copy of the listener array.
    if (this.emitter.listenerCount(event) <= 1) {
      try {
        this.emitter.emit(event, ...args);
      } catch (err) {
        this.surface(err);
      }
      return;
    }
    for (const listener of this.emitter.rawListeners(event)) {
      try {
        (listener as (...a: unknown[]) => unknown).apply(this.emitter, args);
      } catch (err) {
        this.surface(err);
      }
    }
  }

  /** The data path: the same, without a rest-argument array per datagram. */
  emit3(event: string, a: unknown, b: unknown, c: unknown): void {
    if (this.emitter.listenerCount(event) > 1) return this.emit(event, a, b, c);
    try {
      this.emitter.emit(event, a, b, c);
    } catch (err) {
      this.surface(err);
    }
  }

  /** A listener's exception, after the current batch: an `error` event if someone listens, else uncaught. */
  surface(err: unknown): void {
    process.nextTick(() => this.emitter.emit('error', err));
  }

  /** The logger with each method isolated the same way. */
  logger(logger: Logger): Logger {
    const wrap = (method: keyof Logger) => (msg: string, fields?: Record<string, unknown>): void => {
      try {
        logger[method](msg, fields);
      } catch (err) {
        this.surface(err);
      }
    };
    return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn') };
  }
}
