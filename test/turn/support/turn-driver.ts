// A TEST-ONLY driver that runs a pure TurnAllocation on a real socket (node:dgram, node:net or
// node:tls), with the real clock and one timer re-armed at pollTimeout(). It is the shape the
// lead's ICE driver will take: the driver owns the socket, the core owns every decision.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { decodeMessage, getAttribute, type TransportAddress } from '../../../lib/stun/index.js';
import { TurnAllocation } from '../../../lib/turn/allocation.js';
import { StreamFramer } from '../../../lib/turn/stream-framer.js';
import type { TurnAllocationOptions, TurnEvent, TurnWrapResult } from '../../../lib/turn/types.js';
import { cryptoRandom } from '../../../lib/util/random.js';

export interface DriverOptions extends Omit<TurnAllocationOptions, 'rng'> {
  /** TLS: the server's self-signed certificate, pinned (trusted as the only CA, fingerprint compared). */
  readonly pinnedCert?: Buffer;
}

export class TurnDriver {
  readonly allocation: TurnAllocation;
  readonly events: TurnEvent[] = [];
  readonly received: { readonly peer: TransportAddress; readonly payload: Buffer; readonly channel: number | undefined }[] = [];
  /** ERROR-CODE of every STUN error response seen (for assertions on 438 and the like). */
  readonly errorCodes: number[] = [];
  local: TransportAddress | undefined;
  private udp: dgram.Socket | undefined;
  private stream: net.Socket | undefined;
  private readonly framer = new StreamFramer();
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly t0 = performance.now();

  private constructor(private readonly opts: DriverOptions) {
    this.allocation = new TurnAllocation({ ...opts, rng: cryptoRandom });
  }

  static async open(opts: DriverOptions): Promise<TurnDriver> {
    const d = new TurnDriver(opts);
    await (opts.transport === 'udp' ? d.openUdp() : d.openStream());
    return d;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  private async openUdp(): Promise<void> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.on('message', (msg, rinfo) => this.input({ address: rinfo.address, port: rinfo.port, family: 4 }, msg));
    this.udp = s;
    this.local = { address: '127.0.0.1', port: s.address().port, family: 4 };
  }

  private async openStream(): Promise<void> {
    const { address: host, port } = this.opts.server;
    const pin = this.opts.pinnedCert;
    const s = this.opts.transport === 'tls'
      ? tls.connect({
          host, port, servername: 'localhost', ca: pin ? [pin] : [],
          checkServerIdentity: (_name, cert) => (pin && cert.fingerprint256 === new X509Certificate(pin).fingerprint256
            ? undefined : new Error('server certificate does not match the pinned one')),
        })
      : net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      s.once(this.opts.transport === 'tls' ? 'secureConnect' : 'connect', () => resolve());
      s.once('error', reject);
    });
    s.on('data', (chunk: Buffer) => {
      const r = this.framer.push(chunk);
      for (const f of r.frames) this.input(this.opts.server, f);
      if (r.error) s.destroy(new Error(`framing: ${r.error}`)); // out of sync: close (RFC 8656 §12.5)
    });
    s.on('error', () => {});
    s.on('close', () => { this.allocation.transportClosed(this.now()); this.pump(); });
    this.stream = s;
    this.local = { address: s.localAddress!, port: s.localPort!, family: 4 };
  }

  private input(from: TransportAddress, data: Buffer): void {
    if (data[0]! < 0x40) {
      const d = decodeMessage(data);
      const code = d.ok ? getAttribute(d.message, 'ERROR-CODE')?.value.code : undefined;
      if (code !== undefined) this.errorCodes.push(code);
    }
    const r = this.allocation.unwrap(this.now(), from, data);
    if (r.kind === 'data') this.received.push({ peer: r.peer, payload: Buffer.from(r.payload), channel: r.channel });
    this.pump();
  }

  private write(data: readonly Buffer[]): void {
    if (this.udp) this.udp.send([...data], this.opts.server.port, this.opts.server.address);
    else if (this.stream && !this.stream.destroyed) for (const b of data) this.stream.write(b);
  }

  /** Drain what the core produced and re-arm the one timer. */
  private pump(): void {
    for (let t = this.allocation.pollTransmit(); t; t = this.allocation.pollTransmit()) this.write(t.data);
    for (let e = this.allocation.pollEvent(); e; e = this.allocation.pollEvent()) this.events.push(e);
    clearTimeout(this.timer);
    const at = this.allocation.pollTimeout();
    if (at !== undefined) {
      this.timer = setTimeout(() => { this.allocation.handleTimeout(this.now()); this.pump(); }, Math.max(0, Math.ceil(at - this.now())));
    }
    for (const w of this.waiters) w();
  }

  start(): void { this.allocation.start(this.now()); this.pump(); }
  permit(ips: readonly string[]): void { this.allocation.permit(this.now(), ips); this.pump(); }
  bindChannel(peer: TransportAddress): number | undefined { const n = this.allocation.bindChannel(this.now(), peer); this.pump(); return n; }

  send(peer: TransportAddress, payload: Buffer): TurnWrapResult {
    const r = this.allocation.wrap(this.now(), peer, payload);
    if (r.kind === 'send') this.write(r.data);
    this.pump();
    return r;
  }

  event<T extends TurnEvent['type']>(type: T): Extract<TurnEvent, { type: T }> | undefined {
    return this.events.find((e): e is Extract<TurnEvent, { type: T }> => e.type === type);
  }

  /** Resolve when `pred` holds (checked after every input and timer), reject after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (pred()) { resolve(); return; }
      const check = (): void => { if (pred()) { done(); resolve(); } };
      const t = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events)}`)); }, timeoutMs);
      const done = (): void => { clearTimeout(t); this.waiters.delete(check); };
      this.waiters.add(check);
    });
  }

  /** close() the allocation, wait for 'closed', then close the socket. */
  async close(): Promise<void> {
    this.allocation.close(this.now());
    this.pump();
    await this.waitFor(() => this.event('closed') !== undefined, 5_000, 'closed').catch(() => {});
    this.shutdown();
  }

  /** Close the socket without telling the server. */
  shutdown(): void {
    clearTimeout(this.timer);
    this.udp?.close();
    this.udp = undefined;
    this.stream?.destroy();
  }
}

/** A UDP peer on loopback that echoes every datagram to its source and records the sources. */
export class EchoPeer {
  readonly sources: TransportAddress[] = [];
  private constructor(private readonly socket: dgram.Socket, readonly address: TransportAddress) {}

  static async open(): Promise<EchoPeer> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const peer = new EchoPeer(s, { address: '127.0.0.1', port: s.address().port, family: 4 });
    s.on('message', (msg, rinfo) => {
      peer.sources.push({ address: rinfo.address, port: rinfo.port, family: 4 });
      s.send(msg, rinfo.port, rinfo.address);
    });
    return peer;
  }

  close(): void {
    this.socket.close();
  }
}
