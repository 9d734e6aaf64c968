import type { AgentLoop } from './driver/agent-loop.js';
import { RelayDriver } from './driver/relay-driver.js';
import type { Transport } from './driver/transport.js';
import type { IceAgentCore } from './ice/agent-core.js';
import { resolveTurnServer, type TurnEntry } from './ice-servers.js';
import type { IceAgentOptions } from './ice-agent-types.js';
import type { HostAddress } from './net/interfaces.js';
import { RelayLayer } from './relay/relay-layer.js';
import type { RelayEvent, RelayInfo, RelayServer } from './relay/types.js';
import type { TransportAddress } from './stun/types.js';

export interface AgentRelayHooks {
  warn(code: string, message: string): void;
  /** A relay's news for the application (the `relay` event). */
  emit(info: RelayInfo): void;
}

/** One line on why a relay failed: `turn:host:port?transport=udp: auth-failed (401) ...`. */
export function relayFailureText(r: RelayInfo): string {
  return `TURN ${r.uri} (component ${r.component}): ${r.reason ?? 'failed'}${r.code !== undefined ? ` (${r.code})` : ''}${r.detail ? `: ${r.detail}` : ''}`;
}

/**
 * What IceAgent adds for TURN servers: their client sockets next to the host transport, their
 * names resolved at gather(), the relay layer attached to the core, and its events told.
 */
export class AgentRelay {
  private readonly driver: RelayDriver;
  private layer: RelayLayer | undefined;
  private hostAddresses: readonly HostAddress[] = [];

  constructor(
    loop: AgentLoop,
    hosts: Transport,
    private readonly options: IceAgentOptions,
    private readonly turn: readonly TurnEntry[],
    private readonly hooks: AgentRelayHooks,
  ) {
    const ca = options.turnTlsCa;
    this.driver = new RelayDriver(loop, hosts, {
      ...(options.endpointFactory !== undefined && { endpointFactory: options.endpointFactory }),
      ...(options.portRange !== undefined && { portRange: options.portRange }),
      ...(ca !== undefined && { tlsCa: Array.isArray(ca) ? ca : [ca as string | Buffer] }),
      localAddressFor: (server) => this.localAddressFor(server),
    }, (e) => this.onEvent(e));
  }

  /** The host addresses the filters selected: a UDP client socket binds to one of its server's family (a srflx needs a real base). */
  useHostAddresses(addresses: readonly HostAddress[]): void {
    this.hostAddresses = addresses;
  }

  private localAddressFor(server: TransportAddress): string {
    const loopback = server.family === 4 ? server.address.startsWith('127.') : server.address === '::1';
    const pick = this.hostAddresses.find((a) => a.family === server.family && a.loopback === loopback && !a.linkLocal);
    return pick?.address ?? (server.family === 4 ? '0.0.0.0' : '::');
  }

  /** Every TURN URL resolved; one that does not resolve is a warning and is left out. */
  async resolve(): Promise<RelayServer[]> {
    const out = await Promise.all(this.turn.map(async (e) => {
      try {
        return [await resolveTurnServer(e, this.options.lookup)];
      } catch (err) {
        this.hooks.warn('ERR_TURN_SERVER', `TURN ${e.uri.uri}: ${(err as Error).message}`);
        return [];
      }
    }));
    return out.flat();
  }

  /** The relay layer on the core (before gathering starts), or undefined without a usable server. */
  attach(core: IceAgentCore, servers: readonly RelayServer[]): RelayLayer | undefined {
    if (servers.length === 0) return undefined;
    const o = this.options;
    this.layer = core.attachLayer((parts) => new RelayLayer(parts, {
      servers, policy: o.iceTransportPolicy ?? 'all', ...(o.relayTimers !== undefined && { timers: o.relayTimers }),
    }));
    this.driver.attach(this.layer);
    return this.layer;
  }

  get relays(): RelayInfo[] {
    return this.layer?.relays ?? [];
  }

  private onEvent(e: RelayEvent): void {
    if (e.type === 'failed') this.hooks.warn('ERR_TURN', relayFailureText(e.relay));
    this.hooks.emit(e.relay);
  }
}
