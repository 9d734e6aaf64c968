import { ERROR_ROLE_CONFLICT } from '../stun/constants.js';
import { decodeMessage } from '../stun/decode.js';
import { isStunDatagram } from '../stun/demux.js';
import { getAttribute } from '../stun/get-attribute.js';
import { shortTermKey, verifyIntegrity } from '../stun/integrity.js';
import { errorResponse } from '../stun/binding-responder.js';
import { ClientTransaction, TransactionTable, newTransactionId } from '../stun/transaction.js';
import type { StunMessage, TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import { randomBigUint64, randomIceString, randomUint32 } from '../util/random.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { addressFamily, addressKey, candidateFoundation, candidatePriority, localPreference, sameTransportAddress } from './candidate.js';
import { encodeCheck, encodeCheckSuccess } from './check-message.js';
import { Checklist } from './checklist.js';
import { componentState, newComponent, type Component } from './component.js';
import { checkCredential, resolveConfig, type AgentConfig, type AgentOptions, type IceRole } from './config.js';
import type { AgentEvent, DropCounters, Transmit } from './events.js';
import { Gatherer } from './gatherer.js';
import { toW3C, type ComponentState, type IceState, type W3CIceTransportState } from './ice-state.js';
import { authenticateCheck } from './incoming-check.js';
import { Outbox } from './outbox.js';
import { computePairPriority, pairInfo, rankOf, remoteAddress, type CandidatePair, type PairInfo } from './pair.js';
import { IceStateMachine, aggregateIceState } from './state-aggregator.js';

/** A host socket the driver has bound: one per (address, component). */
export interface HostBinding {
  readonly component: number;
  readonly base: TransportAddress;
  /** Rank of its interface (0 = preferred), for the local preference. */
  readonly interfaceRank: number;
}

interface CheckTx {
  readonly kind: 'check' | 'consent';
  readonly pair: CandidatePair;
  readonly tx: ClientTransaction;
  readonly request: Buffer;
  readonly useCandidate: boolean;
  readonly role: IceRole;
  /** The PRIORITY we sent: a peer-reflexive candidate learned from the response gets it (§7.2.5.3.1). */
  readonly priority: number;
  lastSentAt: number;
}

/** What `handlePacket` tells the driver: deliver as data on this component (>= 1), consumed STUN (0), dropped (-1). */
export const PACKET_STUN = 0;
export const PACKET_DROPPED = -1;

/** The local preference a candidate's priority was built from (RFC 8445 §5.1.2.1). */
function localPreferenceOf(c: Candidate): number {
  return Math.floor(c.priority / 256) % 65536;
}

/**
 * The sans-IO ICE agent (RFC 8445, full agent): packets, time and randomness
 * come in as arguments; transmits and events leave through queues.
 */
export class IceAgentCore {
  readonly config: AgentConfig;
  readonly tieBreaker: bigint;
  readonly drops: DropCounters = { malformed: 0, unauthenticated: 0, unknownTransaction: 0, wrongSource: 0, unprovenData: 0, overLimit: 0, afterClose: 0 };
  private _role: IceRole;
  private ufrag: string;
  private pwd: string;
  private localKey: Buffer;
  private remoteUfrag: string | undefined;
  private remoteKey: Buffer | undefined;
  private remoteEnded = false;
  private closed = false;
  private readonly out = new Outbox();
  private readonly machine = new IceStateMachine();
  private readonly components: Component[];
  private readonly hosts = new Map<string, LocalCandidate>();
  private localCandidates: LocalCandidate[] = [];
  private remoteCandidates: Candidate[] = [];
  private readonly checklist: Checklist;
  private readonly txs = new TransactionTable<CheckTx>();
  private readonly gatherer: Gatherer;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private lastRemoteCandidateAt = 0;
  private prflxCount = 0;
  private epoch = 0;

  constructor(options: AgentOptions) {
    this.config = resolveConfig(options);
    const rng = this.config.random;
    this._role = this.config.role;
    this.tieBreaker = this.config.tieBreaker ?? randomBigUint64(rng);
    this.ufrag = this.config.ufrag ?? randomIceString(rng, 8);
    this.pwd = this.config.pwd ?? randomIceString(rng, 24);
    this.localKey = shortTermKey(this.pwd);
    this.components = Array.from({ length: this.config.components }, (_, i) => newComponent(i + 1));
    this.checklist = new Checklist(this.config.limits.maxPairs);
    this.gatherer = new Gatherer(this.out, rng, this.config.timers.gatherRetransmit, (host, mapped, server) =>
      this.addServerReflexive(host, mapped, server),
    );
  }

  // ---- identity and state ------------------------------------------------

  get role(): IceRole {
    return this._role;
  }
  get localParameters(): { readonly ufrag: string; readonly pwd: string } {
    return { ufrag: this.ufrag, pwd: this.pwd };
  }
  get state(): IceState {
    return this.machine.state;
  }
  get w3cState(): W3CIceTransportState {
    return toW3C(this.machine.state);
  }
  get gatheringState(): Gatherer['state'] {
    return this.gatherer.state;
  }
  get localCandidateList(): readonly LocalCandidate[] {
    return this.localCandidates;
  }
  componentStates(): ComponentState[] {
    return this.components.map((c) => c.state);
  }
  pairs(): PairInfo[] {
    return this.checklist.all.map((p) => pairInfo(this._role, p));
  }
  selectedPair(component: number): PairInfo | undefined {
    const p = this.component(component).selected;
    return p && pairInfo(this._role, p);
  }

  /**
   * Bumped whenever a route or a data source's permission may have changed (selection,
   * consent loss, restart, close), so a driver can cache both on its hot path.
   */
  get routeEpoch(): number {
    return this.epoch;
  }

  /** Where `send(component)` goes: the selected pair, or during a restart the previous one. */
  route(component: number): { readonly from: TransportAddress; readonly to: TransportAddress } | undefined {
    const c = this.components[component - 1];
    // Nothing is routed once closed or once consent is lost (RFC 7675 §5.1).
    const p = c && !this.closed && !c.consent?.lost ? c.selected ?? c.previousSelected : undefined;
    return p && { from: p.local.base, to: remoteAddress(p) };
  }

  // ---- driver verbs: queues and time -------------------------------------

  pollTransmit(): Transmit | undefined {
    return this.out.transmits.shift();
  }
  pollEvent(): AgentEvent | undefined {
    return this.out.events.shift();
  }

  /** The earliest time `handleTimeout` has work to do, or undefined if none. */
  pollTimeout(): number | undefined {
    if (this.closed) return undefined;
    let next = this.gatherer.nextDeadline();
    const at = (t: number | undefined): void => {
      if (t !== undefined && t !== Infinity && (next === undefined || t < next)) next = t;
    };
    for (const t of this.txs.values()) at(t.tx.nextDeadline());
    if (this.remoteKey && this.checklist.hasWork()) at(this.lastCheckAt + this.config.timers.taMs);
    const { timers } = this.config;
    for (const c of this.components) {
      at(this.nominationDeadline(c));
      if (c.consent && !c.consent.lost) {
        at(c.consent.nextCheckAt);
        at(c.consent.lastResponseAt + timers.consentTimeoutMs);
        if (c.consent.pendingSince !== undefined && c.state !== 'disconnected') at(c.consent.pendingSince + timers.disconnectedAfterMs);
      }
      if (!c.selected && c.allFailedAt !== undefined && c.state !== 'failed') at(this.graceEnd(c));
      if (!c.selected && c.previousSelected && c.previousConsentAt !== undefined) at(c.previousConsentAt + timers.consentTimeoutMs);
    }
    return next;
  }

  handleTimeout(now: number): void {
    if (this.closed) return;
    this.gatherer.handleTimeout(now);
    for (const [id, t] of this.txs) {
      const step = t.tx.tick(now);
      if (step === 'retransmit') {
        t.lastSentAt = now;
        this.out.transmits.push({ from: t.pair.local.base, to: remoteAddress(t.pair), data: t.request });
      } else if (step === 'timeout') {
        this.txs.delete(id);
        if (t.kind === 'check') this.failPair(now, t.pair);
      }
    }
    this.nominate(now);
    this.runConsent(now);
    this.sendPacedCheck(now);
    this.updateStates(now, 'timer');
  }

  // ---- gathering -----------------------------------------------------------

  /** Adds the driver's bound host sockets as host candidates and asks each STUN server about each of them. */
  startGathering(now: number, hosts: readonly HostBinding[], stunServers: readonly TransportAddress[] = []): void {
    this.assertOpen();
    const added: LocalCandidate[] = [];
    for (const h of hosts) {
      this.component(h.component);
      if (this.hosts.has(addressKey(h.base))) continue;
      const lp = localPreference(h.base.address, h.interfaceRank);
      const host: LocalCandidate = {
        foundation: candidateFoundation('host', h.base.address, 'udp'),
        component: h.component,
        transport: 'udp',
        priority: candidatePriority('host', lp, h.component),
        address: h.base.address,
        port: h.base.port,
        type: 'host',
        extensions: [],
        base: h.base,
      };
      this.hosts.set(addressKey(h.base), host);
      this.localCandidates.push(host);
      this.out.events.push({ type: 'candidate', candidate: host });
      added.push(host);
      for (const r of this.remoteCandidates) this.formPair(host, r);
    }
    this.gatherer.start(now, added, stunServers);
    this.afterInput(now, 'local candidates gathered');
  }

  private addServerReflexive(host: LocalCandidate, mapped: TransportAddress, server: TransportAddress): void {
    // §5.1.3: one srflx per mapped address and base. It is reported even when it equals its base
    // (no NAT), so a probe shows what the server saw; it is never paired (§6.1.2.4: replaced by its base).
    if (this.localCandidates.some((c) => c.type === 'srflx' && c.base === host.base && sameTransportAddress(c, mapped))) return;
    const srflx: LocalCandidate = {
      foundation: candidateFoundation('srflx', host.base.address, 'udp', server.address),
      component: host.component,
      transport: 'udp',
      priority: candidatePriority('srflx', localPreferenceOf(host), host.component),
      address: mapped.address,
      port: mapped.port,
      type: 'srflx',
      relatedAddress: host.address,
      relatedPort: host.port,
      extensions: [],
      base: host.base,
    };
    this.localCandidates.push(srflx);
    this.out.events.push({ type: 'candidate', candidate: srflx });
  }

  /**
   * The driver lost the socket bound to `base` (closed or errored): its candidates stop
   * being checked and its pairs fail; a component whose selected pair used it picks
   * another valid pair if it has one.
   */
  failHost(now: number, base: TransportAddress): void {
    const host = this.hosts.get(addressKey(base));
    if (!host || this.closed) return;
    this.hosts.delete(addressKey(base));
    for (const [id, t] of this.txs) if (t.pair.local === host) this.txs.delete(id);
    for (const p of this.checklist.all) {
      if (p.local !== host) continue;
      p.state = 'failed';
      p.nominated = false;
      p.nominating = false;
    }
    const c = this.components[host.component - 1]!;
    if (c.selected?.local === host) {
      c.selected = undefined;
      c.consent = undefined;
      c.announced = undefined;
      c.lostSelection = true;
      this.epoch++;
      // Pairs of the remaining sockets were dropped when the lost one was nominated: form them again.
      for (const h of this.hosts.values()) for (const r of this.remoteCandidates) this.formPair(h, r);
      this.select(now, c);
    }
    if (c.previousSelected?.local === host) c.previousSelected = undefined;
    this.afterInput(now, `socket ${addressKey(base)} lost`);
  }

  // ---- remote parameters ---------------------------------------------------

  setRemoteCredentials(now: number, ufrag: string, pwd: string): void {
    this.assertOpen();
    checkCredential('ufrag', ufrag, 4);
    checkCredential('pwd', pwd, 22);
    this.remoteUfrag = ufrag;
    this.remoteKey = shortTermKey(pwd);
    // Peers that checked us before we knew their password get their triggered checks now (§7.3.1.4).
    for (const p of this.checklist.all) if (p.remoteAuthenticated && p.state !== 'succeeded') this.checklist.trigger(p);
    this.afterInput(now, 'remote credentials set');
  }

  /** Adds a signalled remote candidate (trickled at any time). Unresolved mDNS and TCP candidates are kept but not paired. */
  addRemoteCandidate(now: number, candidate: Candidate): void {
    this.assertOpen();
    if (candidate.component < 1 || candidate.component > this.components.length) {
      throw new IceError('ERR_INVALID_CANDIDATE', `candidate component ${candidate.component} is not in 1..${this.components.length}`);
    }
    this.lastRemoteCandidateAt = now;
    this.component(candidate.component).allFailedAt = undefined;
    const same = this.remoteCandidates.find((r) => r.component === candidate.component && sameTransportAddress(r, candidate));
    if (same) {
      // A signalled candidate that equals a peer-reflexive one replaces it (RFC 8838 §11.4 / §7.3.1.3).
      if (same.type === 'prflx' || same.priority < candidate.priority) this.replaceRemote(same, candidate);
      this.afterInput(now, 'remote candidate added');
      return;
    }
    if (this.remoteCandidates.length >= this.config.limits.maxRemoteCandidates) {
      this.drops.overLimit++;
      return;
    }
    this.remoteCandidates.push(candidate);
    if (candidate.transport === 'udp') for (const host of this.hosts.values()) this.formPair(host, candidate);
    this.afterInput(now, 'remote candidate added');
  }

  endOfRemoteCandidates(now: number): void {
    this.assertOpen();
    this.remoteEnded = true;
    this.afterInput(now, 'remote end-of-candidates');
  }

  // ---- packets ---------------------------------------------------------------

  /**
   * One datagram received on the host socket bound to `local`. Network input never throws:
   * malformed or unauthenticated packets are dropped and counted in `drops`.
   */
  handlePacket(now: number, local: TransportAddress, remote: TransportAddress, data: Buffer): number {
    if (this.closed) {
      this.drops.afterClose++;
      return PACKET_DROPPED;
    }
    const host = this.hosts.get(addressKey(local));
    if (!host) return PACKET_DROPPED;
    if (!isStunDatagram(data)) return this.acceptData(host.component, remote);
    const decoded = decodeMessage(data);
    if (!decoded.ok) {
      this.drops.malformed++;
      return PACKET_DROPPED;
    }
    const msg = decoded.message;
    if (msg.cls === 'request') this.handleRequest(now, host, remote, data, msg);
    else if (msg.cls === 'success' || msg.cls === 'error') {
      if (!this.gatherer.handleResponse(msg, local, remote)) this.handleResponse(now, host, remote, data, msg);
    }
    this.afterInput(now, 'packet');
    return PACKET_STUN;
  }

  /** Application data is delivered only from a remote address that proved itself on this component. */
  private acceptData(component: number, remote: TransportAddress): number {
    if (this.components[component - 1]!.proven.has(addressKey(remote))) return component;
    this.drops.unprovenData++;
    return PACKET_DROPPED;
  }

  private handleRequest(now: number, host: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): void {
    const verdict = authenticateCheck(buf, msg, this.ufrag, this.localKey);
    if (!verdict.ok) {
      this.drops.unauthenticated++;
      if (verdict.error) this.sendError(host, from, buf, msg, verdict.error.code, verdict.error.reason, verdict.authenticated);
      return;
    }
    if (this.remoteUfrag !== undefined && verdict.remoteUfrag !== this.remoteUfrag) {
      this.drops.unauthenticated++;
      return;
    }
    // §7.3.1.1 role conflict, decided by 64-bit tie-breakers.
    if (this._role === 'controlling' && verdict.controlling !== undefined) {
      if (this.tieBreaker >= verdict.controlling) return this.sendError(host, from, buf, msg, ERROR_ROLE_CONFLICT, 'Role Conflict', true);
      this.switchRole('controlled', 'peer won a controlling/controlling conflict');
    } else if (this._role === 'controlled' && verdict.controlled !== undefined) {
      if (this.tieBreaker < verdict.controlled) return this.sendError(host, from, buf, msg, ERROR_ROLE_CONFLICT, 'Role Conflict', true);
      this.switchRole('controlling', 'we won a controlled/controlled conflict');
    }
    this.out.transmits.push({ from: host.base, to: from, data: encodeCheckSuccess(msg, from, this.localKey) });

    const component = this.components[host.component - 1]!;
    let remote = this.remoteCandidates.find((r) => r.component === host.component && sameTransportAddress(r, from));
    if (!remote) remote = this.learnPeerReflexive(now, host.component, from, verdict.priority);
    if (!remote) return;
    component.proven.add(addressKey(from));
    const pair = this.checklist.find(host.component, host, from) ?? this.formPair(host, remote, true);
    if (!pair) return;
    pair.remoteAuthenticated = true;
    // §7.3.1.4 triggered check (sent once the remote password is known).
    if (pair.state !== 'succeeded' && pair.state !== 'in-progress' && !component.selected?.nominated) this.checklist.trigger(pair);
    // §7.3.1.5: the controlled side accepts nomination on any pair that proved itself; repeats are no-ops.
    if (verdict.useCandidate && this._role === 'controlled' && !pair.nominated) {
      pair.nominated = true;
      this.select(now, component);
    }
  }

  private learnPeerReflexive(now: number, component: number, from: TransportAddress, priority: number): Candidate | undefined {
    if (this.remoteCandidates.length >= this.config.limits.maxRemoteCandidates) {
      this.drops.overLimit++;
      return undefined;
    }
    const prflx: Candidate = {
      foundation: `prflx${++this.prflxCount}x${randomUint32(this.config.random).toString(36)}`,
      component,
      transport: 'udp',
      priority,
      address: from.address,
      port: from.port,
      type: 'prflx',
      extensions: [],
    };
    this.remoteCandidates.push(prflx);
    this.lastRemoteCandidateAt = now;
    return prflx;
  }

  private handleResponse(now: number, host: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): void {
    const t = this.txs.get(msg.transactionId);
    if (!t) {
      this.drops.unknownTransaction++;
      return;
    }
    const pair = t.pair;
    // §7.2.5.2.1: only a symmetric response counts; anything else is ignored (a spoofer cannot fail our pairs).
    if (pair.local !== host || !sameTransportAddress(from, pair.remote)) {
      this.drops.wrongSource++;
      return;
    }
    if (!this.remoteKey || !verifyIntegrity(buf, msg, this.remoteKey) || !getAttribute(msg, 'FINGERPRINT')) {
      this.drops.unauthenticated++;
      return;
    }
    this.txs.delete(msg.transactionId);
    const component = this.components[pair.component - 1]!;
    pair.remoteAuthenticated = true;
    component.proven.add(addressKey(from));
    if (msg.cls === 'error') {
      const code = getAttribute(msg, 'ERROR-CODE')?.value.code;
      if (code === ERROR_ROLE_CONFLICT) {
        // §7.2.5.1: switch role (unless already switched) and check the pair again.
        if (t.role === this._role) this.switchRole(this._role === 'controlling' ? 'controlled' : 'controlling', 'peer answered 487 Role Conflict');
        pair.state = 'waiting';
        this.checklist.trigger(pair);
      } else if (t.kind === 'check') this.failPair(now, pair);
      return;
    }
    pair.rttMs = now - t.lastSentAt;
    if (t.kind === 'consent') {
      if (component.consent && component.selected === pair) {
        component.consent.lastResponseAt = now;
        component.consent.pendingSince = undefined;
      }
      return;
    }
    this.markValid(now, pair, t, msg);
  }

  /** §7.2.5.3: the pair succeeds; the mapped address names the local candidate of the valid pair. */
  private markValid(now: number, pair: CandidatePair, t: CheckTx, msg: StunMessage): void {
    const component = this.components[pair.component - 1]!;
    pair.state = 'succeeded';
    const mapped = getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value;
    if (mapped) pair.validLocal = this.localFor(pair.local, mapped, t.priority);
    this.checklist.unfreeze(pair.foundation);
    component.firstValidAt ??= now;
    if (t.useCandidate && this._role === 'controlling') pair.nominated = true;
    pair.nominating = false;
    this.select(now, component);
  }

  /** The local candidate with this mapped address and base, learning a peer-reflexive one if new (§7.2.5.3.1). */
  private localFor(base: LocalCandidate, mapped: TransportAddress, priority: number): LocalCandidate {
    const known = this.localCandidates.find((c) => c.base === base.base && sameTransportAddress(c, mapped));
    if (known) return known;
    const prflx: LocalCandidate = {
      foundation: candidateFoundation('prflx', base.base.address, 'udp'),
      component: base.component,
      transport: 'udp',
      priority,
      address: mapped.address,
      port: mapped.port,
      type: 'prflx',
      relatedAddress: base.address,
      relatedPort: base.port,
      extensions: [],
      base: base.base,
    };
    this.localCandidates.push(prflx);
    return prflx;
  }

  // ---- checks ------------------------------------------------------------------

  /**
   * Pairs a host with a remote candidate of its component and family. Once the component has a
   * nominated pair, only a peer's authenticated check (`fromPeer`) still adds one: the controlling
   * side may nominate a new pair, and we must be able to follow.
   */
  private formPair(host: LocalCandidate, remote: Candidate, fromPeer = false): CandidatePair | undefined {
    if (remote.component !== host.component || remote.transport !== 'udp') return undefined;
    if (addressFamily(remote.address) !== host.base.family) return undefined;
    if (!fromPeer && this.components[host.component - 1]!.selected?.nominated) return undefined;
    const pair = this.checklist.add(this._role, host, remote);
    if (!pair) this.drops.overLimit++;
    return pair;
  }

  /** One new check per Ta (§6.1.4.2); the first goes out at once. */
  private sendPacedCheck(now: number): void {
    if (!this.remoteKey || now < this.lastCheckAt + this.config.timers.taMs) return;
    const pair = this.checklist.next((component) => !this.components[component - 1]!.selected);
    if (!pair) return;
    this.lastCheckAt = now;
    this.sendCheck(now, pair, 'check', pair.nominating);
  }

  private sendCheck(now: number, pair: CandidatePair, kind: CheckTx['kind'], useCandidate: boolean): void {
    const transactionId = newTransactionId(this.config.random);
    const priority = candidatePriority('prflx', localPreferenceOf(pair.local), pair.component);
    const request = encodeCheck({
      transactionId,
      username: `${this.remoteUfrag}:${this.ufrag}`,
      priority,
      role: this._role,
      tieBreaker: this.tieBreaker,
      useCandidate,
      key: this.remoteKey!,
    });
    if (kind === 'check' && pair.state !== 'succeeded') pair.state = 'in-progress';
    this.txs.add(transactionId, {
      kind,
      pair,
      tx: new ClientTransaction(this.config.timers.checkRetransmit, now),
      request,
      useCandidate,
      role: this._role,
      priority,
      lastSentAt: now,
    });
    this.out.transmits.push({ from: pair.local.base, to: remoteAddress(pair), data: request });
  }

  private failPair(now: number, pair: CandidatePair): void {
    pair.nominating = false;
    if (pair.state === 'succeeded') return;
    pair.state = 'failed';
    const c = this.components[pair.component - 1]!;
    if (!this.hasPending(c.id)) c.allFailedAt ??= now;
  }

  /** Controlling side, regular nomination (§8.1.1): after a short wait for better pairs, USE-CANDIDATE on the best valid pair. */
  private nominate(now: number): void {
    if (this._role !== 'controlling') return;
    for (const c of this.components) {
      const deadline = this.nominationDeadline(c);
      if (deadline === undefined || now < deadline) continue;
      const best = this.bestValid(c.id);
      if (!best) continue;
      best.nominating = true;
      this.checklist.trigger(best);
    }
  }

  private nominationDeadline(c: Component): number | undefined {
    if (this._role !== 'controlling' || c.firstValidAt === undefined || c.selected?.nominated) return undefined;
    if (this.checklist.all.some((p) => p.component === c.id && p.nominating)) return undefined;
    const best = this.bestValid(c.id);
    if (!best) return undefined;
    const type = (best.validLocal ?? best.local).type;
    const remoteType = best.remote.type;
    const wait = Math.max(this.config.timers.nominationWaitMs[type], this.config.timers.nominationWaitMs[remoteType]);
    // Nothing better can come once every other pair of the component has finished.
    return this.hasPending(c.id, best) ? c.firstValidAt + wait : c.firstValidAt;
  }

  private bestValid(component: number): CandidatePair | undefined {
    let best: CandidatePair | undefined;
    for (const p of this.checklist.all) {
      if (p.component !== component || p.state !== 'succeeded') continue;
      if (!best || rankOf(this._role, p) > rankOf(this._role, best)) best = p;
    }
    return best;
  }

  private hasPending(component: number, except?: CandidatePair): boolean {
    return this.checklist.all.some(
      (p) => p !== except && p.component === component && (p.state === 'frozen' || p.state === 'waiting' || p.state === 'in-progress'),
    );
  }

  /** The selected pair: the best nominated pair, else the best valid one (data may flow before nomination, §12). */
  private select(now: number, c: Component): void {
    let best: CandidatePair | undefined;
    for (const p of this.checklist.all) {
      if (p.component !== c.id) continue;
      const usable = p.nominated ? p.remoteAuthenticated : p.state === 'succeeded';
      if (!usable) continue;
      if (!best || (p.nominated && !best.nominated) || (p.nominated === best.nominated && rankOf(this._role, p) > rankOf(this._role, best))) best = p;
    }
    if (!best) return;
    if (best.nominated) this.concludeComponent(c, best);
    if (best === c.selected) return this.announceSelected(c);
    if (c.previousSelected) {
      c.previousSelected = undefined;
      c.proven.clear();
      this.epoch++;
      for (const p of this.checklist.all) if (p.component === c.id && p.remoteAuthenticated) c.proven.add(addressKey(p.remote));
    }
    c.selected = best;
    c.lostSelection = false;
    this.epoch++;
    c.consent = { lastResponseAt: now, pendingSince: undefined, nextCheckAt: this.nextConsentAt(now), lost: false };
    this.announceSelected(c);
  }

  /** Emits `selected-pair` when the pair, or what we know of its candidates (valid local, signalled remote), changed. */
  private announceSelected(c: Component): void {
    const p = c.selected;
    if (!p) return;
    const local = p.validLocal ?? p.local;
    if (c.announced?.pair === p && c.announced.local === local && c.announced.remote === p.remote) return;
    c.announced = { pair: p, local, remote: p.remote };
    this.out.events.push({ type: 'selected-pair', component: c.id, pair: pairInfo(this._role, p) });
  }

  /**
   * The selected pair stopped answering consent checks (it would be `disconnected`): if another
   * pair of the component proved itself, move there and retire the silent one. This is also how
   * the controlled side follows a controlling peer that nominated a new pair after losing a socket.
   */
  private failover(now: number, c: Component): void {
    const current = c.selected;
    const since = c.consent?.pendingSince;
    if (!current || since === undefined || now - since < this.config.timers.disconnectedAfterMs) return;
    const alternative = this.checklist.all.some(
      (p) => p !== current && p.component === c.id && p.state !== 'failed' && (p.nominated ? p.remoteAuthenticated : p.state === 'succeeded'),
    );
    if (!alternative) return;
    current.state = 'failed';
    current.nominated = false;
    for (const [id, t] of this.txs) if (t.pair === current) this.txs.delete(id);
    c.selected = undefined;
    c.consent = undefined;
    this.epoch++;
    this.select(now, c);
  }

  /** §8.1.2: with a nominated pair, the component's frozen and waiting pairs are dropped and others stop retransmitting. */
  private concludeComponent(c: Component, nominated: CandidatePair): void {
    this.checklist.dropPending(c.id, nominated);
    for (const [id, t] of this.txs) {
      if (t.kind === 'check' && t.pair.component === c.id && t.pair !== nominated) {
        this.txs.delete(id);
        t.pair.state = 'failed';
      }
    }
    for (const p of this.checklist.all) {
      if (p.component === c.id && p !== nominated && p.state !== 'succeeded') this.checklist.remove(p);
    }
  }

  // ---- consent freshness (RFC 7675) -------------------------------------------

  private runConsent(now: number): void {
    const { timers } = this.config;
    for (const c of this.components) {
      if (!c.selected && c.previousSelected && now >= (c.previousConsentAt ?? now) + timers.consentTimeoutMs) {
        c.previousSelected = undefined;
        this.epoch++;
      }
      const consent = c.consent;
      if (!consent || consent.lost || !c.selected || !this.remoteKey) continue;
      if (now - consent.lastResponseAt >= timers.consentTimeoutMs) {
        consent.lost = true;
        this.epoch++;
        // RFC 7675 §5.1: once consent expires we stop sending on the pair, consent retransmissions included.
        for (const [id, t] of this.txs) if (t.kind === 'consent' && t.pair.component === c.id) this.txs.delete(id);
        continue;
      }
      if (now >= consent.nextCheckAt) {
        this.sendCheck(now, c.selected, 'consent', c.selected.nominated && this._role === 'controlling');
        consent.pendingSince ??= now;
        consent.nextCheckAt = this.nextConsentAt(now);
      }
    }
  }

  /**
   * RFC 7675 §5.1: the interval is randomised to ±20%. The time is then rounded up to the
   * consent grid so that the checks of many agents in one process share wakeups (half the idle CPU).
   */
  private nextConsentAt(now: number): number {
    const { consentIntervalMs, consentGridMs } = this.config.timers;
    const at = now + consentIntervalMs * (0.8 + (randomUint32(this.config.random) / 0xffffffff) * 0.4);
    return consentGridMs > 0 ? Math.ceil(at / consentGridMs) * consentGridMs : at;
  }

  // ---- restart and close -------------------------------------------------------

  /** ICE restart (RFC 8445 §9): new local credentials; data keeps using the old pairs until new ones are selected. */
  restart(now: number, credentials?: { ufrag: string; pwd: string }): void {
    this.assertOpen();
    if (credentials) {
      checkCredential('ufrag', credentials.ufrag, 4);
      checkCredential('pwd', credentials.pwd, 22);
    }
    this.ufrag = credentials?.ufrag ?? randomIceString(this.config.random, 8);
    this.pwd = credentials?.pwd ?? randomIceString(this.config.random, 24);
    this.localKey = shortTermKey(this.pwd);
    this.remoteUfrag = undefined;
    this.remoteKey = undefined;
    this.remoteEnded = false;
    this.remoteCandidates = [];
    this.checklist.clear();
    this.txs.clear();
    this.lastCheckAt = Number.NEGATIVE_INFINITY;
    this.epoch++;
    for (const c of this.components) {
      // A pair whose consent expired must not carry data again (RFC 7675 §5.1), restart or not.
      c.previousSelected = c.consent?.lost ? undefined : c.selected ?? c.previousSelected;
      // No consent checks run on the old pair during the restart, so its consent lapses on schedule.
      if (c.selected && c.consent) c.previousConsentAt = c.consent.lastResponseAt;
      c.selected = undefined;
      c.consent = undefined;
      c.firstValidAt = undefined;
      c.allFailedAt = undefined;
      c.lostSelection = false;
      c.state = 'starting';
    }
    this.localCandidates = this.localCandidates.filter((l) => l.type !== 'prflx');
    for (const change of this.machine.moveTo('starting', 'ICE restart')) this.out.events.push({ type: 'state', ...change });
    // The same local candidates are signalled again with the new credentials.
    this.out.events.push({ type: 'gathering', state: 'gathering' });
    for (const candidate of this.localCandidates) this.out.events.push({ type: 'candidate', candidate });
    this.out.events.push({ type: 'gathering', state: 'complete' });
    this.afterInput(now, 'ICE restart');
  }

  /** Stops answering STUN and drops every pending transaction; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.epoch++;
    this.gatherer.cancel();
    this.txs.clear();
    this.checklist.clear();
    for (const change of this.machine.moveTo('closed', 'close() called')) this.out.events.push({ type: 'state', ...change });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- helpers -----------------------------------------------------------------

  private afterInput(now: number, reason: string): void {
    this.nominate(now);
    this.sendPacedCheck(now);
    this.updateStates(now, reason);
  }

  private updateStates(now: number, reason: string): void {
    if (this.closed) return;
    let changed = '';
    for (const c of this.components) {
      // failed is terminal until an ICE restart (W3C RTCIceTransportState): late candidates do not revive it.
      if (c.state === 'failed') continue;
      this.failover(now, c);
      const pending = this.checklist.all.filter((p) => p.component === c.id && p.state !== 'succeeded' && p.state !== 'failed').length;
      const pairs = this.checklist.all.filter((p) => p.component === c.id).length;
      if (pending === 0 && (pairs > 0 || (this.remoteEnded && this.remoteKey))) c.allFailedAt ??= now;
      const state = componentState(c, {
        canCheck: this.remoteKey !== undefined,
        pairs,
        pending,
        remoteEnded: this.remoteEnded,
        graceExpired: c.allFailedAt !== undefined && now >= this.graceEnd(c),
        gatheringComplete: this.gatherer.state === 'complete',
        disconnectedAfterMs: this.config.timers.disconnectedAfterMs,
        now,
      });
      if (state === c.state) continue;
      c.state = state;
      changed = `component ${c.id} ${state}`;
      this.out.events.push({ type: 'component-state', component: c.id, state });
    }
    if (!changed) return;
    const target = aggregateIceState(this.components.map((c) => c.state), false);
    for (const change of this.machine.moveTo(target, `${changed} (${reason})`)) this.out.events.push({ type: 'state', ...change });
  }

  private graceEnd(c: Component): number {
    return Math.max(c.allFailedAt ?? 0, this.lastRemoteCandidateAt) + this.config.timers.trickleGraceMs;
  }

  private switchRole(role: IceRole, reason: string): void {
    this._role = role;
    this.checklist.reprioritise(role);
    for (const p of this.checklist.all) p.nominating = false;
    this.out.events.push({ type: 'role', role, reason });
  }

  private replaceRemote(old: Candidate, next: Candidate): void {
    this.remoteCandidates = this.remoteCandidates.map((r) => (r === old ? next : r));
    for (const p of this.checklist.all) {
      if (p.remote === old) {
        p.remote = next;
        p.priority = computePairPriority(this._role, p.local, next);
      }
    }
    this.checklist.reprioritise(this._role);
    for (const c of this.components) this.announceSelected(c);
  }

  private sendError(host: LocalCandidate, to: TransportAddress, buf: Buffer, msg: StunMessage, code: number, reason: string, authenticated: boolean): void {
    const response = errorResponse(msg, code, reason, {
      ...(authenticated && { integrityKey: this.localKey }),
      ...(code === 420 && { unknown: msg.unknownRequired }),
    });
    // Never answer an unauthenticated request with more bytes than it sent (no amplification).
    if (!authenticated && response.length > buf.length) return;
    this.out.transmits.push({ from: host.base, to, data: response });
  }

  private component(id: number): Component {
    const c = this.components[id - 1];
    if (!c) throw new IceError('ERR_INVALID_ARGUMENT', `component ${id} is not in 1..${this.components.length}`);
    return c;
  }

  private assertOpen(): void {
    if (this.closed) throw new IceError('ERR_CLOSED', 'the agent is closed');
  }
}
