import { encodeMessage } from '../stun/encode.js';
import { METHOD_BINDING } from '../stun/constants.js';
import { getAttribute } from '../stun/get-attribute.js';
import { ClientTransaction, TransactionTable, earliestDeadline, newTransactionId, type RetransmitPolicy } from '../stun/transaction.js';
import type { StunMessage, TransportAddress } from '../stun/types.js';
import type { RandomSource } from '../util/random.js';
import type { LocalCandidate } from './candidate-types.js';
import { sameTransportAddress } from './candidate.js';
import type { GatheringState } from './events.js';
import type { Outbox } from './outbox.js';
import type { SocketId } from './transport.js';

interface Query {
  readonly host: LocalCandidate;
  readonly server: TransportAddress;
  readonly tx: ClientTransaction;
  readonly request: Buffer;
}

/**
 * Server-reflexive discovery (RFC 8445 §5.1.1.2): a Binding request from each
 * host socket to each STUN server of its family. Old RFC 3489 servers answer
 * with MAPPED-ADDRESS only, so that is accepted when XOR-MAPPED-ADDRESS is absent.
 */
export class Gatherer {
  state: GatheringState = 'new';
  private readonly queries = new TransactionTable<Query>();
  /** Gathering done elsewhere (TURN allocations of a socket layer): complete only once all are released. */
  /** Made on first use: only agents with TURN servers hold gathering open. */
  private holds: Set<object> | undefined;

  constructor(
    private readonly out: Outbox,
    private readonly random: RandomSource,
    private readonly policy: RetransmitPolicy,
    private readonly onMapped: (host: LocalCandidate, mapped: TransportAddress, server: TransportAddress) => void,
  ) {}

  start(now: number, hosts: readonly LocalCandidate[], servers: readonly TransportAddress[]): void {
    this.setState('gathering');
    for (const host of hosts) {
      for (const server of servers) {
        if (server.family !== host.base.family) continue;
        const id = newTransactionId(this.random);
        const request = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: id, attributes: [] });
        this.queries.add(id, { host, server, tx: new ClientTransaction(this.policy, now), request });
        this.out.transmits.push({ socket: host.socket, to: server, data: request });
      }
    }
    this.finishIfDone();
  }

  /** True if the response belonged to a gathering query (whatever its outcome). */
  handleResponse(msg: StunMessage, socket: SocketId, from: TransportAddress): boolean {
    const q = this.queries.get(msg.transactionId);
    if (!q) return false;
    // A response must come from the server and arrive on the socket that asked.
    if (!sameTransportAddress(from, q.server) || socket !== q.host.socket) return true;
    this.queries.delete(msg.transactionId);
    const mapped = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value ?? getAttribute(msg, 'MAPPED-ADDRESS')?.value;
    if (msg.cls === 'success' && mapped) {
      this.out.events.push({ type: 'stun-result', server: q.server, base: q.host.base, mapped });
      this.onMapped(q.host, mapped, q.server);
    } else {
      const err = getAttribute(msg, 'ERROR-CODE')?.value;
      const error = err ? `error ${err.code} ${err.reason}` : 'response without a mapped address';
      this.out.events.push({ type: 'stun-result', server: q.server, base: q.host.base, error });
    }
    this.finishIfDone();
    return true;
  }

  handleTimeout(now: number): void {
    for (const [id, q] of this.queries) {
      const step = q.tx.tick(now);
      if (step === 'retransmit') this.out.transmits.push({ socket: q.host.socket, to: q.server, data: q.request });
      else if (step === 'timeout') {
        this.queries.delete(id);
        this.out.events.push({ type: 'stun-result', server: q.server, base: q.host.base, error: 'no response' });
      }
    }
    this.finishIfDone();
  }

  nextDeadline(): number | undefined {
    return earliestDeadline(this.queries.values());
  }

  /** Stops every query (close or restart); gathering is then complete. */
  cancel(): void {
    this.queries.clear();
    this.holds = undefined;
    this.finishIfDone();
  }

  /** Someone else is still gathering (a TURN allocation): `complete` waits for `release(token)`. */
  hold(token: object): void {
    (this.holds ??= new Set()).add(token);
  }

  release(token: object): void {
    if (this.holds?.delete(token)) this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.state === 'gathering' && this.queries.size === 0 && (this.holds?.size ?? 0) === 0) this.setState('complete');
  }

  private setState(state: GatheringState): void {
    if (this.state === state) return;
    this.state = state;
    this.out.events.push({ type: 'gathering', state });
  }
}
