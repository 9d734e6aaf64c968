import type { LocalCandidate } from '../ice/candidate-types.js';
import type { CoreContext } from '../ice/context.js';
import { remoteAddress, type CandidatePair } from '../ice/pair.js';
import { hasPending } from '../ice/selection.js';
import type { TransportAddress } from '../stun/types.js';
import type { TurnAllocation } from '../turn/allocation.js';
import { channelDataHeader } from '../turn/channel-data.js';
import { canonicalIp } from '../turn/context.js';

interface Channel {
  readonly peer: TransportAddress;
  readonly number: number;
  /** The route's ChannelData header template (LENGTH 0: the sender writes each datagram's). */
  readonly header: Buffer;
  bound: boolean;
}

const keyOf = (a: TransportAddress): string => `${canonicalIp(a.address)}|${a.port}`;

/**
 * What one allocation keeps for the ICE pairs of its relay candidate: a permission per peer IP
 * with a live pair (RFC 8445 §7.2.1, before its first check; the allocation refreshes them in one
 * batch every 120 s), a channel for each selected relay pair (refreshed every 300 s), and failed
 * pairs where the server refused a peer (403/443 fail only the pairs concerned).
 */
export class RelayPeers {
  private readonly wanted = new Set<string>();
  private readonly denied = new Set<string>();
  private readonly channels = new Map<string, Channel>();
  /** Peers whose ChannelBind failed: their data stays in Send indications (a new number could meet 400). */
  private readonly noChannel = new Set<string>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly allocation: TurnAllocation,
    private readonly relay: LocalCandidate,
  ) {}

  /** Permissions and channels follow the pairs as they are now. */
  sync(now: number): void {
    const routes = this.routePairs();
    const live = new Set<string>();
    for (const p of this.ctx.checklist.all) if (p.local === this.relay && p.state !== 'failed') live.add(canonicalIp(p.remote.address));
    for (const p of routes) live.add(canonicalIp(p.remote.address));
    const fresh = [...live].filter((ip) => !this.wanted.has(ip) && !this.denied.has(ip));
    if (fresh.length > 0) {
      for (const ip of fresh) this.wanted.add(ip);
      this.allocation.permit(now, fresh);
    }
    const gone = [...this.wanted].filter((ip) => !live.has(ip));
    if (gone.length > 0) {
      for (const ip of gone) this.wanted.delete(ip);
      this.allocation.forget(now, gone);
    }
    this.syncChannels(now, routes);
  }

  /** A datagram went to this peer (wrap() asked for its permission): forget it with its last pair. */
  noteOutbound(ip: string): void {
    const canonical = canonicalIp(ip);
    if (!this.denied.has(canonical)) this.wanted.add(canonical);
  }

  /** §7.2.1: the channel of a selected pair only; released once no route uses it. */
  private syncChannels(now: number, routes: readonly CandidatePair[]): void {
    const keep = new Set<string>();
    for (const p of routes) {
      const peer = remoteAddress(p);
      const key = keyOf(peer);
      keep.add(key);
      if (this.channels.has(key) || this.noChannel.has(key) || this.denied.has(canonicalIp(peer.address))) continue;
      const number = this.allocation.bindChannel(now, peer);
      if (number !== undefined) this.channels.set(key, { peer, number, header: channelDataHeader(number, 0), bound: false });
    }
    for (const [key, ch] of this.channels) {
      if (keep.has(key)) continue;
      this.allocation.releaseChannel(ch.peer);
      this.channels.delete(key);
      this.ctx.epoch.bump();
    }
  }

  private routePairs(): CandidatePair[] {
    const out: CandidatePair[] = [];
    for (const c of this.ctx.components) {
      const p = c.routePair();
      if (p?.local === this.relay) out.push(p);
    }
    return out;
  }

  /** The server refused these peers (403, 443, or no answer): their pairs fail, no others. */
  permissionFailed(now: number, ips: readonly string[]): void {
    const refused = new Set(ips.map(canonicalIp));
    for (const ip of refused) {
      this.denied.add(ip);
      this.wanted.delete(ip);
    }
    for (const p of this.ctx.checklist.all) {
      if (p.local !== this.relay || !refused.has(canonicalIp(p.remote.address))) continue;
      this.ctx.txs.cancel((t) => t.pair === p);
      p.state = 'failed';
      p.nominated = false;
      p.nominating = false;
      const c = this.ctx.components[p.component - 1]!;
      if (!hasPending(this.ctx.checklist.all, c.id)) c.allFailedAt ??= now;
    }
    this.ctx.epoch.bump();
  }

  channelBound(peer: TransportAddress): void {
    const ch = this.channels.get(keyOf(peer));
    if (ch === undefined) return;
    ch.bound = true;
    // The route changes from Send indications to ChannelData.
    this.ctx.epoch.bump();
  }

  channelFailed(peer: TransportAddress): void {
    const key = keyOf(peer);
    if (!this.channels.delete(key)) return;
    this.noChannel.add(key);
    this.ctx.epoch.bump();
  }

  /** The ChannelData header template for `peer`, once its channel is bound. */
  header(peer: TransportAddress): Buffer | undefined {
    const ch = this.channels.get(keyOf(peer));
    return ch?.bound === true ? ch.header : undefined;
  }

  /** Peer IPs with a permission asked for, and channels bound. */
  counts(): { permissions: number; channels: number } {
    let channels = 0;
    for (const ch of this.channels.values()) if (ch.bound) channels++;
    return { permissions: this.wanted.size, channels };
  }
}
