import type { TransportAddress } from '../stun/index.js';

/** A datagram waiting for its peer's first permission. */
export interface QueuedSend {
  readonly peer: TransportAddress;
  readonly payload: Buffer;
}

/**
 * One peer IP (RFC 8656 §9: permissions are per IP, never ip:port as werift keyed them).
 * `installedUntil` is set only by a success response (werift marked it before the result).
 */
export interface PermissionEntry {
  readonly ip: string;
  /** 0 until a CreatePermission or ChannelBind naming this IP succeeded. */
  installedUntil: number;
  /** A CreatePermission naming this IP is pending. */
  inFlight: boolean;
  /** The owner still has live pairs with this IP: keep refreshing. */
  wanted: boolean;
  /** Refused by the server: no new request until the owner asks again. */
  denied: boolean;
  queue: QueuedSend[];
}

/** The permissions of one allocation, bounded; pure bookkeeping, no messages. */
export class PermissionTable {
  private readonly entries = new Map<string, PermissionEntry>();

  constructor(
    private readonly max: number,
    private readonly lifetimeMs: number,
    private readonly maxQueued: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(ip: string): PermissionEntry | undefined {
    return this.entries.get(ip);
  }

  isInstalled(ip: string, now: number): boolean {
    const e = this.entries.get(ip);
    return e !== undefined && e.installedUntil > now;
  }

  /**
   * Mark IPs as wanted. Returns those needing a CreatePermission now (not installed, none
   * pending) and those refused because the table is full.
   */
  want(ips: Iterable<string>, now: number): { request: string[]; full: string[] } {
    const request: string[] = [];
    const full: string[] = [];
    for (const ip of ips) {
      let e = this.entries.get(ip);
      if (e === undefined) {
        if (this.entries.size >= this.max) { full.push(ip); continue; }
        e = { ip, installedUntil: 0, inFlight: false, wanted: true, denied: false, queue: [] };
        this.entries.set(ip, e);
      }
      e.wanted = true;
      e.denied = false;
      if (!e.inFlight && e.installedUntil <= now && !request.includes(ip)) request.push(ip);
    }
    return { request, full };
  }

  /** No live pair left: stop refreshing; the entry goes once it lapses (or now, if never installed). */
  forget(ips: Iterable<string>, now: number): void {
    for (const ip of ips) {
      const e = this.entries.get(ip);
      if (e === undefined) continue;
      e.wanted = false;
      if (e.installedUntil <= now && !e.inFlight) this.entries.delete(ip);
    }
  }

  markSent(ips: readonly string[]): void {
    for (const ip of ips) { const e = this.entries.get(ip); if (e) e.inFlight = true; }
  }

  /** Success (of a CreatePermission or ChannelBind sent at `sentAt`). Returns first installations. */
  markInstalled(ips: readonly string[], sentAt: number, fromPermission: boolean): string[] {
    const fresh: string[] = [];
    for (const ip of ips) {
      let e = this.entries.get(ip);
      if (e === undefined) {
        if (this.entries.size >= this.max) continue;
        e = { ip, installedUntil: 0, inFlight: false, wanted: true, denied: false, queue: [] };
        this.entries.set(ip, e);
      }
      if (e.installedUntil === 0) fresh.push(ip);
      e.installedUntil = Math.max(e.installedUntil, sentAt + this.lifetimeMs);
      e.denied = false;
      if (fromPermission) e.inFlight = false;
    }
    return fresh;
  }

  /** The request naming these IPs ended without success. */
  markUnanswered(ips: readonly string[]): void {
    for (const ip of ips) { const e = this.entries.get(ip); if (e) e.inFlight = false; }
  }

  /** Refused: not installed any more, queued datagrams dropped. Returns how many were dropped. */
  markDenied(ips: readonly string[]): number {
    let dropped = 0;
    for (const ip of ips) {
      const e = this.entries.get(ip);
      if (e === undefined) continue;
      dropped += e.queue.length;
      e.queue = [];
      e.installedUntil = 0;
      e.inFlight = false;
      e.denied = true;
    }
    return dropped;
  }

  /** IPs the owner wants that were not refused. */
  *wantedIps(): IterableIterator<string> {
    for (const e of this.entries.values()) if (e.wanted && !e.denied) yield e.ip;
  }

  /** Wanted, installed and not already being refreshed. */
  dueForRefresh(now: number): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.wanted && !e.inFlight && e.installedUntil > now) out.push(e.ip);
    return out;
  }

  /** Installed entries whose lifetime passed: uninstall them; unwanted ones are removed. */
  lapse(now: number): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.installedUntil === 0 || e.installedUntil > now) continue;
      out.push(e.ip);
      e.installedUntil = 0;
      if (!e.wanted && !e.inFlight) this.entries.delete(e.ip);
    }
    return out;
  }

  /** The earliest moment an installed permission lapses. */
  nextLapse(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) {
      if (e.installedUntil > 0 && (next === undefined || e.installedUntil < next)) next = e.installedUntil;
    }
    return next;
  }

  /** Hold a datagram for an IP whose permission is being created; false when its queue is full. */
  enqueue(ip: string, item: QueuedSend): boolean {
    const e = this.entries.get(ip);
    if (e === undefined || e.queue.length >= this.maxQueued) return false;
    e.queue.push(item);
    return true;
  }

  drain(ip: string): QueuedSend[] {
    const e = this.entries.get(ip);
    if (e === undefined || e.queue.length === 0) return [];
    const q = e.queue;
    e.queue = [];
    return q;
  }
}
