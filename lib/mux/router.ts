import { IceError } from '../util/errors.js';
import { AddressTable } from './address-table.js';
import { resolveMuxRouterOptions, type MuxRouterOptions, type ResolvedMuxRouterOptions } from './router-options.js';
import {
  zeroCounters, type AddressSlot, type AgentRecord, type MuxCounters, type MuxDropReason, type MuxSize,
  type MuxStats, type PeerAddress,
} from './router-types.js';
import { isBindingRequestType, stunClassOf } from './stun-header.js';
import { TokenBucket } from './token-bucket.js';
import { TransactionTable } from './transaction-table.js';
import { isIceUfrag, targetUfrag } from './username.js';

/** A second agent asked for a ufrag that is taken: ufrags are what the router routes checks by. */
export class DuplicateUfragError extends IceError {
  constructor(readonly ufrag: string) {
    super('ERR_INVALID_ARGUMENT', `ufrag "${ufrag}" is already registered on this port`);
  }
}

/**
 * Which agent a datagram on a shared UDP port belongs to (pure: no socket, no clock; `A` is an
 * opaque agent handle). Routing of `route(from, data, now)`:
 *  1. Not STUN (RFC 7983 first byte > 3: DTLS, RTP, application data): the address map, which
 *     holds only addresses an agent authenticated. Unknown → dropped.
 *  2. A Binding request: the agent whose ufrag starts USERNAME (RFC 8445 §7.2.2), read without a
 *     full decode. Its source is NOT registered: the agent verifies MESSAGE-INTEGRITY first and
 *     then calls `authenticated`. Unknown ufrag → dropped silently (a 401 would tell a scanner
 *     which ufrags exist) and counted; a rate-limited hook hears of it.
 *  3. A response: the agent that sent the request, by its 12-byte transaction id recorded in
 *     `requestSent`. Chosen over registering the destination address on send because the id is
 *     exact where the address is not: every full agent asks the same STUN/TURN server, and two of
 *     our agents may check the same remote address (a peer that muxes one port too), so an
 *     address entry would hand one agent's responses to another; an off-path attacker cannot
 *     guess 96 random bits, and nothing but our own sends adds entries (capped, expiring).
 *  4. Anything else (an indication, a request without a readable USERNAME or of another method,
 *     a response to no recorded request, a malformed header): the address map, else dropped
 *     and counted by reason.
 * STUN goes by ufrag/transaction before the address map because they name the agent exactly;
 * data, the hot path, costs one byte test and two Map gets.
 */
export class MuxRouter<A> {
  private readonly options: ResolvedMuxRouterOptions;
  private readonly records = new Map<A, AgentRecord<A>>();
  private readonly byUfrag = new Map<string, AgentRecord<A>>();
  private readonly addresses = new AddressTable<A>();
  private readonly transactions: TransactionTable<A>;
  private readonly reports: TokenBucket;
  private readonly counters: MuxCounters = zeroCounters();

  constructor(options?: MuxRouterOptions) {
    this.options = resolveMuxRouterOptions(options);
    this.transactions = new TransactionTable<A>({
      ttlMs: this.options.transactionTtlMs,
      max: this.options.maxTransactions,
      maxPerAgent: this.options.maxTransactionsPerAgent,
    }, this.counters);
    this.reports = new TokenBucket(this.options.unknownUfragReports.burst, this.options.unknownUfragReports.perSecond);
  }

  // ---- the packet path ---------------------------------------------------------------------

  /** The agent `data` from `from` goes to, or undefined (dropped and counted). Never throws on input. */
  route(from: PeerAddress, data: Buffer, now: number): A | undefined {
    if (data.length === 0 || data[0]! > 3) return this.byAddress(from, 'unknown-address');
    switch (stunClassOf(data)) {
      case undefined: return this.byAddress(from, 'malformed-stun');
      case 'request': return isBindingRequestType(data) ? this.byUsername(from, data, now) : this.byAddress(from, 'not-binding');
      case 'success': case 'error': return this.byTransaction(from, data, now);
      case 'indication': return this.byAddress(from, 'indication');
    }
  }

  private byAddress(from: PeerAddress, reason: MuxDropReason): A | undefined {
    const slot = this.addresses.lookup(from.port, from.address);
    if (slot) {
      this.counters.routedByAddress++;
      return slot.owner.agent;
    }
    this.counters.drops[reason]++;
    return undefined;
  }

  private byUsername(from: PeerAddress, data: Buffer, now: number): A | undefined {
    const ufrag = targetUfrag(data);
    if (ufrag === undefined) return this.byAddress(from, 'no-username');
    const record = this.byUfrag.get(ufrag);
    if (record) {
      this.counters.routedByUfrag++;
      return record.agent;
    }
    this.counters.drops['unknown-ufrag']++;
    const report = this.options.onUnknownUfrag;
    if (report === undefined) return undefined;
    if (!this.reports.take(now)) {
      this.counters.unknownUfragSuppressed++;
      return undefined;
    }
    this.counters.unknownUfragReported++;
    report(ufrag, from);
    return undefined;
  }

  private byTransaction(from: PeerAddress, data: Buffer, now: number): A | undefined {
    const match = this.transactions.match(data, from, now);
    switch (match) {
      case 'unknown': return this.byAddress(from, 'unmatched-response');
      case 'wrong-source': this.counters.drops['response-wrong-source']++; return undefined;
      case 'stale': this.counters.drops['stale-transaction']++; return undefined;
      default:
        this.counters.routedByTransaction++;
        return match.agent;
    }
  }

