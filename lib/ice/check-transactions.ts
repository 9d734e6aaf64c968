import { ClientTransaction, TransactionTable, earliestDeadline, newTransactionId, type RetransmitPolicy } from '../stun/transaction.js';
import type { RandomSource } from '../util/random.js';
import { encodeCheck } from './check-message.js';
import type { IceRole } from './config.js';
import type { Outbox } from './outbox.js';
import { remoteAddress, type CandidatePair } from './pair.js';

export type CheckKind = 'check' | 'consent';

/** One connectivity or consent check in flight. */
export interface CheckTx {
  readonly kind: CheckKind;
  /** Hex transaction id, for traces. */
  readonly id: string;
  readonly pair: CandidatePair;
  readonly tx: ClientTransaction;
  readonly request: Buffer;
  readonly useCandidate: boolean;
  /** Sent from the triggered-check queue (§7.3.1.4): an answer to the peer's check. */
  readonly triggered: boolean;
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

  send(now: number, pair: CandidatePair, kind: CheckTx['kind'], useCandidate: boolean, priority: number, who: CheckIdentity, triggered = false): void {
    const transactionId = newTransactionId(this.random);
    const request = encodeCheck({ transactionId, ...who, priority, useCandidate });
    const tx = new ClientTransaction(this.policy, now);
    const t: CheckTx = { kind, id: transactionId.toString('hex'), pair, tx, request, useCandidate, triggered, role: who.role, priority, lastSentAt: now };
    this.table.add(transactionId, t);
    pair.counters.requestsSent++;
    if (kind === 'consent') pair.counters.consentRequestsSent++;
    this.transmit(t);
  }

  /** Reports how a check ended (the caller removed or is removing it from the table). */
  result(t: CheckTx, outcome: 'success' | 'error' | 'timeout', code?: number, rttMs?: number): void {
    this.out.events.push({
      type: 'check-result', pairId: t.pair.id, component: t.pair.component, kind: t.kind, transactionId: t.id, outcome,
      ...(code !== undefined && { code }),
      ...(rttMs !== undefined && { rttMs }),
    });
  }

  private transmit(t: CheckTx): void {
    this.out.transmits.push({ socket: t.pair.local.socket, to: remoteAddress(t.pair), data: t.request });
    this.out.events.push({
      type: 'check-sent', pairId: t.pair.id, component: t.pair.component, kind: t.kind, transactionId: t.id,
      attempt: t.tx.sentCount, useCandidate: t.useCandidate, triggered: t.triggered,
    });
  }

  /** Retransmits what is due and returns the checks that gave up. */
  tick(now: number): CheckTx[] {
    const timedOut: CheckTx[] = [];
    for (const [id, t] of this.table) {
      const step = t.tx.tick(now);
      if (step === 'retransmit') {
        t.lastSentAt = now;
        t.pair.counters.retransmissionsSent++;
        this.transmit(t);
      } else if (step === 'timeout') {
        this.table.delete(id);
        this.result(t, 'timeout');
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
