import { IceError } from '../util/errors.js';

/**
 * A token bucket driven by the caller's clock (`now`, ms): up to `burst` takes at once, then
 * `perSecond` on average. Pure and constant-size, so a flood costs no memory.
 */
export class TokenBucket {
  private tokens: number;
  private lastAt: number | undefined;

  constructor(readonly burst: number, readonly perSecond: number) {
    if (!(burst >= 1) || !(perSecond >= 0) || !Number.isFinite(burst) || !Number.isFinite(perSecond)) {
      throw new IceError('ERR_INVALID_ARGUMENT', `token bucket needs burst >= 1 and a finite rate >= 0, got ${burst}, ${perSecond}`);
    }
    this.tokens = burst;
  }

  /** Takes one token if there is one; refills for the time since the last call first. */
  take(now: number): boolean {
    // A clock that goes backwards refills nothing (it never mints tokens).
    if (this.lastAt !== undefined && now > this.lastAt) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastAt) * this.perSecond) / 1000);
    }
    if (this.lastAt === undefined || now > this.lastAt) this.lastAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
