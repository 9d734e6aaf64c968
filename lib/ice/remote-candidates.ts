import type { TransportAddress } from '../stun/types.js';
import type { RandomSource } from '../util/random.js';
import { randomUint32 } from '../util/random.js';
import type { Candidate } from './candidate-types.js';
import { sameTransportAddress } from './candidate.js';

/** The peer's candidates, signalled or learned from its checks, bounded because a peer can grow them. */
export class RemoteCandidates {
  private list: Candidate[] = [];
  private prflxCount = 0;

  constructor(private readonly limit: number) {}

  get all(): readonly Candidate[] {
    return this.list;
  }

  find(component: number, address: { address: string; port: number }): Candidate | undefined {
    return this.list.find((r) => r.component === component && sameTransportAddress(r, address));
  }

  /** False when the list is full. */
  add(candidate: Candidate): boolean {
    if (this.list.length >= this.limit) return false;
    this.list.push(candidate);
    return true;
  }

  replace(old: Candidate, next: Candidate): void {
    this.list = this.list.map((r) => (r === old ? next : r));
  }

  /** §7.3.1.3: the source of a check we had not been told about; undefined when the list is full. */
  learnPeerReflexive(component: number, from: TransportAddress, priority: number, random: RandomSource): Candidate | undefined {
    const prflx: Candidate = {
      // Any value unique among the peer's foundations will do (§7.3.1.3).
      foundation: `prflx${++this.prflxCount}x${randomUint32(random).toString(36)}`,
      component,
      transport: 'udp',
      priority,
      address: from.address,
      port: from.port,
      type: 'prflx',
      extensions: [],
    };
    return this.add(prflx) ? prflx : undefined;
  }

  clear(): void {
    this.list = [];
  }
}
