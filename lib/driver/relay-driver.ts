import type { RelayLayer } from '../relay/relay-layer.js';
import type { RelayEvent } from '../relay/types.js';
import type { AgentLoop } from './agent-loop.js';
import type { Transport } from './transport.js';
import { TurnSockets, type TurnSocketOptions } from './turn-sockets.js';

/**
 * Joins a core's RelayLayer to real sockets: after every flush of the loop it opens and closes
 * the client sockets the layer asked for, and hands the layer's events out; what becomes of a
 * socket goes back into the core as a verb (socketOpened, socketFailed, socketClosed).
 */
export class RelayDriver {
  readonly sockets: TurnSockets;
  private layer: RelayLayer | undefined;

  constructor(
    private readonly loop: AgentLoop,
    hosts: Transport,
    options: TurnSocketOptions,
    private readonly onEvent: (e: RelayEvent) => void,
  ) {
    this.sockets = new TurnSockets(hosts, loop, {
      opened: (socket, local) => this.verb((l, now) => l.socketOpened(now, socket, local)),
      failed: (socket, detail) => this.verb((l, now) => l.socketFailed(now, socket, detail)),
      closed: (socket, detail) => this.verb((l, now) => l.socketClosed(now, socket, detail)),
    }, options);
    loop.transport = this.sockets;
    loop.afterFlush = () => this.pump();
  }

  /** The layer, once the servers are resolved (gather()). */
  attach(layer: RelayLayer): void {
    this.layer = layer;
    this.loop.unwrapped = () => layer.lastUnwrapped;
  }

  private verb(act: (layer: RelayLayer, now: number) => void): void {
    const layer = this.layer;
    if (layer) this.loop.run((now) => act(layer, now));
  }

  /** Carries out what the layer asked for and tells what it reported. */
  private pump(): void {
    const layer = this.layer;
    if (!layer) return;
    for (let c = layer.pollCommand(); c; c = layer.pollCommand()) {
      if (c.kind === 'open') this.sockets.openSocket(c);
      else this.sockets.closeSocket(c.socket);
    }
    for (let e = layer.pollEvent(); e; e = layer.pollEvent()) this.onEvent(e);
  }
}
