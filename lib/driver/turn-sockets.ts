import type { AgentEvent } from '../ice/events.js';
import type { SocketId } from '../ice/transport.js';
import { udpEndpointFactory, type DatagramEndpoint, type EndpointFactory } from '../net/datagram-endpoint.js';
import type { PortRange } from '../net/udp-socket.js';
import type { RelayCommand } from '../relay/types.js';
import type { TransportAddress } from '../stun/types.js';
import type { DatagramSender, Transport, TransportEvents } from './transport.js';
import { channelHeader, isChannelHeader, TurnStream } from './turn-stream.js';

/** What becomes of the client sockets the relay layer asked for. */
export interface RelaySocketEvents {
  opened(socket: SocketId, local: TransportAddress): void;
  failed(socket: SocketId, detail: string): void;
  /** An open socket is gone (TCP/TLS connection closed, socket error). Not called for sockets closed on request. */
  closed(socket: SocketId, detail: string): void;
}

export interface TurnSocketOptions {
  readonly endpointFactory?: EndpointFactory;
  readonly portRange?: PortRange;
  /** TLS: trusted certificates (PEM) instead of the system store. */
  readonly tlsCa?: readonly (string | Buffer)[];
  /** The local address a UDP client socket binds to for this server (a host address, or the wildcard). */
  readonly localAddressFor: (server: TransportAddress) => string;
}

type OpenCommand = Extract<RelayCommand, { kind: 'open' }>;

/** UDP: the ChannelData LENGTH of each datagram is written into a fresh header (the route's is a template). */
class UdpTurnSender implements DatagramSender {
  constructor(readonly endpoint: DatagramEndpoint) {}

  send(to: TransportAddress, data: Buffer, header?: Buffer): void {
    this.endpoint.send(to, data, isChannelHeader(header) ? channelHeader(header, data.length) : header);
  }
}

/**
 * The TURN client sockets of one agent (one per allocation: UDP via node:dgram, TCP/TLS via
 * TurnStream), next to its host transport: socket ids at or above the relay layer's base are
 * ours, the others the host transport's.
 */
export class TurnSockets implements Transport {
  private readonly open = new Map<SocketId, UdpTurnSender | TurnStream>();
  /** Asked for and not open yet: a close meanwhile cancels them. */
  private readonly pending = new Set<SocketId>();
  private closedAll = false;

  constructor(
    private readonly inner: Transport,
    private readonly datagrams: TransportEvents,
    private readonly events: RelaySocketEvents,
    private readonly options: TurnSocketOptions,
  ) {}

  sender(socket: SocketId): DatagramSender | undefined {
    return this.open.get(socket) ?? this.inner.sender(socket);
  }

  authenticated(socket: SocketId, from: TransportAddress): void {
    this.inner.authenticated?.(socket, from);
  }

  observe(e: AgentEvent): void {
    this.inner.observe?.(e);
  }

  /** Opens the socket the layer asked for; the outcome comes back through `events`. */
  openSocket(c: OpenCommand): void {
    if (this.closedAll) return this.events.failed(c.socket, 'the agent is closing');
    this.pending.add(c.socket);
    const opening = c.transport === 'udp' ? this.openUdp(c) : this.openStream(c);
    opening.then(
      (s) => {
        if (!this.pending.delete(c.socket) || this.closedAll) return void this.releaseSocket(s);
        this.open.set(c.socket, s);
        this.events.opened(c.socket, s instanceof TurnStream ? s.local : s.endpoint.local);
      },
      (err: unknown) => {
        if (this.pending.delete(c.socket)) this.events.failed(c.socket, (err as Error).message);
      },
    );
  }

  private async openUdp(c: OpenCommand): Promise<UdpTurnSender> {
    const factory = this.options.endpointFactory ?? udpEndpointFactory;
    const endpoint = await factory(
      this.options.localAddressFor(c.server),
      {
        onMessage: (data, from) => this.datagrams.datagram(c.socket, data, from),
        onError: (err, kind) => this.udpError(c.socket, err, kind),
      },
      this.options.portRange,
    );
    return new UdpTurnSender(endpoint);
  }

  private openStream(c: OpenCommand): Promise<TurnStream> {
    return TurnStream.connect(
      { server: c.server, tls: c.transport === 'tls', hostname: c.hostname, ca: this.options.tlsCa },
      {
        frame: (data) => this.datagrams.datagram(c.socket, data, c.server),
        closed: (detail) => {
          if (this.open.delete(c.socket)) this.events.closed(c.socket, detail);
        },
      },
    );
  }

  private udpError(socket: SocketId, err: Error, kind: string): void {
    this.datagrams.warning('ERR_SOCKET', `${kind} error on a TURN client socket: ${err.message}`);
    if (kind !== 'socket') return;
    const s = this.open.get(socket);
    this.open.delete(socket);
    if (s) void this.releaseSocket(s);
    this.events.closed(socket, err.message);
  }

  /** The layer is done with it (437, a redirect, a failed allocation). */
  closeSocket(socket: SocketId): void {
    this.pending.delete(socket);
    const s = this.open.get(socket);
    this.open.delete(socket);
    if (s) void this.releaseSocket(s);
  }

  private releaseSocket(s: UdpTurnSender | TurnStream): Promise<void> {
    return s instanceof TurnStream ? s.close() : s.endpoint.close();
  }

  /** After the core is drained: every TURN socket, then the host transport. */
  async close(): Promise<void> {
    this.closedAll = true;
    this.pending.clear();
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all([...all.map((s) => this.releaseSocket(s)), this.inner.close()]);
  }
}
