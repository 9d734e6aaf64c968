import type { RandomSource } from '../util/random.js';
import { randomUint32 } from '../util/random.js';
import type { AgentTimers } from './config.js';

/** RFC 7675 consent freshness of a component's selected pair. */
export interface Consent {
  /** Last authenticated response on the selected pair. */
  lastResponseAt: number;
  /** Send time of the oldest consent check still unanswered. */
  pendingSince: number | undefined;
  nextCheckAt: number;
  lost: boolean;
}

export function freshConsent(now: number, timers: AgentTimers, random: RandomSource): Consent {
  return { lastResponseAt: now, pendingSince: undefined, nextCheckAt: nextConsentAt(now, timers, random), lost: false };
}

/**
 * RFC 7675 §5.1: the interval is randomised to ±20%. The time is then rounded up to the
 * consent grid so that the checks of many agents in one process share wakeups (half the idle CPU).
 */
export function nextConsentAt(now: number, timers: AgentTimers, random: RandomSource): number {
  const { consentIntervalMs, consentGridMs } = timers;
  const at = now + consentIntervalMs * (0.8 + (randomUint32(random) / 0xffffffff) * 0.4);
  return consentGridMs > 0 ? Math.ceil(at / consentGridMs) * consentGridMs : at;
}

/** A consent check unanswered for `disconnectedAfterMs`: the pair looks dead for now. */
export function consentSilent(consent: Consent | undefined, now: number, timers: AgentTimers): boolean {
  return consent?.pendingSince !== undefined && now - consent.pendingSince >= timers.disconnectedAfterMs;
}
