import {
  decodeMessage, getAttribute, isStunDatagram, METHOD_ALLOCATE, METHOD_REFRESH,
  type TransportAddress,
} from '../stun/index.js';
import { IceError } from '../util/errors.js';
import { TurnAuth } from './auth.js';
import { encodeChannelData, looksLikeChannelData } from './channel-data.js';
import { ChannelManager } from './channels.js';
import * as C from './constants.js';
import { canonicalAddress, canonicalIp, sameAddress, type TurnContext } from './context.js';
import { allocateFailure, fatalForAnyRequest, isTransient, refreshFailure, type FailureVerdict } from './failure.js';
import { Fifo } from '../util/fifo.js';
import { unwrapChannelData, unwrapDataIndication } from './inbound.js';
import { allocateAttributes, encodeSendIndication, refreshAttributes } from './messages.js';
import { AllocationLifetime } from './lifetime.js';
import { PermissionTable } from './permission-table.js';
import { withDefaults, zeroCounters, type ResolvedOptions } from './options.js';
import { PermissionManager } from './permissions.js';
import { TurnRequests, type RequestOutcome } from './requests.js';
import type {
  TurnAllocationOptions, TurnAllocationState, TurnAttemptHistory, TurnDropCounters, TurnDropReason, TurnEvent,
  TurnInbound, TurnTransmit, TurnWrapResult,
} from './types.js';

const CONTROL: TurnInbound = { kind: 'control' };
const QUEUED: TurnWrapResult = { kind: 'queued' };
/** A Refresh that failed transiently (timeout, 5xx) is tried again this much later, until expiry. */
const REFRESH_RETRY_MS = 5_000;

/**
 * One TURN allocation (RFC 8656) on one server over one client transport, as a pure state
 * machine: packets and time go in (`unwrap`, `handleTimeout`), datagrams and events come out
 * (`pollTransmit`, `pollEvent`), `pollTimeout` says when to call again. The owner uses it as a
 * virtual socket whose address is the relayed address: `wrap` turns a datagram for a peer into
 * bytes for the server (Send indication, or ChannelData once a channel is bound), `unwrap`
 * turns bytes from the server into a datagram from a peer.
 */
export class TurnAllocation {
  readonly server: TransportAddress;
  readonly history: TurnAttemptHistory;
  private readonly requests: TurnRequests;
  private readonly events = new Fifo<TurnEvent>();
  private readonly transmits = new Fifo<TurnTransmit>();
  private readonly drops = zeroCounters();
  private readonly permissions: PermissionManager;
  private readonly channels: ChannelManager;
  private readonly o: ResolvedOptions;
  private current: TurnAllocationState = 'new';
  private relayed: TransportAddress | undefined;
  private mapped: TransportAddress | undefined;
  private readonly life: AllocationLifetime;
  private closeDeadline = Infinity;

  constructor(options: TurnAllocationOptions) {
    this.o = withDefaults(options);
    this.server = canonicalAddress(options.server);
    this.history = options.history ?? { redirects: 0, mismatchRetries: 0 };
    this.life = new AllocationLifetime(this.o.refreshMarginMs);
    const stream = options.transport !== 'udp';
    this.requests = new TurnRequests({
      rng: options.rng,
      auth: new TurnAuth(options.username, options.password),
      // RFC 8489 §6.2.2: reliable transports are not retransmitted; one wait of Ti.
      policy: stream ? { rtoMs: this.o.streamTimeoutMs, maxRequests: 1, finalWaitFactor: 1 } : this.o.retransmit,
      maxStaleNonceRetries: this.o.maxStaleNonceRetries,
      software: options.software,
      send: (bytes) => this.transmits.push({ to: this.server, data: [bytes] }),
    });
    const ctx: TurnContext = { requests: this.requests, events: this.events, count: (r, n) => this.count(r, n) };
    const table = new PermissionTable(this.o.maxPermissions, this.o.permissionLifetimeMs, this.o.maxQueuedPerPeer);
    this.permissions = new PermissionManager(ctx, table, this.o.permissionRefreshMs);
    this.channels = new ChannelManager(ctx, table, this.o.channelRefreshMs, this.o.channelLifetimeMs);
  }

