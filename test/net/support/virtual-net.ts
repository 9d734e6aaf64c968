/**
 * A virtual clock and an in-memory UDP network for driving IceAgent without
 * sockets or wall-clock time (ARCHITECTURE.md, tests level 2).
 *
 * - VirtualScheduler: the driver's Scheduler on virtual milliseconds. Nothing runs
 *   until the test advances time; due callbacks then run one at a time in
 *   (time, scheduling order), with promise continuations drained between them,
 *   so the driver's async gathering proceeds as it would on a real loop.
 * - VirtualNetwork: an EndpointFactory on fake addresses, NAT boxes
 *   (endpoint-independent or symmetric mapping; endpoint-independent,
 *   address-dependent or address-and-port-dependent filtering), a STUN server
 *   answering with lib/stun bindingResponse, a fixed one-way latency and seeded
 *   loss. Every delivery is a scheduled task, never a synchronous call, so a
 *   receiver may send (or close) from inside its handler.
 */
import type * as os from 'node:os';
import { isIP } from 'node:net';
import type { DatagramEndpoint, EndpointFactory } from '../../../lib/net/datagram-endpoint.js';
import type { InterfaceSource } from '../../../lib/net/interfaces.js';
import type { Scheduler } from '../../../lib/net/scheduler.js';
import type { PortRange, UdpEndpointHandlers } from '../../../lib/net/udp-socket.js';
import { bindingResponse } from '../../../lib/stun/binding-responder.js';
import { decodeMessage } from '../../../lib/stun/decode.js';
import type { TransportAddress } from '../../../lib/stun/types.js';
import { IceError } from '../../../lib/util/errors.js';

// ---- virtual time ----------------------------------------------------------------

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets pending promise continuations (and the microtasks they queue) run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class VirtualScheduler implements Scheduler {
  private t = 0;
  private seq = 0;
  private queue: Task[] = [];
  /** Exceptions thrown by callbacks; `run*` rethrows the first one. */
  readonly errors: unknown[] = [];
  /** Callbacks run so far. */
  executed = 0;

  now(): number {
    return this.t;
  }

  schedule(atMs: number, fn: () => void): unknown {
    // A deadline in the past runs at the next step, never before what is already due now.
    const task: Task = { at: Math.max(atMs, this.t), seq: this.seq++, fn, cancelled: false };
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.at > task.at)) i--;
    this.queue.splice(i, 0, task);
    return task;
  }

  cancel(handle: unknown): void {
    const task = handle as Task;
    task.cancelled = true;
    const i = this.queue.indexOf(task);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Callbacks still scheduled. */
  get pending(): number {
    return this.queue.length;
  }

  nextAt(): number | undefined {
    return this.queue[0]?.at;
  }

  /** Runs every callback due at or before `t` (including ones they schedule), then sets the clock to `t`. */
  async runUntil(t: number): Promise<void> {
    await this.runWhile(() => true, t, Infinity);
    if (this.t < t) this.t = t;
  }

  advance(ms: number): Promise<void> {
    return this.runUntil(this.t + ms);
  }

  /**
   * Runs callbacks in order until `done()` holds (checked before each one), or the next
   * one is later than `limitAt`. Returns whether `done()` held. The clock stays at the
   * last callback run.
   */
  async runUntilTrue(done: () => boolean, limitAt: number): Promise<boolean> {
    return this.runWhile(() => !done(), limitAt, Infinity).then(() => done());
  }

  /** Runs everything left (at most `maxTasks` callbacks): a leaked periodic timer makes this throw. */
  async runUntilIdle(maxTasks = 100_000): Promise<void> {
    await this.runWhile(() => true, Infinity, maxTasks);
    if (this.queue.length > 0) throw new Error(`scheduler still busy after ${maxTasks} callbacks (next at ${this.nextAt()} ms)`);
  }

  private async runWhile(cont: () => boolean, limitAt: number, maxTasks: number): Promise<void> {
    for (let n = 0; n < maxTasks; n++) {
      await drainMicrotasks();
      this.throwIfFailed();
      if (!cont()) return;
      const task = this.queue[0];
      if (!task || task.at > limitAt) return;
      this.queue.shift();
      this.t = task.at;
      this.executed++;
      try {
        task.fn();
      } catch (err) {
        this.errors.push(err);
      }
    }
    await drainMicrotasks();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.errors.length > 0) throw this.errors[0];
  }
}

// ---- seeded randomness -------------------------------------------------------------

