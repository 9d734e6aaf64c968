/**
 * An in-memory UDP network for driving IceAgent without sockets or wall-clock time
 * (ARCHITECTURE.md, tests level 2), on a VirtualScheduler (virtual-clock.ts): an EndpointFactory
 * on fake addresses, NAT boxes (nat.ts, the same model the pure simulation uses), a STUN server
 * answering with lib/stun, a fixed one-way latency and seeded loss. Every delivery is a
 * scheduled task, never a synchronous call, so a receiver may send (or close) from inside its
 * handler.
 */
import type * as os from 'node:os';
import { isIP } from 'node:net';
import type { IceAgentOptions } from '../../lib/ice-agent-types.js';
import type { DatagramEndpoint, EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import type { InterfaceSource } from '../../lib/net/interfaces.js';
import type { PortRange, UdpEndpointHandlers } from '../../lib/net/udp-socket.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { Nat, type NatConfig } from './nat.js';
import { seededUnit } from './random.js';
import { STUN_SERVER, stunServerReply } from './stun-reply.js';
import type { VirtualScheduler } from './virtual-clock.js';

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
  readonly nat: Nat | undefined;
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
  private readonly nats = new Map<string, Nat>();

  constructor(readonly scheduler: VirtualScheduler, opts: NetworkOptions = {}) {
    this.latencyMs = opts.latencyMs ?? 10;
    this.lossRate = opts.lossRate ?? 0;
    this.random = seededUnit(opts.seed ?? 1);
    this.dropIf = opts.dropIf;
  }

  addNat(cfg: NatConfig): Nat {
    if (this.nats.has(cfg.publicAddress) || this.hosts.has(cfg.publicAddress)) throw new Error(`${cfg.publicAddress} is taken`);
    const nat = new Nat(cfg);
    this.nats.set(cfg.publicAddress, nat);
    return nat;
  }

  /** A machine with one IPv4 address, on the open network or behind `nat`. */
  addHost(address: string, nat?: Nat): void {
    if (isIP(address) !== 4) throw new Error(`virtual hosts are IPv4 only: ${address}`);
    if (this.nats.has(address) || this.hosts.has(address)) throw new Error(`${address} is taken`);
    this.hosts.set(address, { address, nat, ports: new Map(), nextPort: 49152 });
  }

  /** A STUN server on the open network (default STUN_SERVER, 198.18.0.1:3478) answering Binding requests with lib/stun. */
  addStunServer(address = STUN_SERVER.address, port = STUN_SERVER.port): TransportAddress {
    this.addHost(address);
    const local: TransportAddress = { address, port, family: 4 };
    const server: VirtualEndpoint = new VirtualEndpoint(this, local, {
      onMessage: (data, from) => {
        const out = stunServerReply(data, from);
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

  /** The options that put an IceAgent on `address`'s machine in this network (add the host first). */
  agentOptions(address: string): Required<Pick<IceAgentOptions, 'scheduler' | 'endpointFactory' | 'interfaceSource'>> {
    return { scheduler: this.scheduler, endpointFactory: this.endpointFactory, interfaceSource: this.interfaceSource(address) };
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

  private route(from: TransportAddress, to: TransportAddress, srcNat: Nat | undefined, sameSide: boolean): TransportAddress | 'unroutable' | 'filtered' {
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