  get state(): TurnAllocationState { return this.current; }
  get transport(): TurnAllocationOptions['transport'] { return this.o.transport; }
  get relayedAddress(): TransportAddress | undefined { return this.relayed; }
  get mappedAddress(): TransportAddress | undefined { return this.mapped; }
  /** The last LIFETIME granted, seconds. */
  get lifetimeS(): number { return this.life.grantedS; }
  /** What was dropped, and why (a copy). */
  get counters(): Readonly<TurnDropCounters> { return { ...this.drops }; }

  private count(reason: TurnDropReason, n = 1): void {
    this.drops[reason] += n;
  }

  /** Send the first (unauthenticated) Allocate; the 401 that follows gives realm and nonce. */
  start(now: number): void {
    if (this.current !== 'new') throw new IceError('ERR_INVALID_STATE', `TurnAllocation.start() in state ${this.current}`);
    this.current = 'allocating';
    this.requests.start(now, METHOD_ALLOCATE, { kind: 'allocate' }, allocateAttributes(this.o.lifetimeS, this.o.family));
  }

  /**
   * Keep permissions for these peer IPs (one batched CreatePermission for the new ones), and
   * refresh them every permissionRefreshMs until forget(). RFC 8445 §7.2.1: before the first check.
   */
  permit(now: number, ips: Iterable<string>): void {
    if (this.isOver()) return;
    const list = [...ips].map(canonicalIp);
    this.permissions.permit(now, list, this.current === 'allocated' ? this.relayed?.family : undefined);
  }

  /** No live pair with these IPs any more: stop refreshing their permissions. */
  forget(now: number, ips: Iterable<string>): void {
    this.permissions.table.forget([...ips].map(canonicalIp), now);
  }

  /** Bind a channel to `peer` (RFC 8445 §7.2.1: once its pair is selected). Returns the number. */
  bindChannel(now: number, peer: TransportAddress): number | undefined {
    if (this.current !== 'allocated' || this.relayed === undefined) {
      throw new IceError('ERR_INVALID_STATE', `bindChannel() needs an allocation, state is ${this.current}`);
    }
    if (peer.family !== this.relayed.family) throw new IceError('ERR_INVALID_ARGUMENT', `peer ${peer.address} is not IPv${this.relayed.family}`);
    return this.channels.bind(now, canonicalAddress(peer));
  }

  releaseChannel(peer: TransportAddress): void {
    this.channels.release(canonicalAddress(peer));
  }

  /** The channel number bound (or being bound) to `peer`. */
  channelOf(peer: TransportAddress): number | undefined {
    return this.channels.forPeer(canonicalAddress(peer))?.number;
  }

  hasPermission(ip: string, now: number): boolean {
    return this.permissions.table.isInstalled(canonicalIp(ip), now);
  }

  /** A datagram for `peer` through the relay: the bytes for the server, or queued, or dropped. */
  wrap(now: number, peer: TransportAddress, payload: Buffer): TurnWrapResult {
    if (this.current !== 'allocated' || this.relayed === undefined) return this.drop('not-allocated');
    if (peer.family !== this.relayed.family) return this.drop('family-mismatch');
    const p = canonicalAddress(peer);
    const ch = this.channels.forPeer(p);
    if (ch !== undefined && ch.boundUntil > now) {
      return { kind: 'send', to: this.server, data: encodeChannelData(ch.number, payload, this.o.transport !== 'udp') };
    }
    const table = this.permissions.table;
    if (table.isInstalled(p.address, now)) {
      return { kind: 'send', to: this.server, data: [encodeSendIndication(this.o.rng, p, payload)] };
    }
    if (table.get(p.address)?.denied === true) return this.drop('permission-denied');
    // A permission is created before the first Send to a peer (RFC 8445 §7.2.1); hold the datagram.
    if (table.get(p.address)?.inFlight !== true) this.permit(now, [p.address]);
    if (table.get(p.address)?.denied === true) return this.drop('permission-denied');
    return table.enqueue(p.address, { peer: p, payload }) ? QUEUED : this.drop('queue-full');
  }