  /**
   * A full agent sent `data` to `to` (call it for every datagram it sends, or for its STUN
   * requests): a request is recorded so that its response comes back to this agent (step 3).
   * Anything that is not a STUN request is ignored at the cost of a byte test.
   */
  requestSent(agent: A, to: PeerAddress, data: Buffer, now: number): void {
    if (data.length === 0 || data[0]! > 3 || stunClassOf(data) !== 'request') return;
    this.transactions.record(this.require(agent), to, data, now);
  }

  // ---- agents --------------------------------------------------------------------------------

  /** Adds an agent under its local ufrag. Throws DuplicateUfragError if the ufrag is taken. */
  register(agent: A, ufrag: string): void {
    if (this.records.has(agent)) throw new IceError('ERR_INVALID_STATE', 'agent is already registered');
    this.checkUfragFree(ufrag);
    if (this.records.size >= this.options.maxAgents) {
      throw new IceError('ERR_INVALID_STATE', `the router holds its maximum of ${this.options.maxAgents} agents`);
    }
    const record: AgentRecord<A> = { agent, ufrag, addresses: [], pendingTransactions: 0, alive: true };
    this.records.set(agent, record);
    this.byUfrag.set(ufrag, record);
  }

  /** ICE restart (RFC 8445 §9): the agent's new ufrag replaces the old one. Addresses stay (see `forget`). */
  rename(agent: A, oldUfrag: string, newUfrag: string): void {
    const record = this.require(agent);
    if (record.ufrag !== oldUfrag) throw new IceError('ERR_INVALID_ARGUMENT', `agent's ufrag is not "${oldUfrag}"`);
    if (newUfrag === oldUfrag) return;
    this.checkUfragFree(newUfrag);
    this.byUfrag.delete(oldUfrag);
    this.byUfrag.set(newUfrag, record);
    record.ufrag = newUfrag;
  }

  /** Removes the agent, its ufrag and its addresses (close). Its pending requests expire. False if unknown. */
  unregister(agent: A): boolean {
    const record = this.records.get(agent);
    if (!record) return false;
    for (const slot of record.addresses) this.addresses.remove(slot);
    this.counters.addressesForgotten += record.addresses.length;
    record.addresses.length = 0;
    record.alive = false;
    this.byUfrag.delete(record.ufrag);
    this.records.delete(agent);
    return true;
  }

  private checkUfragFree(ufrag: string): void {
    if (!isIceUfrag(ufrag)) throw new IceError('ERR_INVALID_ARGUMENT', 'a ufrag is 4 to 256 ice-chars (RFC 8839)');
    if (this.byUfrag.has(ufrag)) throw new DuplicateUfragError(ufrag);
  }

  private require(agent: A): AgentRecord<A> {
    const record = this.records.get(agent);
    if (!record) throw new IceError('ERR_INVALID_STATE', 'agent is not registered on this router');
    return record;
  }

  // ---- addresses -----------------------------------------------------------------------------

  /**
   * The agent verified MESSAGE-INTEGRITY on traffic from `from` (a request it answers, or a
   * response to its check): data from `from` now goes to it. This is the ONLY way an address
   * enters the map or moves from one agent to another. Over `maxAddressesPerAgent`, the least
   * recently authenticated address of this agent is evicted.
   */
  authenticated(agent: A, from: PeerAddress, now: number): void {
    const record = this.require(agent);
    const slot = this.addresses.lookup(from.port, from.address);
    if (slot?.owner === record) {
      slot.authenticatedAt = now;
      this.counters.addressesRefreshed++;
      return;
    }
    if (slot) {
      this.detach(slot);
      this.counters.addressesMoved++;
    }
    if (record.addresses.length >= this.options.maxAddressesPerAgent) {
      this.detach(leastRecentlyAuthenticated(record.addresses));
      this.counters.addressesEvicted++;
    }
    const added: AddressSlot<A> = { port: from.port, address: from.address, owner: record, authenticatedAt: now, nextSamePort: undefined };
    this.addresses.insert(added);
    record.addresses.push(added);
    this.counters.addressesAdded++;
  }

  /** The agent no longer uses `address` (pair failed, consent lost, restart). False if it did not own it. */
  forget(agent: A, address: PeerAddress): boolean {
    const record = this.records.get(agent);
    const slot = this.addresses.lookup(address.port, address.address);
    if (!record || slot?.owner !== record) return false;
    this.detach(slot);
    this.counters.addressesForgotten++;
    return true;
  }

  private detach(slot: AddressSlot<A>): void {
    this.addresses.remove(slot);
    const list = slot.owner.addresses;
    const i = list.indexOf(slot);
    if (i >= 0) list.splice(i, 1);
  }

  // ---- views ---------------------------------------------------------------------------------

  /** The agent owning this ufrag (for signalling that names a session by ufrag). */
  agentOfUfrag(ufrag: string): A | undefined {
    return this.byUfrag.get(ufrag)?.agent;
  }

  /** The agent data from `from` would go to. */
  agentAt(from: PeerAddress): A | undefined {
    return this.addresses.lookup(from.port, from.address)?.owner.agent;
  }

  /** Copies of the addresses an agent owns, in no particular order. */
  addressesOf(agent: A): PeerAddress[] {
    return (this.records.get(agent)?.addresses ?? []).map((s) => ({ address: s.address, port: s.port }));
  }

  size(): MuxSize {
    return { agents: this.records.size, addresses: this.addresses.size, transactions: this.transactions.size };
  }

  /** Sizes and a copy of every counter. */
  stats(): MuxStats {
    const c = this.counters;
    return { ...this.size(), counters: { ...c, drops: { ...c.drops } } };
  }
}

function leastRecentlyAuthenticated<A>(slots: readonly AddressSlot<A>[]): AddressSlot<A> {
  let oldest = slots[0]!;
  for (const s of slots) if (s.authenticatedAt < oldest.authenticatedAt) oldest = s;
  return oldest;
}
