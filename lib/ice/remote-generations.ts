import type { Candidate } from './candidate-types.js';

/** The `ufrag` a signalled candidate names (RFC 8839 §5.1 extension, as browsers write it), if any. */
export function candidateUfrag(c: Candidate): string | undefined {
  return c.extensions.find(([name]) => name === 'ufrag')?.[1];
}

/** What to do with a candidate given the ufrag it names. */
export type GenerationVerdict = 'current' | 'stale' | 'parked';

/**
 * Which ICE generation (RFC 8445 §9: each restart is one, named by the peer's ufrag) a
 * signalled candidate belongs to. Candidates of an older generation are stale and dropped;
 * candidates that name a ufrag whose parameters have not arrived yet (signalling reordered
 * them) are parked until those parameters come. Both lists are bounded.
 */
export class RemoteGenerations {
  private readonly old: string[] = [];
  private parked: { ufrag: string; candidate: Candidate }[] = [];

  constructor(private readonly limit: number) {}

  /** `current` is the remote ufrag in force (undefined before the peer's parameters). */
  classify(current: string | undefined, ufrag: string | undefined): GenerationVerdict {
    if (ufrag === undefined || ufrag === current) return 'current';
    return this.old.includes(ufrag) ? 'stale' : 'parked';
  }

  /** Parks a candidate of a generation still to come; false when full. */
  park(ufrag: string, candidate: Candidate): boolean {
    if (this.parked.length >= this.limit) return false;
    this.parked.push({ ufrag, candidate });
    return true;
  }

  /** The peer's generation named `ufrag` is over (a restart): its candidates are stale from now on. */
  retire(ufrag: string | undefined): void {
    if (ufrag === undefined || this.old.includes(ufrag)) return;
    this.old.push(ufrag);
    if (this.old.length > 8) this.old.shift();
    this.parked = this.parked.filter((p) => p.ufrag !== ufrag);
  }

  /** The peer's parameters for `ufrag` arrived: the candidates parked for it, in signalling order. */
  take(ufrag: string): Candidate[] {
    const ready = this.parked.filter((p) => p.ufrag === ufrag).map((p) => p.candidate);
    this.parked = this.parked.filter((p) => p.ufrag !== ufrag);
    return ready;
  }
}
