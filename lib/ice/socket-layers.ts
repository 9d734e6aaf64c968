import type { TransportAddress } from '../stun/types.js';
import type { LayerInbound, Route, SocketId, SocketLayer, Transmit } from './transport.js';

const PASS: LayerInbound = { kind: 'pass' };

/** The socket layers attached to one core (none for most agents: then every call is a no-op). */
export class SocketLayers {
  private readonly list: SocketLayer[] = [];

  add(layer: SocketLayer): void {
    this.list.push(layer);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** A layer's own transmit, if one is waiting. */
  own(): Transmit | undefined {
    for (const layer of this.list) {
      const t = layer.pollTransmit();
      if (t) return t;
    }
    return undefined;
  }

  /** The next transmit for the driver: a layer's own first, then the core's, each as the layers rewrite it. */
  nextTransmit(queue: { shift(): Transmit | undefined }, now: number): Transmit | undefined {
    const own = this.own();
    if (own) return own;
    for (let t = queue.shift(); t; t = queue.shift()) {
      const out = this.outbound(now, t);
      if (out) return out;
    }
    return undefined;
  }

  outbound(now: number, t: Transmit): Transmit | undefined {
    for (const layer of this.list) {
      const out = layer.outbound(now, t);
      if (out !== t) return out;
    }
    return t;
  }

  inbound(now: number, socket: SocketId, from: TransportAddress, data: Buffer): LayerInbound {
    for (const layer of this.list) {
      const r = layer.inbound(now, socket, from, data);
      if (r.kind !== 'pass') return r;
    }
    return PASS;
  }

  route(now: number, r: Route): Route | undefined {
    let out: Route | undefined = r;
    for (const layer of this.list) if (out) out = layer.route(now, out);
    return out;
  }

  deadlines(at: (t: number | undefined) => void): void {
    for (const layer of this.list) if (!layer.closed) at(layer.nextDeadline());
  }

  handleTimeout(now: number): void {
    for (const layer of this.list) if (!layer.closed) layer.handleTimeout(now);
  }

  close(now: number): void {
    for (const layer of this.list) layer.close(now);
  }

  /** Every layer finished closing (its last messages are out). */
  get closed(): boolean {
    return this.list.every((l) => l.closed);
  }
}
