import { ERROR_BAD_REQUEST, ERROR_ROLE_CONFLICT, METHOD_BINDING } from '../stun/constants.js';
import { decodeMessage } from '../stun/decode.js';
import { isStunDatagram } from '../stun/demux.js';
import { getAttribute } from '../stun/get-attribute.js';
import { shortTermKey, verifyIntegrity } from '../stun/integrity.js';
import { errorResponse } from '../stun/binding-responder.js';
import type { StunMessage, TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import { randomIceString } from '../util/random.js';
import type { Candidate, LocalCandidate } from './candidate-types.js';
import { unsafeAddressReason } from './address-safety.js';
import { addressKey, sameTransportAddress } from './candidate.js';
import { CheckEngine } from './check-engine.js';
import { encodeCheckSuccess } from './check-message.js';
import { checkCredential, type IceRole } from './config.js';
import type { AgentEvent, Transmit } from './events.js';
import { Gatherer } from './gatherer.js';
import { toW3C, type ComponentState, type IceState, type W3CIceTransportState } from './ice-state.js';
import { authenticateCheck, roleConflict } from './incoming-check.js';
import type { HostBinding } from './local-candidates.js';
import { pairInfo, remoteAddress, type PairInfo } from './pair.js';
import { candidateUfrag } from './remote-generations.js';

export type { HostBinding } from './local-candidates.js';

/** What `handlePacket` tells the driver: deliver as data on this component (>= 1), consumed STUN (0), dropped (-1). */
export const PACKET_STUN = 0;
export const PACKET_DROPPED = -1;

/**
 * The sans-IO ICE agent (RFC 8445, full agent): packets, time and randomness
 * come in as arguments; transmits and events leave through queues.
 */
export class IceAgentCore extends CheckEngine {
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
    return this.local.all;
  }
  /** The peer's candidates: signalled, and peer-reflexive ones learned from its checks. */
  get remoteCandidateList(): readonly Candidate[] {
    return this.remote.all;
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

  /** True while events wait to be polled. */
  get hasPendingEvents(): boolean {
    return this.out.events.length > 0;
  }

  /** The earliest time `handleTimeout` has work to do, or undefined if none. */
  pollTimeout(): number | undefined {
    if (this.closed) return undefined;
    let next = this.gatherer.nextDeadline();
    const at = (t: number | undefined): void => {
      if (t !== undefined && t !== Infinity && (next === undefined || t < next)) next = t;
    };
    at(this.txs.nextDeadline());
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
    for (const t of this.txs.tick(now)) if (t.kind === 'check') this.failPair(now, t.pair);
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
      const host = this.local.addHost(h);
      if (!host) continue;
      this.emitCandidate(host);
      added.push(host);
      for (const r of this.remote.all) this.formPair(host, r);
    }
    this.gatherer.start(now, added, stunServers);
    this.afterInput(now, 'local candidates gathered');
  }

  /**
   * The driver lost the socket bound to `base` (closed or errored): its candidates stop
   * being checked and its pairs fail; a component whose selected pair used it picks
   * another valid pair if it has one.
   */
  failHost(now: number, base: TransportAddress): void {
    if (this.closed) return;
    const host = this.local.removeHost(base);
    if (!host) return;
    this.txs.cancel((t) => t.pair.local === host);
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
      for (const h of this.local.hosts()) for (const r of this.remote.all) this.formPair(h, r);
      this.select(now, c);
    }
    if (c.previousSelected?.local === host) c.previousSelected = undefined;
    this.afterInput(now, `socket ${addressKey(base)} lost`);
  }

  // ---- remote parameters ---------------------------------------------------

  /**
   * The peer's ufrag and password. The same ones again change nothing; different ones while
   * others are in force are an ICE restart by the peer (RFC 8445 §9, RFC 8839 §4.4.1.1.2): this
   * agent restarts too (new local credentials, a `restart` event) and checks the new generation.
   */
  setRemoteCredentials(now: number, ufrag: string, pwd: string): void {
    this.assertOpen();
    checkCredential('ufrag', ufrag, 4);
    checkCredential('pwd', pwd, 22);
    const key = shortTermKey(pwd);
    if (this.remoteUfrag === ufrag && this.remoteKey?.equals(key)) return;
    if (this.remoteUfrag !== undefined) this.startGeneration('peer');
    this.remoteUfrag = ufrag;
    this.remoteKey = key;
    for (const candidate of this.generations.take(ufrag)) this.addCurrentCandidate(now, candidate);
    // Peers that checked us before we knew their password get their triggered checks now (§7.3.1.4).
    for (const p of this.checklist.all) if (p.remoteAuthenticated && p.state !== 'succeeded') this.checklist.trigger(p);
    this.afterInput(now, 'remote credentials set');
  }

  /**
   * Adds a signalled remote candidate (trickled at any time). Unresolved mDNS and TCP candidates
   * are kept but not paired. `ufrag` (or the candidate's `ufrag` extension) names its generation:
   * a candidate of an older one is dropped and counted (`drops.staleCandidate`), one of a
   * generation whose parameters have not arrived yet waits for them. Unsafe addresses throw.
   */
  addRemoteCandidate(now: number, candidate: Candidate, ufrag = candidateUfrag(candidate)): void {
    this.assertOpen();
    if (candidate.component < 1 || candidate.component > this.components.length) {
      throw new IceError('ERR_INVALID_CANDIDATE', `candidate component ${candidate.component} is not in 1..${this.components.length}`);
    }
    const unsafe = unsafeAddressReason(candidate.address, candidate.port);
    if (unsafe) throw new IceError('ERR_INVALID_CANDIDATE', `candidate ${addressKey(candidate)} is ${unsafe}: it is never checked`);
    const generation = this.generations.classify(this.remoteUfrag, ufrag);
    if (generation === 'stale') return void this.drops.staleCandidate++;
    if (generation === 'parked') {
      if (!this.generations.park(ufrag!, candidate)) this.drops.overLimit++;
      return;
    }
    this.addCurrentCandidate(now, candidate);
  }

  private addCurrentCandidate(now: number, candidate: Candidate): void {
    this.lastRemoteCandidateAt = now;
    this.component(candidate.component).allFailedAt = undefined;
    const same = this.remote.find(candidate.component, candidate);
    if (same) {
      // A signalled candidate that equals a peer-reflexive one replaces it (RFC 8838 §11.4 / §7.3.1.3).
      if (same.type === 'prflx' || same.priority < candidate.priority) this.replaceRemote(same, candidate);
      this.afterInput(now, 'remote candidate added');
      return;
    }
    if (!this.remote.add(candidate)) {
      this.drops.overLimit++;
      return;
    }
    for (const host of this.local.hosts()) this.formPair(host, candidate);
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
    const host = this.local.hostAt(local);
    if (!host) return PACKET_DROPPED;
    if (!isStunDatagram(data)) return this.acceptData(host.component, remote);
    const decoded = decodeMessage(data);
    if (!decoded.ok) {
      this.drops.malformed++;
      return PACKET_DROPPED;
    }
    const msg = decoded.message;
    if (msg.method !== METHOD_BINDING) this.rejectOtherMethod(host, remote, data, msg);
    else if (msg.cls === 'request') this.handleRequest(now, host, remote, data, msg);
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

  /**
   * Only Binding requests are checks (RFC 8445 §7.3); any other method changes nothing and is
   * counted. An authenticated request of another method gets a signed 400 Bad Request, anything
   * else is dropped silently (an unauthenticated sender learns nothing).
   */
  private rejectOtherMethod(host: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): void {
    this.drops.notBinding++;
    if (msg.cls !== 'request') return;
    const verdict = authenticateCheck(buf, msg, this.ufrag, this.localKey);
    if (verdict.ok || verdict.authenticated) this.sendError(host, from, buf, msg, ERROR_BAD_REQUEST, 'Bad Request', true);
  }

  private handleRequest(now: number, host: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): void {
    // Never answer, learn or check a source that is not one peer (a spoofed broadcast or multicast source).
    if (unsafeAddressReason(from.address, from.port)) return void this.drops.unsafeAddress++;
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
    const conflict = roleConflict(this._role, this.tieBreaker, verdict);
    if (conflict === 'reject') return this.sendError(host, from, buf, msg, ERROR_ROLE_CONFLICT, 'Role Conflict', true);
    if (conflict === 'switch') {
      if (this._role === 'controlling') this.switchRole('controlled', 'peer won a controlling/controlling conflict');
      else this.switchRole('controlling', 'we won a controlled/controlled conflict');
    }
    this.out.transmits.push({ from: host.base, to: from, data: encodeCheckSuccess(msg, from, this.localKey) });

    const component = this.components[host.component - 1]!;
    let remote = this.remote.find(host.component, from);
    if (!remote) {
      remote = this.remote.learnPeerReflexive(host.component, from, verdict.priority, this.config.random);
      if (!remote) return void this.drops.overLimit++;
      this.lastRemoteCandidateAt = now;
    }
    component.proven.add(addressKey(from));
    const pair = this.checklist.find(host.component, host, from) ?? this.formPair(host, remote, true);
    if (!pair) return;
    pair.remoteAuthenticated = true;
    if (verdict.useCandidate && this._role === 'controlled') this.acceptNomination(now, component, pair);
    // §7.3.1.4 triggered check (sent once the remote password is known).
    else if (pair.state !== 'succeeded' && pair.state !== 'in-progress' && !component.selected?.nominated) this.checklist.trigger(pair);
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
      this.txs.result(t, 'error', code);
      if (code === ERROR_ROLE_CONFLICT) {
        // §7.2.5.1: switch role (unless already switched) and check the pair again.
        if (t.role === this._role) this.switchRole(this._role === 'controlling' ? 'controlled' : 'controlling', 'peer answered 487 Role Conflict');
        pair.state = 'waiting';
        this.checklist.trigger(pair);
      } else if (t.kind === 'check') this.failPair(now, pair);
      return;
    }
    pair.rttMs = now - t.lastSentAt;
    this.txs.result(t, 'success', undefined, pair.rttMs);
    if (t.kind === 'consent') {
      if (component.consent && component.selected === pair) {
        component.consent.lastResponseAt = now;
        component.consent.pendingSince = undefined;
      }
      return;
    }
    this.markValid(now, pair, t, msg);
  }

  // ---- restart and close -------------------------------------------------------

  /** ICE restart (RFC 8445 §9): new local credentials; data keeps using the old pairs until new ones are selected. */
  restart(now: number, credentials?: { ufrag: string; pwd: string }): void {
    this.assertOpen();
    if (credentials) {
      checkCredential('ufrag', credentials.ufrag, 4);
      checkCredential('pwd', credentials.pwd, 22);
    }
    this.startGeneration('local', credentials);
    this.afterInput(now, 'ICE restart');
  }

  /**
   * A new ICE generation, started by us or by the peer: new local credentials, the peer's
   * parameters and candidates forgotten until it signals the new ones, state back to
   * `starting`; the old selected pair carries data until a new one is selected.
   */
  private startGeneration(by: 'local' | 'peer', credentials?: { ufrag: string; pwd: string }): void {
    this.ufrag = credentials?.ufrag ?? randomIceString(this.config.random, 8);
    this.pwd = credentials?.pwd ?? randomIceString(this.config.random, 24);
    this.localKey = shortTermKey(this.pwd);
    this.generations.retire(this.remoteUfrag);
    this.remoteUfrag = undefined;
    this.remoteKey = undefined;
    this.remoteEnded = false;
    this.remote.clear();
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
    this.local.forgetPeerReflexive();
    const reason = by === 'peer' ? 'ICE restart by the peer (new remote credentials)' : 'ICE restart';
    for (const change of this.machine.moveTo('starting', reason)) this.out.events.push({ type: 'state', ...change });
    this.out.events.push({ type: 'restart', by, ufrag: this.ufrag });
    // The same local candidates are signalled again, now under the new ufrag.
    this.out.events.push({ type: 'gathering', state: 'gathering' });
    for (const candidate of this.local.all) this.emitCandidate(candidate);
    this.out.events.push({ type: 'gathering', state: 'complete' });
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

  private sendError(host: LocalCandidate, to: TransportAddress, buf: Buffer, msg: StunMessage, code: number, reason: string, authenticated: boolean): void {
    const response = errorResponse(msg, code, reason, {
      ...(authenticated && { integrityKey: this.localKey }),
      ...(code === 420 && { unknown: msg.unknownRequired }),
    });
    // Never answer an unauthenticated request with more bytes than it sent (no amplification).
    if (!authenticated && response.length > buf.length) return;
    this.out.transmits.push({ from: host.base, to, data: response });
  }
}