  /** Bytes that arrived on the client socket from `from` (over TCP/TLS: one framed message). */
  unwrap(now: number, from: TransportAddress, data: Buffer): TurnInbound {
    if (!sameAddress(from, this.server)) return this.drop('not-from-server');
    if (this.current !== 'allocating' && this.current !== 'allocated' && this.current !== 'closing') return this.drop('inactive');
    if (looksLikeChannelData(data)) return this.tally(unwrapChannelData(data, this.channels, now));
    if (!isStunDatagram(data)) return this.drop('malformed');
    const d = decodeMessage(data);
    if (!d.ok) return this.drop('malformed');
    const msg = d.message;
    if (msg.cls === 'indication') return this.tally(unwrapDataIndication(msg, this.permissions.table, now));
    if (msg.cls === 'request') return this.drop('unexpected');
    const r = this.requests.onResponse(now, data, msg);
    if (typeof r === 'string') return this.drop(r);
    if (r !== undefined) this.onOutcome(now, r);
    return CONTROL;
  }

  private drop(reason: TurnDropReason): { readonly kind: 'dropped'; readonly reason: TurnDropReason } {
    this.count(reason);
    return { kind: 'dropped', reason };
  }

  private tally(r: TurnInbound): TurnInbound {
    if (r.kind === 'dropped') this.count(r.reason);
    return r;
  }

  /** Delete the allocation (Refresh LIFETIME 0, RFC 8656 §8) and report 'closed' when answered or after closeWaitMs. */
  close(now: number): void {
    if (this.current === 'closing' || this.current === 'closed') return;
    this.requests.cancel(() => true);
    if (this.current !== 'allocated') { this.finishClose(false); return; }
    this.current = 'closing';
    this.closeDeadline = now + this.o.closeWaitMs;
    this.requests.start(now, METHOD_REFRESH, { kind: 'close' }, refreshAttributes(0));
  }

  /** TCP/TLS: the connection closed or failed. The allocation goes with it (RFC 8656 §3.1). */
  transportClosed(_now: number, detail = 'connection to the TURN server lost'): void {
    if (this.current === 'closing') this.finishClose(false);
    else if (!this.isOver()) this.fail({ reason: 'connection-lost', recovery: 'reallocate' }, undefined, detail);
  }

  handleTimeout(now: number): void {
    if (this.isOver() || this.current === 'new') return;
    for (const o of this.requests.tick(now)) this.onOutcome(now, o);
    if (this.current === 'closing') {
      if (now >= this.closeDeadline) this.finishClose(false);
      return;
    }
    if (this.current !== 'allocated') return;
    if (now >= this.life.expiresAt) {
      this.fail({ reason: 'expired', recovery: 'reallocate' }, undefined, 'allocation lifetime passed without a successful Refresh');
      return;
    }
    if (now >= this.life.refreshAt) {
      this.life.refreshSent();
      this.requests.start(now, METHOD_REFRESH, { kind: 'refresh', lifetimeS: this.o.lifetimeS }, refreshAttributes(this.o.lifetimeS));
    }
    this.permissions.onTimer(now);
    this.channels.onTimer(now);
  }

  /** When handleTimeout() must next be called; undefined when nothing is scheduled. */
  pollTimeout(): number | undefined {
    if (this.isOver() || this.current === 'new') return undefined;
    let next = this.requests.nextDeadline() ?? Infinity;
    if (this.current === 'closing') next = Math.min(next, this.closeDeadline);
    if (this.current === 'allocated') {
      next = Math.min(next, this.life.refreshAt, this.life.expiresAt, this.permissions.nextDeadline() ?? Infinity, this.channels.nextDeadline() ?? Infinity);
    }
    return next === Infinity ? undefined : next;
  }

