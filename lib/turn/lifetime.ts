/**
 * The allocation's clock (RFC 8656 §7-§8): a grant of L seconds, counted from when the answered
 * request was sent (the server started its clock after that), expires at sentAt + L and is
 * refreshed at sentAt + max(L/2, L - margin): 540 s for 600, 15 s for coturn's 30.
 */
export class AllocationLifetime {
  grantedS = 0;
  expiresAt = Infinity;
  refreshAt = Infinity;

  constructor(private readonly refreshMarginMs: number) {}

  grant(sentAt: number, lifetimeS: number): void {
    this.grantedS = lifetimeS;
    const l = lifetimeS * 1000;
    this.expiresAt = sentAt + l;
    this.refreshAt = sentAt + Math.max(l / 2, l - this.refreshMarginMs);
  }

  /** A Refresh went out: no other until it is answered (or retried). */
  refreshSent(): void {
    this.refreshAt = Infinity;
  }

  retryAt(t: number): void {
    this.refreshAt = t;
  }

  stop(): void {
    this.expiresAt = this.refreshAt = Infinity;
  }
}