/** mulberry32: small, fast, deterministic; test use only. */
export function seededUnit(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- the network ---------------------------------------------------------------------

export type NatMapping = 'endpoint-independent' | 'symmetric';
export type NatFiltering = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

export interface NatConfig {
  /** The NAT's public (outside) address. */
  readonly publicAddress: string;
  /** RFC 4787 mapping: one public port per internal endpoint, or one per (internal endpoint, destination). */
  readonly mapping: NatMapping;
  /** RFC 4787 filtering of inbound packets. Default address-and-port-dependent (Linux MASQUERADE). */
  readonly filtering?: NatFiltering;
  /** First public port handed out (then +1 each). Default 20000. */
  readonly firstPort?: number;
}

interface Binding {
  readonly publicPort: number;
  readonly internal: TransportAddress;
  /** Outside endpoints this mapping has sent to: `addr` and `addr:port` keys. */
  readonly permissions: Set<string>;
}

export class NatBox {
  readonly publicAddress: string;
  readonly mapping: NatMapping;
  readonly filtering: NatFiltering;
  private nextPort: number;
  private readonly byKey = new Map<string, Binding>();
  private readonly byPort = new Map<number, Binding>();

  constructor(cfg: NatConfig) {
    this.publicAddress = cfg.publicAddress;
    this.mapping = cfg.mapping;
    this.filtering = cfg.filtering ?? 'address-and-port-dependent';
    this.nextPort = cfg.firstPort ?? 20000;
  }

  /** Outbound: the public source for a packet from `internal` to `to` (creating the mapping). */
  outbound(internal: TransportAddress, to: TransportAddress): TransportAddress {
    const key = this.mapping === 'symmetric' ? `${key2(internal)}>${key2(to)}` : key2(internal);
    let b = this.byKey.get(key);
    if (!b) {
      b = { publicPort: this.nextPort++, internal, permissions: new Set() };
      this.byKey.set(key, b);
      this.byPort.set(b.publicPort, b);
    }
    b.permissions.add(to.address);
    b.permissions.add(key2(to));
    return { address: this.publicAddress, port: b.publicPort, family: 4 };
  }

  /** Inbound: the internal destination for a packet from `from` to public port `port`, or why it is dropped. */
  inbound(port: number, from: TransportAddress): TransportAddress | 'no-mapping' | 'filtered' {
    const b = this.byPort.get(port);
    if (!b) return 'no-mapping';
    if (this.filtering === 'address-dependent' && !b.permissions.has(from.address)) return 'filtered';
    if (this.filtering === 'address-and-port-dependent' && !b.permissions.has(key2(from))) return 'filtered';
    return b.internal;
  }

  /** Mappings created so far. */
  get mappings(): number {
    return this.byPort.size;
  }
}

function key2(a: { address: string; port: number }): string {
  return `${a.address}:${a.port}`;
}

export interface NetworkOptions {
  /** One-way latency of every packet. Default 10 ms. */
  readonly latencyMs?: number;
  /** Probability that a packet is lost, drawn from a seeded generator. Default 0. */
  readonly lossRate?: number;
  readonly seed?: number;
  /** Targeted, deterministic loss: return true to drop this packet (counted as lost). */
  readonly dropIf?: (p: { readonly at: number; readonly from: TransportAddress; readonly to: TransportAddress; readonly data: Buffer }) => boolean;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  /** Destination not reachable from the sender (a private address behind another NAT, nobody bound). */
  unroutable: number;
  /** Dropped by a NAT's filter or for lack of a mapping. */
  filtered: number;
}

export interface PacketRecord {
  readonly at: number;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly size: number;
  readonly outcome: 'delivered' | 'lost' | 'unroutable' | 'filtered';
}

interface Host {
  readonly address: string;
  readonly nat: NatBox | undefined;
  readonly ports: Map<number, VirtualEndpoint>;
  nextPort: number;
}

class VirtualEndpoint implements DatagramEndpoint {
  closed = false;
  constructor(
    private readonly net: VirtualNetwork,
    readonly local: TransportAddress,
    readonly handlers: UdpEndpointHandlers,
  ) {}

  send(to: TransportAddress, data: Buffer, header?: Buffer): void {
    if (this.closed) return;
    // Copy now: the caller may reuse its buffer after send() returns, as with dgram.
    this.net.transmit(this.local, to, header === undefined ? Buffer.from(data) : Buffer.concat([header, data]));
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.net.unbind(this.local);
    }
    return Promise.resolve();
  }

  deliver(data: Buffer, from: TransportAddress): void {
    if (this.closed) return;
    try {
      this.handlers.onMessage(data, from);
    } catch (err) {
      this.handlers.onError?.(err instanceof Error ? err : new Error(String(err)), 'handler');
    }
  }
}