  pollTransmit(): TurnTransmit | undefined { return this.transmits.shift(); }
  pollEvent(): TurnEvent | undefined { return this.events.shift(); }

  private isOver(): boolean {
    return this.current === 'closed' || this.current === 'failed' || this.current === 'redirected';
  }

  private onOutcome(now: number, o: RequestOutcome): void {
    const tag = o.tag;
    if (tag.kind === 'close') { this.finishClose(o.ok || o.code !== undefined); return; }
    if (tag.kind === 'allocate') { this.onAllocate(now, o); return; }
    const fatal = o.ok ? undefined : fatalForAnyRequest(o.code);
    if (fatal !== undefined || (!o.ok && tag.kind !== 'refresh' && o.code === C.ERR_ALLOCATION_MISMATCH)) {
      this.fail(fatal ?? { reason: 'allocation-lost', recovery: 'reallocate' }, o.ok ? undefined : o.code, o.ok ? '' : o.detail);
    } else if (tag.kind === 'refresh') {
      this.onRefresh(now, o);
    } else if (tag.kind === 'permission') {
      for (const ip of this.permissions.onOutcome(now, { ...o, tag })) this.flushQueued(now, ip);
    } else {
      this.channels.onOutcome(now, { ...o, tag });
    }
  }

  private onAllocate(now: number, o: RequestOutcome): void {
    if (!o.ok) {
      const v = allocateFailure(o.code, o.message && getAttribute(o.message, 'ALTERNATE-SERVER')?.value, this.history);
      if ('redirect' in v) {
        this.end('redirected');
        this.events.push({ type: 'redirect', server: v.redirect });
      } else {
        this.fail(v, o.code, o.detail);
      }
      return;
    }
    const relayed = getAttribute(o.message, 'XOR-RELAYED-ADDRESS')?.value;
    if (relayed === undefined) {
      this.fail({ reason: 'bad-response', recovery: 'none' }, undefined, 'Allocate success without XOR-RELAYED-ADDRESS');
      return;
    }
    this.relayed = canonicalAddress(relayed);
    this.mapped = getAttribute(o.message, 'XOR-MAPPED-ADDRESS')?.value;
    this.current = 'allocated';
    this.life.grant(o.sentAt, getAttribute(o.message, 'LIFETIME')?.value ?? this.o.lifetimeS);
    this.events.push({ type: 'allocated', relayed: this.relayed, mapped: this.mapped, lifetimeS: this.life.grantedS });
    this.permissions.onAllocated(now, this.relayed.family);
  }

  private onRefresh(now: number, o: RequestOutcome): void {
    if (o.ok) {
      const lifetime = getAttribute(o.message, 'LIFETIME')?.value ?? this.o.lifetimeS;
      if (lifetime === 0) { this.fail({ reason: 'allocation-lost', recovery: 'reallocate' }, undefined, 'Refresh granted LIFETIME 0'); return; }
      this.life.grant(o.sentAt, lifetime);
      this.events.push({ type: 'refreshed', lifetimeS: lifetime });
    } else if (isTransient(o.code)) {
      this.life.retryAt(now + REFRESH_RETRY_MS); // the expiry check ends it if this never succeeds
    } else {
      this.fail(refreshFailure(o.code), o.code, o.detail);
    }
  }

  private flushQueued(now: number, ip: string): void {
    for (const q of this.permissions.table.drain(ip)) {
      const r = this.wrap(now, q.peer, q.payload);
      if (r.kind === 'send') this.transmits.push({ to: r.to, data: r.data });
    }
  }

  private fail(v: FailureVerdict, code: number | undefined, detail: string): void {
    this.end('failed');
    this.events.push({ type: 'failed', reason: v.reason, recovery: v.recovery, code, detail });
  }

  private finishClose(acknowledged: boolean): void {
    this.end('closed');
    this.events.push({ type: 'closed', acknowledged });
  }

  private end(state: 'failed' | 'closed' | 'redirected'): void {
    this.current = state;
    this.requests.cancel(() => true);
    this.life.stop();
    this.closeDeadline = Infinity;
  }
}
