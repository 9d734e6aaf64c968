import { ClientTransaction, TransactionTable, earliestDeadline, newTransactionId, type RetransmitPolicy } from '../stun/transaction.js';
import type { RandomSource } from '../util/random.js';
import { encodeCheck } from './check-message.js';
import type { IceRole } from './config.js';
import type { Outbox } from './outbox.js';
import { remoteAddress, type CandidatePair } from './pair.js';

/** One connectivity or consent check in flight. */
export interface CheckTx {
  readonly kind: 'check' | 'consent';
  readonly pair: CandidatePair;
  readonly tx: ClientTransaction;
  readonly request: Buffer;
  readonly useCandidate: boolean;
  /** Our role when it was sent: a 487 answer to an older role is not acted on twice (§7.2.5.1). */
  readonly role: IceRole;
  /** The PRIORITY we sent: a peer-reflexive candidate learned from the response gets it (§7.2.5.3.1). */
  readonly priority: number;
  lastSentAt: number;
}

export interface CheckIdentity {
  /** `remoteUfrag:localUfrag` (RFC 8445 §7.2.2). */
  readonly username: string;
  /** Short-term key: the remote password. */
  readonly key: Buffer;
  readonly role: IceRole;
  readonly tieBreaker: bigint;
}

/** The checks we sent and are waiting for, with their retransmissions (RFC 8489 §6.2.1) as data. */
export class CheckTransactions {
  private readonly table = new TransactionTable<CheckTx>();

  constructor(
    private readonly out: Outbox,
    private readonly random: RandomSource,
    private readonly policy: RetransmitPolicy,
  ) {}

  send(now: number, pair: CandidatePair, kind: CheckTx['kind'], useCandidate: boolean, priority: number, who: CheckIdentity): void {
    const transactionId = newTransactionId(this.random);
    const request = encodeCheck({ transactionId, ...who, priority, useCandidate });
    const tx = new ClientTransaction(this.policy, now);
    this.table.add(transactionId, { kind, pair, tx, request, useCandidate, role: who.role, priority, lastSentAt: now });
    this.out.transmits.push({ from: pair.local.base, to: remoteAddress(pair), data: request });
  }

  /** Retransmits what is due and returns the checks that gave up. */
  tick(now: number): CheckTx[] {
    const timedOut: CheckTx[] = [];
    for (const [id, t] of this.table) {
      const step = t.tx.tick(now);
      if (step === 'retransmit') {
        t.lastSentAt = now;
        this.out.transmits.push({ from: t.pair.local.base, to: remoteAddress(t.pair), data: t.request });
      } else if (step === 'timeout') {
        this.table.delete(id);
        timedOut.push(t);
      }
    }
    return timedOut;
  }

  nextDeadline(): number | undefined {
    return earliestDeadline(this.table.values());
  }

  get(id: Buffer): CheckTx | undefined {
    return this.table.get(id);
  }

  delete(id: Buffer): void {
    this.table.delete(id);
  }

  /** Stops retransmitting (and forgets) the checks `which` selects. */
  cancel(which: (t: CheckTx) => boolean): void {
    for (const [id, t] of this.table) if (which(t)) this.table.delete(id);
  }

  clear(): void {
    this.table.clear();
  }
}
