import type { CoreParts } from '../ice/agent-core.js';
import type { Checks } from '../ice/checks.js';
import type { CoreContext } from '../ice/context.js';
import { Fifo } from '../util/fifo.js';
import type { LayerInbound, Route, SocketId, SocketLayer, Transmit } from '../ice/transport.js';
import type { TransportAddress } from '../stun/types.js';
import { RelaySlot } from './relay-slot.js';
import type { SlotHost } from './slot-host.js';
import type { RelayCommand, RelayEvent, RelayInfo, RelayLayerOptions, Unwrapped } from './types.js';

/** Socket ids the layer hands out (client sockets it asks the driver for, and virtual ones): above any host transport's. */
export const RELAY_SOCKET_BASE = 0x4000_0000;
/** At most 4 allocations per agent (one per TURN server, component and family). */
export const MAX_ALLOCATIONS = 4;

const PASS: LayerInbound = { kind: 'pass' };

/**
 * The TURN client of one agent, as a socket layer of its pure core (lib/ice/transport.ts): up to
 * four allocations (RelaySlot), each with a client socket the driver opens on request
 * (`pollCommand` → `socketOpened`/`socketFailed`), a relay candidate on a virtual socket whose
 * transmits are wrapped for the server, and the server's datagrams unwrapped onto it.
 */
export class RelayLayer implements SocketLayer, SlotHost {
  readonly ctx: CoreContext;
  readonly checks: Checks;
  private readonly slots: RelaySlot[] = [];
  private readonly bySocket = new Map<SocketId, RelaySlot>();
  private readonly commands = new Fifo<RelayCommand>();
  private readonly events = new Fifo<RelayEvent>();
  private nextSocket = RELAY_SOCKET_BASE;
  private nudgeAt: number | undefined;
  private started = false;
  private closing = false;
  /** The last datagram unwrapped (its peer and channel): the driver's receive path caches channels with it. */
  lastUnwrapped: Unwrapped | undefined;

  constructor(parts: CoreParts, readonly options: RelayLayerOptions) {
    this.ctx = parts.ctx;
    this.checks = parts.checks;
    options.servers.forEach((server, index) => {
      for (let component = 1; component <= this.ctx.config.components; component++) this.slots.push(new RelaySlot(this, server, index, component));
    });
  }

  // ---- driver verbs -----------------------------------------------------------------------

  /** Asks for the client sockets (gathering waits for every allocation's outcome). Call before startGathering(). */
  start(now: number): void {
    if (this.started || this.closing) return;
    this.started = true;
    const max = Math.min(this.options.maxAllocations ?? MAX_ALLOCATIONS, MAX_ALLOCATIONS);
    this.slots.forEach((slot, i) => {
      if (i < max) slot.start(now);
      else slot.refuse('over-limit', `at most ${max} allocations per agent (TURN servers x components)`);
    });
  }

  /** The driver opened the socket asked for (`local`: its own address). */
  socketOpened(now: number, socket: SocketId, local: TransportAddress): void {
    const slot = this.bySocket.get(socket);
    if (!slot || this.closing) return this.command({ kind: 'close', socket });
    slot.socketOpened(now, socket, local);
  }

  /** The driver could not open it (no route, connection refused, a TLS error...). */
  socketFailed(now: number, socket: SocketId, detail: string): void {
    this.bySocket.get(socket)?.socketFailed(now, socket, detail);
  }

  /** An open client socket is gone (the TCP/TLS connection closed, a socket error). */
  socketClosed(now: number, socket: SocketId, detail: string): void {
    this.bySocket.get(socket)?.socketClosed(now, socket, detail);
  }

  pollCommand(): RelayCommand | undefined {
    return this.commands.shift();
  }

  pollEvent(): RelayEvent | undefined {
    return this.events.shift();
  }

  get relays(): RelayInfo[] {
    return this.slots.map((s) => s.info());
  }

  /** Whether `socket` is one of this layer's (a client socket or a virtual one). */
  owns(socket: SocketId): boolean {
    return this.bySocket.has(socket);
  }

  // ---- SocketLayer -----------------------------------------------------------------------------

  outbound(now: number, t: Transmit): Transmit | undefined {
    const slot = this.bySocket.get(t.socket);
    return slot && slot.isVirtual(t.socket) ? slot.outbound(now, t) : t;
  }

  inbound(now: number, socket: SocketId, from: TransportAddress, data: Buffer): LayerInbound {
    const slot = this.bySocket.get(socket);
    return slot && !slot.isVirtual(socket) ? slot.inbound(now, from, data) : PASS;
  }

  route(_now: number, r: Route): Route | undefined {
    const slot = this.bySocket.get(r.socket);
    return slot && slot.isVirtual(r.socket) ? slot.route(r) : r;
  }

  pollTransmit(): Transmit | undefined {
    for (const slot of this.slots) {
      const t = slot.pollTransmit();
      if (t) return t;
    }
    return undefined;
  }

  nextDeadline(): number | undefined {
    let next = this.nudgeAt;
    for (const slot of this.slots) {
      const t = slot.nextDeadline();
      if (t !== undefined && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  handleTimeout(now: number): void {
    if (this.nudgeAt !== undefined && now >= this.nudgeAt) this.nudgeAt = undefined;
    for (const slot of this.slots) slot.handleTimeout(now);
  }

  close(now: number): void {
    this.closing = true;
    this.nudgeAt = undefined;
    for (const slot of this.slots) slot.close(now);
  }

  get closed(): boolean {
    return this.closing && this.slots.every((s) => s.done);
  }

  // ---- SlotHost ----------------------------------------------------------------------------------

  newSocketId(): SocketId {
    return this.nextSocket++;
  }

  claim(socket: SocketId, slot: RelaySlot): void {
    this.bySocket.set(socket, slot);
  }

  unclaim(socket: SocketId): void {
    this.bySocket.delete(socket);
  }

  command(c: RelayCommand): void {
    this.commands.push(c);
  }

  event(e: RelayEvent): void {
    this.events.push(e);
  }

  nudge(now: number): void {
    if (!this.closing && (this.nudgeAt === undefined || now < this.nudgeAt)) this.nudgeAt = now;
  }

  unwrapped(u: Unwrapped): void {
    this.lastUnwrapped = u;
  }
}
