import { METHOD_BINDING } from '../stun/constants.js';
import { decodeMessage } from '../stun/decode.js';
import { isStunDatagram } from '../stun/demux.js';
import type { TransportAddress } from '../stun/types.js';
import { addressKey } from './candidate.js';
import type { CoreContext } from './context.js';
import type { IncomingPackets } from './incoming.js';
import type { SocketId } from './transport.js';

/** Data to deliver on this component (>= 1), consumed STUN (0), dropped (-1): what `handlePacket` returns. */
export const PACKET_STUN = 0;
export const PACKET_DROPPED = -1;

/**
 * One datagram in: through the socket layers (a TURN allocation unwraps what its server
 * relayed), RFC 7983 demultiplexing, then data (from a proven source only) or STUN (gathering
 * answers, checks and their answers). Network input never throws: drops are counted.
 */
export class PacketIntake {
  /**
   * What a layer unwrapped from the last datagram (a relayed payload), or undefined when it was
   * delivered as it came. Never the input itself: an agent must not keep its last datagram alive.
   */
  unwrapped: Buffer | undefined;
  /** Whether the last STUN message authenticated its source. */
  authenticated = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly incoming: IncomingPackets,
    private readonly afterInput: (now: number, reason: string) => void,
  ) {}

  handle(now: number, socket: SocketId, remote: TransportAddress, data: Buffer): number {
    const { ctx } = this;
    this.unwrapped = undefined;
    this.authenticated = false;
    ctx.lastInputAt = now;
    if (!ctx.layers.empty) {
      const layered = ctx.layers.inbound(now, socket, remote, data);
      if (layered.kind === 'consumed') return this.layerInput(now);
      if (layered.kind === 'unwrapped') {
        socket = layered.socket;
        remote = layered.from;
        data = this.unwrapped = layered.data;
      }
    }
    if (ctx.closed) {
      ctx.drops.afterClose++;
      return PACKET_DROPPED;
    }
    const host = ctx.local.hostOn(socket);
    if (!host) return PACKET_DROPPED;
    if (!isStunDatagram(data)) return this.acceptData(host.component, remote);
    const decoded = decodeMessage(data);
    if (!decoded.ok) {
      ctx.drops.malformed++;
      return PACKET_DROPPED;
    }
    const msg = decoded.message;
    const answer = msg.method === METHOD_BINDING && (msg.cls === 'success' || msg.cls === 'error');
    const gathering = answer && ctx.gatherer.handleResponse(msg, socket, remote);
    this.authenticated = !gathering && this.incoming.handle(now, host, remote, data, msg);
    this.afterInput(now, 'packet');
    return PACKET_STUN;
  }

  /** Application data is delivered only from a remote address that proved itself on this component. */
  private acceptData(component: number, remote: TransportAddress): number {
    if (this.ctx.components[component - 1]!.proven.has(addressKey(remote))) return component;
    this.ctx.drops.unprovenData++;
    return PACKET_DROPPED;
  }

  /** A layer's own packet (a TURN server's answer): it may have changed candidates or pairs. */
  private layerInput(now: number): number {
    if (!this.ctx.closed) this.afterInput(now, 'relay');
    return PACKET_STUN;
  }
}
