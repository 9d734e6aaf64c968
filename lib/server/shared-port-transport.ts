import type { HostTransport } from '../driver/environment.js';
import type { DatagramSender, TransportEvents } from '../driver/transport.js';
import type { AgentEvent } from '../ice/events.js';
import type { PairInfo } from '../ice/pair.js';
import type { HostBinding, SocketId } from '../ice/transport.js';
import type { HostAddress } from '../net/interfaces.js';
import type { MuxRouter, PeerAddress } from '../mux/index.js';
import type { TransportAddress } from '../stun/types.js';
import { AddressKeeper, type AddressOwner } from './address-keeper.js';

/** What an IceServer lends each of its agents. */
export interface SharedPort {
  readonly router: MuxRouter<SharedPortTransport>;
  now(): number;
  /** The server's sockets as host candidates for components 1..components. */
  bindings(components: number): HostBinding[];
  sender(socket: SocketId): DatagramSender | undefined;
  /** The agent closed: it leaves the router, the pacer and the server. */
  release(agent: SharedPortTransport): void;
}

/**
 * One agent's view of the server's shared port: `bind()` lends the server's sockets, `sender()`
 * the shared socket, `close()` leaves the router (the socket stays open for the others). The
 * router learns an address only from `authenticated()` (after the agent verified
 * MESSAGE-INTEGRITY) and forgets it on the agent's events (AddressKeeper); it routes the
 * agent's STUN requests by its ufrag, which follows ICE restarts. A full agent's requests are
 * recorded so their responses come back to it.
 */
export class SharedPortTransport implements HostTransport, AddressOwner {
  readonly ownAddresses = true;
  /** The agent's current local ufrag, as registered in the router. */
  ufrag = '';
  /** The agent, once the server made it: its pairs are read on a pair failure. */
  agent: { getPairs(): PairInfo[] } | undefined;
  private readonly keeper = new AddressKeeper(this);
  /** A full agent's senders (they record its requests), made on first use; a lite agent has none. */
  private senders: Map<SocketId, DatagramSender> | undefined;
  private closed = false;

  constructor(private readonly port: SharedPort, readonly events: TransportEvents, private readonly full: boolean) {}

  bind(_addresses: readonly HostAddress[], components: number): Promise<HostBinding[]> {
    return Promise.resolve(this.closed ? [] : this.port.bindings(components));
  }

  /** A lite agent sends on the shared socket itself; a full agent's requests are recorded on the way. */
  sender(socket: SocketId): DatagramSender | undefined {
    if (this.closed) return undefined;
    if (!this.full) return this.port.sender(socket);
    this.senders ??= new Map();
    let s = this.senders.get(socket);
    if (s === undefined) {
      const shared = this.port.sender(socket);
      if (shared === undefined) return undefined;
      const { router } = this.port;
      s = {
        send: (to, data, header) => {
          if (header === undefined && data.length > 0 && data[0]! <= 3) router.requestSent(this, to, data, this.port.now());
          shared.send(to, data, header);
        },
      };
      this.senders.set(socket, s);
    }
    return s;
  }

  authenticated(_socket: SocketId, from: TransportAddress): void {
    if (this.closed) return;
    const address: PeerAddress = { address: from.address, port: from.port };
    this.port.router.authenticated(this, address, this.port.now());
    this.keeper.authenticated(address);
  }

  observe(e: AgentEvent): void {
    if (this.closed) return;
    if (e.type === 'restart') this.renamed(e.ufrag);
    this.keeper.observe(e);
  }

  // ---- AddressOwner: what the keeper may do with this agent's router entries ----

  addresses(): PeerAddress[] {
    return this.port.router.addressesOf(this);
  }

  forget(address: PeerAddress): void {
    this.port.router.forget(this, address);
  }

  pairs(): readonly PairInfo[] {
    return this.agent?.getPairs() ?? [];
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.port.release(this);
    }
    return Promise.resolve();
  }

  /** RFC 8445 §9: checks of the new generation name the new ufrag; the old one stops routing. */
  private renamed(ufrag: string): void {
    if (ufrag === this.ufrag) return;
    try {
      this.port.router.rename(this, this.ufrag, ufrag);
      this.ufrag = ufrag;
    } catch (err) {
      this.events.warning('ERR_DUPLICATE_UFRAG', `ICE restart: ${(err as Error).message}; checks for the new ufrag cannot reach this agent`);
    }
  }
}
