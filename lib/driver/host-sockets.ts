import type { SocketId } from '../ice/transport.js';
import { addressKey } from '../ice/candidate.js';
import type { HostBinding } from '../ice/transport.js';
import { udpEndpointFactory, type DatagramEndpoint, type EndpointFactory } from '../net/datagram-endpoint.js';
import type { HostAddress } from '../net/interfaces.js';
import type { PortRange, UdpErrorKind } from '../net/udp-socket.js';
import type { DatagramSender, Transport, TransportEvents } from './transport.js';

/** An agent's own UDP sockets: one per (host address, component), each a host candidate's socket. */
export class HostSockets implements Transport {
  /** Each bound socket and the host candidate binding it carries (one Map: memory is per agent). */
  private readonly bound = new Map<SocketId, { readonly endpoint: DatagramEndpoint; readonly binding: HostBinding }>();
  /** Sockets released one by one, still closing: close() waits for them too (made on first release). */
  private closing: Set<Promise<void>> | undefined;
  private nextSocket = 1;
  private closed = false;

  constructor(
    private readonly events: TransportEvents,
    private readonly factory: EndpointFactory = udpEndpointFactory,
    private readonly portRange?: PortRange,
  ) {}

  sender(socket: SocketId): DatagramSender | undefined {
    return this.bound.get(socket)?.endpoint;
  }

  /** Binds a socket per (address, component); failures are warnings. Sorted by component, then interface rank. */
  async bind(addresses: readonly HostAddress[], components: number): Promise<HostBinding[]> {
    const hosts: HostBinding[] = [];
    const binds = addresses.flatMap((a) => Array.from({ length: components }, (_, i) => this.bindOne(a, i + 1, hosts)));
    await Promise.all(binds);
    return hosts.sort((x, y) => x.component - y.component || x.interfaceRank - y.interfaceRank);
  }

  bindings(): readonly HostBinding[] {
    return [...this.bound.values()].map((b) => b.binding);
  }

  release(socket: SocketId): void {
    const endpoint = this.bound.get(socket)?.endpoint;
    this.bound.delete(socket);
    if (!endpoint) return;
    const closing = endpoint.close().finally(() => this.closing?.delete(closing));
    (this.closing ??= new Set()).add(closing);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.bound.values()].map((b) => b.endpoint);
    this.bound.clear();
    await Promise.all([...all.map((e) => e.close()), ...(this.closing ?? [])]);
  }

  private async bindOne(a: HostAddress, component: number, into: HostBinding[]): Promise<void> {
    const socket = this.nextSocket++;
    try {
      const endpoint = await this.factory(
        a.address,
        {
          onMessage: (data, from) => this.events.datagram(socket, data, from),
          onError: (err, kind) => this.onError(socket, endpoint, err, kind),
        },
        this.portRange,
      );
      if (this.closed) return void endpoint.close();
      const binding: HostBinding = { component, socket, base: endpoint.local, interfaceRank: a.interfaceRank };
      this.bound.set(socket, { endpoint, binding });
      into.push(binding);
    } catch (err) {
      this.events.warning('ERR_SOCKET', `cannot bind ${a.address}: ${(err as Error).message}`);
    }
  }

  /** Send errors (ENETUNREACH...) are reported; a socket-level error retires the socket. */
  private onError(socket: SocketId, endpoint: DatagramEndpoint, err: Error, kind: UdpErrorKind): void {
    this.events.warning('ERR_SOCKET', `${kind} error on ${addressKey(endpoint.local)}: ${err.message}`);
    if (kind !== 'socket' || this.closed) return;
    this.bound.delete(socket);
    void endpoint.close();
    this.events.socketLost(socket, `socket ${addressKey(endpoint.local)} lost`);
  }
}
