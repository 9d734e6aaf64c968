import { METHOD_CHANNEL_BIND, type TransportAddress } from '../stun/index.js';
import { CHANNEL_NUMBER_MAX, CHANNEL_NUMBER_MIN } from './channel-data.js';
import { addressKey, type TurnContext } from './context.js';
import { channelBindAttributes } from './messages.js';
import type { PermissionTable } from './permission-table.js';
import type { RequestOutcome } from './requests.js';

/** One channel (RFC 8656 §12), with its OWN refresh time (werift shared one `channelRefreshAt`). */
export interface ChannelEntry {
  readonly peer: TransportAddress;
  readonly number: number;
  /** 0 until a ChannelBind succeeded; then when the server's binding lapses. */
  boundUntil: number;
  /** When to ChannelBind again (Infinity until bound). */
  refreshAt: number;
  inFlight: boolean;
}

/**
 * ChannelBind traffic. Numbers go up from 0x4000 and never move to another peer within an
 * allocation (RFC 8656 §12: a number stays tied to its peer for 5 min after it lapses);
 * 0x4FFF is the last.
 */
export class ChannelManager {
  private readonly byPeer = new Map<string, ChannelEntry>();
  private readonly byNumber = new Map<number, ChannelEntry>();
  // Released channels keep their number: the server refuses (400) a new number for a peer
  // whose old binding is alive, and a number must not go to another peer (RFC 8656 §12.2).
  private readonly retired = new Map<string, number>();
  private nextNumber = CHANNEL_NUMBER_MIN;

  constructor(
    private readonly ctx: TurnContext,
    private readonly permissions: PermissionTable,
    private readonly refreshMs: number,
    private readonly lifetimeMs: number,
  ) {}

  forPeer(peer: TransportAddress): ChannelEntry | undefined {
    return this.byPeer.get(addressKey(peer));
  }

  forNumber(n: number): ChannelEntry | undefined {
    return this.byNumber.get(n);
  }

  get size(): number {
    return this.byPeer.size;
  }

  /** Bind a channel to `peer` (canonical); returns its number, or undefined when all 4096 are used. */
  bind(now: number, peer: TransportAddress): number | undefined {
    const existing = this.forPeer(peer);
    if (existing !== undefined) return existing.number;
    const reused = this.retired.get(addressKey(peer));
    if (reused === undefined && this.nextNumber > CHANNEL_NUMBER_MAX) return undefined;
    const entry: ChannelEntry = { peer, number: reused ?? this.nextNumber++, boundUntil: 0, refreshAt: Infinity, inFlight: false };
    this.retired.delete(addressKey(peer));
    this.byPeer.set(addressKey(peer), entry);
    this.byNumber.set(entry.number, entry);
    this.send(now, entry);
    return entry.number;
  }

  private send(now: number, e: ChannelEntry): void {
    e.inFlight = true;
    this.ctx.requests.start(now, METHOD_CHANNEL_BIND, { kind: 'channel', peer: e.peer, channel: e.number }, channelBindAttributes(e.number, e.peer));
  }

  onOutcome(now: number, o: RequestOutcome & { readonly tag: { readonly kind: 'channel' } }): void {
    const e = this.byNumber.get(o.tag.channel);
    if (e === undefined) return; // released meanwhile
    e.inFlight = false;
    if (o.ok) {
      const first = e.boundUntil === 0;
      e.boundUntil = o.sentAt + this.lifetimeMs;
      e.refreshAt = o.sentAt + this.refreshMs;
      // RFC 8656 §12.2: a ChannelBind also installs or refreshes the permission for the peer's IP.
      this.permissions.markInstalled([e.peer.address], o.sentAt, false);
      if (first) this.ctx.events.push({ type: 'channel-bound', peer: e.peer, channel: e.number });
      return;
    }
    if (o.code === undefined && e.boundUntil > now) {
      this.send(now, e); // lost: try again while the binding still holds
      return;
    }
    this.remove(e);
    this.ctx.events.push({ type: 'channel-failed', peer: e.peer, channel: e.number, code: o.code, detail: o.detail });
  }

  /** Stop using and refreshing the channel of `peer` (the server lets it lapse); a later bind reuses the number. */
  release(peer: TransportAddress): void {
    const e = this.forPeer(peer);
    if (e === undefined) return;
    this.remove(e);
    this.retired.set(addressKey(e.peer), e.number);
  }

  private remove(e: ChannelEntry): void {
    this.byPeer.delete(addressKey(e.peer));
    this.byNumber.delete(e.number);
  }

  /** Each channel on its own clock: lapse, then refresh. */
  onTimer(now: number): void {
    for (const e of [...this.byPeer.values()]) {
      if (e.boundUntil > 0 && e.boundUntil <= now) {
        this.remove(e);
        this.ctx.events.push({ type: 'channel-failed', peer: e.peer, channel: e.number, code: undefined, detail: 'channel lapsed (not refreshed in time)' });
      } else if (!e.inFlight && e.refreshAt <= now) {
        this.send(now, e);
      }
    }
  }

  nextDeadline(): number | undefined {
    let next = Infinity;
    for (const e of this.byPeer.values()) {
      if (e.boundUntil > 0) next = Math.min(next, e.boundUntil);
      if (!e.inFlight) next = Math.min(next, e.refreshAt);
    }
    return next === Infinity ? undefined : next;
  }
}
