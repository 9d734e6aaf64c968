/**
 * One node:dgram socket bound to one host address. Binding never throws
 * (errors become typed rejections) and a bound endpoint never crashes the
 * process: send errors and handler exceptions are counted and reported.
 */
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { ipFamily } from '../util/ip-family.js';
import type { TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** Where an endpoint error came from. */
export type UdpErrorKind = 'send' | 'handler' | 'socket';

export type UdpMessageHandler = (data: Buffer, from: TransportAddress) => void;
export type UdpErrorHandler = (error: Error, kind: UdpErrorKind) => void;

export interface UdpEndpointHandlers {
  readonly onMessage: UdpMessageHandler;
  readonly onError?: UdpErrorHandler;
}

export interface UdpCounters {
  /** Datagrams the kernel accepted. */
  sent: number;
  received: number;
  /** Sends that failed (ENETUNREACH, EMSGSIZE, bad port, ...). */
  sendErrors: number;
  /** Sends attempted after close. */
  dropped: number;
}

/** Errors that mean "this port is taken, try another one". */
const RETRYABLE = new Set(['EADDRINUSE', 'EACCES']);

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(err);
}

// Keeps an 'error' event from ever being unhandled before an owner listens.
function ignore(): void {}

function bindOnce(type: 'udp4' | 'udp6', address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type });
    socket.on('error', ignore);
    const onError = (err: Error): void => {
      socket.off('listening', onListening);
      try {
        socket.close();
      } catch {
        // already closed: nothing to release
      }
      reject(err);
    };
    const onListening = (): void => {
      socket.off('error', onError);
      resolve(socket);
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    try {
      // exclusive: a cluster worker must not share the handle with the primary.
      socket.bind({ address, port, exclusive: true });
    } catch (err) {
      onError(err as Error);
    }
  });
}

/**
 * Bind a UDP socket on `address`. With a range, distinct random ports are
 * tried (ports in use are skipped) up to `tries` times; otherwise port 0.
 */
export async function bindUdpSocket(address: string, range?: PortRange, tries?: number): Promise<dgram.Socket> {
  const family = ipFamily(address);
  if (family === 0) throw new IceError('ERR_INVALID_ARGUMENT', `not an IP address: "${address}"`);
  const type = family === 4 ? 'udp4' : 'udp6';
  if (!range) {
    try {
      return await bindOnce(type, address, 0);
    } catch (err) {
      throw new IceError('ERR_SOCKET', `cannot bind ${address}: ${codeOf(err)}`, { cause: err });
    }
  }
  const { min, max } = range;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
    throw new IceError('ERR_INVALID_ARGUMENT', `invalid port range ${min}-${max} (want 1 <= min <= max <= 65535)`);
  }
  const size = max - min + 1;
  const limit = Math.min(tries ?? Math.min(size, 64), size);
  if (!Number.isInteger(limit) || limit < 1) throw new IceError('ERR_INVALID_ARGUMENT', `invalid tries: ${tries}`);

  // Lazy Fisher-Yates over [0, size): distinct random ports in O(tries) memory.
  const swapped = new Map<number, number>();
  let lastCode = '';
  for (let i = 0; i < limit; i++) {
    const j = randomInt(i, size);
    const pick = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    const port = min + pick;
    try {
      return await bindOnce(type, address, port);
    } catch (err) {
      lastCode = codeOf(err);
      if (!RETRYABLE.has(lastCode)) {
        throw new IceError('ERR_SOCKET', `cannot bind ${address}:${port}: ${lastCode}`, { cause: err });
      }
    }
  }
  throw new IceError('ERR_SOCKET', `no free port in ${min}-${max} on ${address} (${lastCode})`);
}

/** An IPv4-mapped IPv6 source (::ffff:1.2.3.4) seen on a udp6 socket, as plain IPv4. */
function unmap(address: string): string | undefined {
  // libuv prints addresses in lower case, so a plain prefix test is enough.
  if (address.startsWith('::ffff:')) {
    const v4 = address.slice(7);
    if (ipFamily(v4) === 4) return v4;
  }
  return undefined;
}

