import type { TransportAddress } from '../stun/types.js';
import { zeroCounters } from '../turn/options.js';
import type { TurnDropCounters, TurnDropReason } from '../turn/types.js';
import type { RelayFailureReason, RelayInfo, RelayServer, RelayState } from './types.js';

/** What an allocation came to: what `RelayInfo` reports. */
export interface Outcome {
  reason?: RelayFailureReason;
  code?: number;
  detail?: string;
  relayed?: TransportAddress;
  mapped?: TransportAddress;
  lifetimeS?: number;
  allocateMs?: number;
}

/** The slot's account of itself: outcome, sockets used, and the drops of every allocation it made. */
export class SlotReport {
  readonly outcome: Outcome = {};
  sockets = 0;
  private readonly dropsBefore = zeroCounters();

  /** An allocation is replaced (437, a redirect): keep its drop counts. */
  retire(counters: Readonly<TurnDropCounters> | undefined): void {
    if (counters) for (const k of Object.keys(counters) as TurnDropReason[]) this.dropsBefore[k] += counters[k];
  }

  info(config: RelayServer, at: { server: TransportAddress; local: TransportAddress | undefined; component: number; state: RelayState },
    current: Readonly<TurnDropCounters> | undefined, counts = { permissions: 0, channels: 0 }): RelayInfo {
    const o = this.outcome;
    const drops = { ...this.dropsBefore };
    if (current) for (const k of Object.keys(drops) as TurnDropReason[]) drops[k] += current[k];
    return {
      uri: config.uri, server: at.server, transport: config.transport, component: at.component, state: at.state,
      ...(at.local && { local: at.local }), ...(o.relayed && { relayed: o.relayed }), ...(o.mapped && { mapped: o.mapped }),
      ...(o.lifetimeS !== undefined && { lifetimeS: o.lifetimeS }), ...(o.allocateMs !== undefined && { allocateMs: o.allocateMs }),
      ...(o.reason !== undefined && { reason: o.reason }), ...(o.code !== undefined && { code: o.code }),
      ...(o.detail !== undefined && { detail: o.detail }), sockets: this.sockets, ...counts, drops,
    };
  }
}
