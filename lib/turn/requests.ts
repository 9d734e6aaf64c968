import {
  ClientTransaction, earliestDeadline, encodeMessage, getAttribute, newTransactionId, TransactionTable,
  verifyIntegrity, type RetransmitPolicy, type StunAttribute, type StunMessage, type TransportAddress,
} from '../stun/index.js';
import type { RandomSource } from '../util/random.js';
import type { TurnAuth } from './auth.js';
import { ERR_ALLOCATION_MISMATCH, ERR_STALE_NONCE, ERR_UNAUTHORIZED } from './constants.js';
import type { TurnDropReason } from './types.js';

/** What a request was for; carried back with its outcome. */
export type RequestTag =
  | { readonly kind: 'allocate' }
  | { readonly kind: 'refresh'; readonly lifetimeS: number }
  | { readonly kind: 'close' }
  | { readonly kind: 'permission'; readonly ips: readonly string[] }
  | { readonly kind: 'channel'; readonly peer: TransportAddress; readonly channel: number };

/**
 * The end of a request. `sentAt` is when the answered transaction was first sent: lifetimes
 * are counted from it, since the server started its clock somewhere after that moment.
 * `code` is undefined for a timeout.
 */
export type RequestOutcome =
  | { readonly ok: true; readonly tag: RequestTag; readonly message: StunMessage; readonly sentAt: number }
  | {
      readonly ok: false; readonly tag: RequestTag; readonly code: number | undefined; readonly detail: string;
      readonly message: StunMessage | undefined; readonly sentAt: number;
    };

export interface TurnRequestsConfig {
  readonly rng: RandomSource;
  readonly auth: TurnAuth;
  readonly policy: RetransmitPolicy;
  readonly maxStaleNonceRetries: number;
  readonly software: string | undefined;
  /** Hand the encoded request to the transport (first send and retransmissions). */
  readonly send: (bytes: Buffer) => void;
}

interface Pending {
  readonly method: number;
  readonly tag: RequestTag;
  readonly attributes: readonly StunAttribute[];
  readonly key: Buffer | undefined;
  readonly bytes: Buffer;
  readonly tx: ClientTransaction;
  readonly sentAt: number;
  readonly staleRetries: number;
}

// RFC 8489 §9.2.5: 401 and 438 come unsigned (the server could not check our key). coturn 4.6
// also answers 437 before checking credentials, unsigned. Every other answer to a signed
// request must carry a MESSAGE-INTEGRITY that verifies with our key.
const UNSIGNED_ERRORS: ReadonlySet<number> = new Set([ERR_UNAUTHORIZED, ERR_ALLOCATION_MISMATCH, ERR_STALE_NONCE]);

/** Trailing NULs seen in coturn's reason phrases. */
function reasonOf(msg: StunMessage): { code: number | undefined; reason: string } {
  const e = getAttribute(msg, 'ERROR-CODE')?.value;
  return { code: e?.code, reason: (e?.reason ?? 'no ERROR-CODE').replace(/\0+$/, '') };
}

/**
 * The client transactions of one allocation (RFC 8489 §6.2), with long-term authentication:
 * 401 to the unsigned first request → sign and resend; 438 → new nonce, new transaction id,
 * at most `maxStaleNonceRetries` times in a row for one request (each new request starts at 0).
 */
export class TurnRequests {
  private readonly pending = new TransactionTable<Pending>();

  constructor(private readonly cfg: TurnRequestsConfig) {}

  get size(): number {
    return this.pending.size;
  }

  start(now: number, method: number, tag: RequestTag, attributes: readonly StunAttribute[], staleRetries = 0): void {
    const id = newTransactionId(this.cfg.rng);
    const key = this.cfg.auth.key;
    const all = key === undefined ? attributes : [...attributes, ...this.cfg.auth.attributes()];
    const bytes = encodeMessage(
      { method, cls: 'request', transactionId: id, attributes: all },
      { ...(key && { integrityKey: key }), ...(this.cfg.software !== undefined && { software: this.cfg.software }), fingerprint: true },
    );
    const tx = new ClientTransaction(this.cfg.policy, now);
    this.pending.add(id, { method, tag, attributes, key, bytes, tx, sentAt: now, staleRetries });
    this.cfg.send(bytes);
  }

  /**
   * A success or error response from the server. Returns the outcome, undefined when the
   * request was resent (401 → signed, 438 → new nonce), or why it was dropped.
   */
  onResponse(now: number, raw: Buffer, msg: StunMessage): RequestOutcome | TurnDropReason | undefined {
    const p = this.pending.get(msg.transactionId);
    if (p === undefined || p.method !== msg.method) return 'unknown-transaction';
    const { code, reason } = reasonOf(msg);
    if (p.key !== undefined) {
      const signed = msg.integrityOffset !== undefined;
      if (signed ? !verifyIntegrity(raw, msg, p.key) : !(msg.cls === 'error' && UNSIGNED_ERRORS.has(code ?? 0))) {
        return 'integrity'; // over UDP the retransmissions go on, as if it never came (RFC 8489 §9.2.5)
      }
    }
    this.pending.delete(msg.transactionId);
    if (msg.cls === 'success') return { ok: true, tag: p.tag, message: msg, sentAt: p.sentAt };
    if (code === ERR_STALE_NONCE && p.staleRetries < this.cfg.maxStaleNonceRetries && this.cfg.auth.learn(msg)) {
      this.start(now, p.method, p.tag, p.attributes, p.staleRetries + 1);
      return undefined;
    }
    if (code === ERR_UNAUTHORIZED && p.key === undefined && this.cfg.auth.learn(msg)) {
      this.start(now, p.method, p.tag, p.attributes, p.staleRetries);
      return undefined;
    }
    const detail = code === ERR_STALE_NONCE ? `438 ${reason} (${p.staleRetries + 1} in a row)` : `${code ?? '?'} ${reason}`;
    return { ok: false, tag: p.tag, code, detail, message: msg, sentAt: p.sentAt };
  }

  /** Retransmit what is due (UDP) and return the requests that timed out. */
  tick(now: number): RequestOutcome[] {
    const ended: RequestOutcome[] = [];
    for (const [id, p] of this.pending) {
      const t = p.tx.tick(now);
      if (t === 'retransmit') this.cfg.send(p.bytes);
      if (t !== 'timeout') continue;
      this.pending.delete(id);
      ended.push({ ok: false, tag: p.tag, code: undefined, detail: 'no answer (timeout)', message: undefined, sentAt: p.sentAt });
    }
    return ended;
  }

  nextDeadline(): number | undefined {
    return earliestDeadline(this.pending.values());
  }

  /** Is a request matching `pred` pending? */
  some(pred: (tag: RequestTag) => boolean): boolean {
    for (const p of this.pending.values()) if (pred(p.tag)) return true;
    return false;
  }

  /** Forget requests (their answers will be dropped as unknown). */
  cancel(pred: (tag: RequestTag) => boolean): void {
    for (const [id, p] of this.pending) if (pred(p.tag)) this.pending.delete(id);
  }
}
