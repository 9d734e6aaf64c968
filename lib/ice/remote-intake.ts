import { IceError } from '../util/errors.js';
import { unsafeAddressReason } from './address-safety.js';
import { addressKey } from './candidate.js';
import type { Candidate } from './candidate-types.js';
import type { Checks } from './checks.js';
import type { CoreContext } from './context.js';

/** Signalled remote candidates: checked, sorted by generation, merged with peer-reflexive ones, paired. */
export class RemoteIntake {
  constructor(private readonly ctx: CoreContext, private readonly checks: Checks) {}

  /**
   * Takes a signalled candidate; true when it belongs to the current generation and was used.
   * `ufrag` names its generation: older ones are dropped and counted, later ones wait for their
   * parameters. Unsafe addresses and unknown components throw ERR_INVALID_CANDIDATE.
   */
  add(now: number, candidate: Candidate, ufrag: string | undefined): boolean {
    const { ctx } = this;
    if (candidate.component < 1 || candidate.component > ctx.components.length) {
      throw new IceError('ERR_INVALID_CANDIDATE', `candidate component ${candidate.component} is not in 1..${ctx.components.length}`);
    }
    const unsafe = unsafeAddressReason(candidate.address, candidate.port);
    if (unsafe) throw new IceError('ERR_INVALID_CANDIDATE', `candidate ${addressKey(candidate)} is ${unsafe}: it is never checked`);
    const generation = ctx.generations.classify(ctx.credentials.remoteUfrag, ufrag);
    if (generation === 'stale') {
      ctx.drops.staleCandidate++;
      return false;
    }
    if (generation === 'parked') {
      if (!ctx.generations.park(ufrag!, candidate)) ctx.drops.overLimit++;
      return false;
    }
    return this.addCurrent(now, candidate);
  }

  /** A candidate of the current generation; false when the list is full. */
  addCurrent(now: number, candidate: Candidate): boolean {
    const { ctx } = this;
    ctx.lastRemoteCandidateAt = now;
    ctx.component(candidate.component).allFailedAt = undefined;
    const same = ctx.remote.find(candidate.component, candidate);
    if (same) {
      // A signalled candidate that equals a peer-reflexive one replaces it (RFC 8838 §11.4 / §7.3.1.3).
      if (same.type === 'prflx' || same.priority < candidate.priority) this.replace(same, candidate);
      return true;
    }
    if (!ctx.remote.add(candidate)) {
      ctx.drops.overLimit++;
      return false;
    }
    this.checks.pairWithHosts(candidate);
    return true;
  }

  private replace(old: Candidate, next: Candidate): void {
    const { ctx } = this;
    ctx.remote.replace(old, next);
    for (const p of ctx.checklist.all) if (p.remote === old) p.remote = next;
    ctx.checklist.reprioritise(ctx.role);
    for (const c of ctx.components) c.announce();
  }
}
