import { METHOD_BINDING } from '../stun/constants.js';
import { encodeMessage } from '../stun/encode.js';
import { getAttribute } from '../stun/get-attribute.js';
import { ClientTransaction, newTransactionId, type RetransmitPolicy } from '../stun/transaction.js';
import type { StunMessage, TransportAddress } from '../stun/types.js';
import type { RandomSource } from '../util/random.js';

/** A silent server is given up like a silent STUN server while gathering (0, 0.5, 1.5, 3.5 s, then 5.5 s). */
const PROBE_RETRANSMIT: RetransmitPolicy = { rtoMs: 500, maxRequests: 4, finalWaitFactor: 4 };

export interface ProbeResult {
  readonly done: true;
  readonly mapped: TransportAddress | undefined;
  readonly detail: string;
}
export type ProbeOutcome = ProbeResult | { readonly done: false };

/**
 * RFC 8445 §5.1.1.2: a TURN server without relay resources (486/508) is asked a plain Binding
 * request instead, from the same client socket, for a server-reflexive candidate.
 */
export class BindingProbe {
  private readonly id: Buffer;
  private readonly request: Buffer;
  private readonly tx: ClientTransaction;
  private pending: Buffer | undefined;

  constructor(now: number, rng: RandomSource) {
    this.id = newTransactionId(rng);
    this.request = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: this.id, attributes: [] }, { fingerprint: true });
    this.tx = new ClientTransaction(PROBE_RETRANSMIT, now);
    this.pending = this.request;
  }

  /** The request (again) when it is due. */
  pollTransmit(): Buffer | undefined {
    const out = this.pending;
    this.pending = undefined;
    return out;
  }

  get deadline(): number {
    return this.tx.nextDeadline();
  }

  tick(now: number): ProbeOutcome {
    const step = this.tx.tick(now);
    if (step === 'retransmit') this.pending = this.request;
    return step === 'timeout' ? { done: true, mapped: undefined, detail: 'no answer to the Binding request' } : { done: false };
  }

  /** True when `msg` answers this probe. */
  owns(msg: StunMessage): boolean {
    return msg.method === METHOD_BINDING && (msg.cls === 'success' || msg.cls === 'error') && msg.transactionId.equals(this.id);
  }

  answer(msg: StunMessage): ProbeResult {
    const mapped = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value ?? getAttribute(msg, 'MAPPED-ADDRESS')?.value;
    if (msg.cls === 'success' && mapped) return { done: true, mapped, detail: 'mapped address from a Binding request' };
    const err = getAttribute(msg, 'ERROR-CODE')?.value;
    return { done: true, mapped: undefined, detail: err ? `Binding error ${err.code} ${err.reason}` : 'Binding answer without a mapped address' };
  }
}
