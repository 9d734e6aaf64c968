import { METHOD_CREATE_PERMISSION } from '../stun/index.js';
import { ERR_PEER_FAMILY_MISMATCH } from './constants.js';
import type { TurnContext } from './context.js';
import { familyOf, permissionAttributes } from './messages.js';
import type { PermissionTable } from './permission-table.js';
import type { RequestOutcome } from './requests.js';

/** XOR-PEER-ADDRESS attributes per CreatePermission: 32 IPv6 peers stay near 800 bytes (no fragmentation). */
export const MAX_PEERS_PER_REQUEST = 32;

/**
 * CreatePermission traffic (RFC 8656 §9-10): batched requests for new IPs, one batched refresh
 * every `refreshMs` for the IPs the owner still wants, a split of a refused batch into one
 * request per IP so that only the peers concerned are reported.
 */
export class PermissionManager {
  private refreshAt: number | undefined;

  constructor(
    private readonly ctx: TurnContext,
    readonly table: PermissionTable,
    private readonly refreshMs: number,
  ) {}

  /** Owner: keep permissions for these IPs. Requests go out only once `relayedFamily` is known. */
  permit(now: number, ips: Iterable<string>, relayedFamily: 4 | 6 | undefined): void {
    const same: string[] = [];
    for (const ip of ips) {
      // RFC 8656 §10.2 answers 443 to a peer of the other family: say so without asking.
      if (relayedFamily !== undefined && familyOf(ip) !== relayedFamily) {
        this.ctx.events.push({ type: 'permission-failed', ips: [ip], code: ERR_PEER_FAMILY_MISMATCH, detail: 'peer address family differs from the relayed address (not sent)' });
      } else {
        same.push(ip);
      }
    }
    const { request, full } = this.table.want(same, now);
    if (full.length > 0) this.ctx.events.push({ type: 'permission-failed', ips: full, code: undefined, detail: 'too many permissions' });
    if (relayedFamily !== undefined) this.send(now, request);
  }

  /** The allocation exists: ask for what was wanted before. */
  onAllocated(now: number, relayedFamily: 4 | 6): void {
    const wanted: string[] = [];
    for (const ip of this.table.wantedIps()) wanted.push(ip);
    this.permit(now, wanted, relayedFamily);
  }

  send(now: number, ips: readonly string[]): void {
    for (let i = 0; i < ips.length; i += MAX_PEERS_PER_REQUEST) {
      const batch = ips.slice(i, i + MAX_PEERS_PER_REQUEST);
      this.table.markSent(batch);
      this.ctx.requests.start(now, METHOD_CREATE_PERMISSION, { kind: 'permission', ips: batch }, permissionAttributes(batch));
    }
  }

  /** A CreatePermission ended. Returns the IPs installed for the first time (their queues can go). */
  onOutcome(now: number, o: RequestOutcome & { readonly tag: { readonly kind: 'permission' } }): string[] {
    const ips = o.tag.ips;
    if (o.ok) {
      const fresh = this.table.markInstalled(ips, o.sentAt, true);
      this.refreshAt ??= o.sentAt + this.refreshMs;
      if (fresh.length > 0) this.ctx.events.push({ type: 'permission-created', ips: fresh });
      return fresh;
    }
    this.table.markUnanswered(ips);
    if (o.code === undefined) {
      this.onTimeout(now, ips);
    } else if (ips.length > 1) {
      // RFC 8656 §10.2: a refused batch installs nothing. Ask per IP to learn which peers are refused.
      for (const ip of ips) if (this.table.get(ip) !== undefined) this.send(now, [ip]);
    } else {
      this.ctx.count('permission-denied', this.table.markDenied(ips));
      this.ctx.events.push({ type: 'permission-failed', ips, code: o.code, detail: o.detail });
    }
    return [];
  }

  /** No answer: retry at once for IPs still installed; report the never-installed ones. */
  private onTimeout(now: number, ips: readonly string[]): void {
    const retry = ips.filter((ip) => this.table.isInstalled(ip, now));
    const lost = ips.filter((ip) => !this.table.isInstalled(ip, now) && this.table.get(ip) !== undefined);
    if (retry.length > 0) this.send(now, retry);
    if (lost.length > 0) {
      for (const ip of lost) this.ctx.count('permission-denied', this.table.drain(ip).length);
      this.ctx.events.push({ type: 'permission-failed', ips: lost, code: undefined, detail: 'no answer to CreatePermission (timeout)' });
    }
  }

  /** Lapses and the batched refresh. */
  onTimer(now: number): void {
    const lapsed = this.table.lapse(now).filter((ip) => this.table.get(ip)?.wanted === true);
    if (lapsed.length > 0) this.ctx.events.push({ type: 'permission-failed', ips: lapsed, code: undefined, detail: 'permission lapsed (not refreshed in time)' });
    if (this.refreshAt === undefined || now < this.refreshAt) return;
    const due = this.table.dueForRefresh(now);
    this.refreshAt = due.length > 0 ? now + this.refreshMs : undefined;
    this.send(now, due);
  }

  nextDeadline(): number | undefined {
    const lapse = this.table.nextLapse();
    if (this.refreshAt === undefined) return lapse;
    return lapse === undefined ? this.refreshAt : Math.min(lapse, this.refreshAt);
  }
}