export class UdpEndpoint {
  readonly local: TransportAddress;
  readonly counters: UdpCounters = { sent: 0, received: 0, sendErrors: 0, dropped: 0 };
  private readonly socket: dgram.Socket;
  private readonly onMessage: UdpMessageHandler;
  private readonly onError: UdpErrorHandler | undefined;
  private closing: Promise<void> | undefined;
  private isClosed = false;

  /** Binds like bindUdpSocket and wraps the socket. */
  static async bind(address: string, handlers: UdpEndpointHandlers, range?: PortRange, tries?: number): Promise<UdpEndpoint> {
    return new UdpEndpoint(await bindUdpSocket(address, range, tries), handlers);
  }

  /** Takes ownership of a bound socket (e.g. from bindUdpSocket). */
  constructor(socket: dgram.Socket, handlers: UdpEndpointHandlers) {
    let bound: ReturnType<dgram.Socket['address']>;
    try {
      bound = socket.address();
    } catch (err) {
      throw new IceError('ERR_INVALID_STATE', 'UdpEndpoint needs a bound socket', { cause: err });
    }
    const family = ipFamily(bound.address) === 6 ? 6 : 4;
    this.local = { address: bound.address, port: bound.port, family };
    this.socket = socket;
    this.onMessage = handlers.onMessage;
    this.onError = handlers.onError;

    socket.on('error', (err) => this.report(err, 'socket'));
    socket.once('close', () => {
      this.isClosed = true;
    });
    // One closure per socket: the one its family needs.
    if (family === 6) socket.on('message', (data: Buffer, rinfo: dgram.RemoteInfo) => this.receive6(data, rinfo));
    else socket.on('message', (data: Buffer, rinfo: dgram.RemoteInfo) => this.receive4(data, rinfo));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Data path: never throws, no allocation of ours per packet (a `header` sends a two-buffer list). */
  send(to: TransportAddress, data: Buffer, header?: Buffer): void {
    if (this.isClosed) {
      this.counters.dropped++;
      return;
    }
    try {
      // Without a callback dgram silently discards send errors, so pass one (shared, pre-bound).
      this.inFlight++;
      this.socket.send(header === undefined ? data : [header, data], to.port, to.address, this.afterSend);
    } catch (err) {
      // Synchronous argument errors (bad port, socket closed underneath us).
      this.inFlight--;
      this.counters.sendErrors++;
      this.report(err as Error, 'send');
    }
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.isClosed) return resolve();
      this.isClosed = true;
      const release = (): void => {
        try {
          this.socket.close(() => resolve());
        } catch {
          resolve(); // already closed by someone else
        }
      };
      // dgram sends a tick later: let datagrams queued just before close() leave first (bounded wait).
      if (this.inFlight === 0) return release();
      const guard = setTimeout(() => this.drained?.(), 1000);
      this.drained = () => {
        clearTimeout(guard);
        this.drained = undefined;
        release();
      };
    });
    return this.closing;
  }

  private inFlight = 0;
  private drained: (() => void) | undefined;

  private readonly afterSend = (err: Error | null): void => {
    if (--this.inFlight === 0) this.drained?.();
    if (err) {
      this.counters.sendErrors++;
      this.report(err, 'send');
    } else {
      this.counters.sent++;
    }
  };

  private receive4(data: Buffer, rinfo: dgram.RemoteInfo): void {
    this.deliver(data, { address: rinfo.address, port: rinfo.port, family: 4 });
  }

  private receive6(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const v4 = unmap(rinfo.address);
    this.deliver(data, v4 === undefined
      ? { address: rinfo.address, port: rinfo.port, family: 6 }
      : { address: v4, port: rinfo.port, family: 4 });
  }

  private deliver(data: Buffer, from: TransportAddress): void {
    this.counters.received++;
    try {
      this.onMessage(data, from);
    } catch (err) {
      this.report(err instanceof Error ? err : new Error(String(err)), 'handler');
    }
  }

  private report(err: Error, kind: UdpErrorKind): void {
    if (!this.onError) return;
    try {
      this.onError(err, kind);
    } catch {
      // An error reporter that throws must not take the socket down either.
    }
  }
}