export class VirtualNetwork {
  readonly latencyMs: number;
  readonly lossRate: number;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, unroutable: 0, filtered: 0 };
  readonly log: PacketRecord[] = [];
  private readonly random: () => number;
  private readonly dropIf: NetworkOptions['dropIf'];
  private readonly hosts = new Map<string, Host>();
  private readonly nats = new Map<string, NatBox>();

  constructor(readonly scheduler: VirtualScheduler, opts: NetworkOptions = {}) {
    this.latencyMs = opts.latencyMs ?? 10;
    this.lossRate = opts.lossRate ?? 0;
    this.random = seededUnit(opts.seed ?? 1);
    this.dropIf = opts.dropIf;
  }

  addNat(cfg: NatConfig): NatBox {
    if (this.nats.has(cfg.publicAddress) || this.hosts.has(cfg.publicAddress)) throw new Error(`${cfg.publicAddress} is taken`);
    const nat = new NatBox(cfg);
    this.nats.set(cfg.publicAddress, nat);
    return nat;
  }

  /** A machine with one IPv4 address, on the open network or behind `nat`. */
  addHost(address: string, nat?: NatBox): void {
    if (isIP(address) !== 4) throw new Error(`virtual hosts are IPv4 only: ${address}`);
    if (this.nats.has(address) || this.hosts.has(address)) throw new Error(`${address} is taken`);
    this.hosts.set(address, { address, nat, ports: new Map(), nextPort: 49152 });
  }

  /** A STUN server on the open network (default 198.18.0.1:3478) answering Binding requests with lib/stun. */
  addStunServer(address = '198.18.0.1', port = 3478): TransportAddress {
    this.addHost(address);
    const local: TransportAddress = { address, port, family: 4 };
    const server: VirtualEndpoint = new VirtualEndpoint(this, local, {
      onMessage: (data, from) => {
        const r = decodeMessage(data);
        if (!r.ok) return;
        const out = bindingResponse(r.message, from);
        if (out) server.send(from, out);
      },
    });
    this.hosts.get(address)!.ports.set(port, server);
    return local;
  }

  /** What `os.networkInterfaces()` would show on `address`'s machine (plus a loopback the agent must skip). */
  interfaceSource(address: string): InterfaceSource {
    return () => ({
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
    } satisfies NodeJS.Dict<os.NetworkInterfaceInfo[]>);
  }

  /** The driver's EndpointFactory: binds on a virtual host's address (a port in `range` if given). */
  readonly endpointFactory: EndpointFactory = async (address, handlers, range?: PortRange) => {
    const host = this.hosts.get(address);
    if (!host) throw new IceError('ERR_SOCKET', `cannot bind ${address}: EADDRNOTAVAIL (not a virtual host)`);
    let port: number | undefined;
    if (range) {
      for (let p = range.min; p <= range.max && port === undefined; p++) if (!host.ports.has(p)) port = p;
      if (port === undefined) throw new IceError('ERR_SOCKET', `cannot bind ${address}: no free port in ${range.min}-${range.max}`);
    } else {
      while (host.ports.has(host.nextPort)) host.nextPort++;
      port = host.nextPort++;
    }
    const endpoint = new VirtualEndpoint(this, { address, port, family: 4 }, handlers);
    host.ports.set(port, endpoint);
    return endpoint;
  };

  /** Endpoints still bound, the STUN servers' included. */
  get boundEndpoints(): number {
    let n = 0;
    for (const h of this.hosts.values()) n += h.ports.size;
    return n;
  }

  unbind(local: TransportAddress): void {
    this.hosts.get(local.address)?.ports.delete(local.port);
  }

  /** Source NAT now (the mapping exists from the moment the packet leaves), delivery after the latency. */
  transmit(from: TransportAddress, to: TransportAddress, data: Buffer): void {
    this.stats.sent++;
    const srcHost = this.hosts.get(from.address);
    const dstHost = this.hosts.get(to.address);
    const srcNat = srcHost?.nat;
    // Inside the same NAT (or both on the open network) packets go directly; leaving a NAT, the source is translated.
    const sameSide = dstHost !== undefined && dstHost.nat === srcNat;
    const wireFrom = srcNat && !sameSide ? srcNat.outbound(from, to) : from;
    const sentAt = this.scheduler.now();
    const record = (outcome: PacketRecord['outcome']): void => {
      this.log.push({ at: sentAt, from: wireFrom, to, size: data.length, outcome });
    };
    if ((this.lossRate > 0 && this.random() < this.lossRate) || this.dropIf?.({ at: sentAt, from: wireFrom, to, data })) {
      this.stats.lost++;
      record('lost');
      return;
    }
    this.scheduler.schedule(sentAt + this.latencyMs, () => {
      const target = this.route(wireFrom, to, srcNat, sameSide);
      if (typeof target === 'string') {
        this.stats[target]++;
        record(target);
        return;
      }
      const endpoint = this.hosts.get(target.address)?.ports.get(target.port);
      if (!endpoint || endpoint.closed) {
        this.stats.unroutable++;
        record('unroutable');
        return;
      }
      this.stats.delivered++;
      record('delivered');
      endpoint.deliver(data, wireFrom);
    });
  }

  private route(from: TransportAddress, to: TransportAddress, srcNat: NatBox | undefined, sameSide: boolean): TransportAddress | 'unroutable' | 'filtered' {
    if (sameSide) return to;
    const nat = this.nats.get(to.address);
    if (nat) {
      const inside = nat.inbound(to.port, from);
      return typeof inside === 'string' ? 'filtered' : inside;
    }
    const host = this.hosts.get(to.address);
    // A private address behind a NAT is not reachable from outside it.
    if (!host || (host.nat !== undefined && host.nat !== srcNat)) return 'unroutable';
    return to;
  }
}
