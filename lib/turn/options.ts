import { DEFAULT_RETRANSMIT } from '../stun/index.js';
import { IceError } from '../util/errors.js';
import * as C from './constants.js';
import type { TurnAllocationOptions, TurnDropCounters } from './types.js';

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<TurnAllocationOptions, 'software' | 'history'>>;

function misuse(what: string): never {
  throw new IceError('ERR_INVALID_ARGUMENT', `TurnAllocation: ${what}`);
}

function positive(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0)) misuse(`${name} must be a positive number, got ${String(value)}`);
}

function count(value: number, name: string): void {
  if (!(Number.isInteger(value) && value >= 0)) misuse(`${name} must be a non-negative integer, got ${String(value)}`);
}

/** Fill in defaults and reject what cannot work (API misuse throws ERR_INVALID_ARGUMENT). */
export function withDefaults(o: TurnAllocationOptions): ResolvedOptions {
  const r = fill(o);
  const s = r.server;
  if (typeof s?.address !== 'string' || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535 || (s.family !== 4 && s.family !== 6)) {
    misuse(`bad server address ${JSON.stringify(s)}`);
  }
  if (!['udp', 'tcp', 'tls'].includes(r.transport)) misuse(`transport must be udp, tcp or tls, got ${String(r.transport)}`);
  if (typeof r.username !== 'string' || typeof r.password !== 'string') misuse('username and password must be strings');
  if (!Number.isInteger(r.lifetimeS) || r.lifetimeS < 1 || r.lifetimeS > 0xffffffff) misuse(`lifetimeS must be a positive integer, got ${r.lifetimeS}`);
  for (const k of ['permissionRefreshMs', 'permissionLifetimeMs', 'channelRefreshMs', 'channelLifetimeMs', 'closeWaitMs', 'streamTimeoutMs'] as const) positive(r[k], k);
  if (!Number.isFinite(r.refreshMarginMs)) misuse('refreshMarginMs must be finite');
  // A refresh period at or past the lifetime would let every permission or channel lapse.
  if (r.permissionRefreshMs >= r.permissionLifetimeMs) misuse('permissionRefreshMs must be below permissionLifetimeMs');
  if (r.channelRefreshMs >= r.channelLifetimeMs) misuse('channelRefreshMs must be below channelLifetimeMs');
  count(r.maxStaleNonceRetries, 'maxStaleNonceRetries');
  count(r.maxQueuedPerPeer, 'maxQueuedPerPeer');
  if (!(Number.isInteger(r.maxPermissions) && r.maxPermissions >= 1)) misuse('maxPermissions must be at least 1');
  if (o.history !== undefined) { count(o.history.redirects, 'history.redirects'); count(o.history.mismatchRetries, 'history.mismatchRetries'); }
  return r;
}

function fill(o: TurnAllocationOptions): ResolvedOptions {
  return {
    server: o.server, transport: o.transport, username: o.username, password: o.password, rng: o.rng,
    family: o.family ?? 4,
    lifetimeS: o.lifetimeS ?? C.DEFAULT_LIFETIME_S,
    refreshMarginMs: o.refreshMarginMs ?? C.DEFAULT_REFRESH_MARGIN_MS,
    permissionRefreshMs: o.permissionRefreshMs ?? C.DEFAULT_PERMISSION_REFRESH_MS,
    permissionLifetimeMs: o.permissionLifetimeMs ?? C.PERMISSION_LIFETIME_MS,
    channelRefreshMs: o.channelRefreshMs ?? C.DEFAULT_CHANNEL_REFRESH_MS,
    channelLifetimeMs: o.channelLifetimeMs ?? C.CHANNEL_LIFETIME_MS,
    closeWaitMs: o.closeWaitMs ?? C.DEFAULT_CLOSE_WAIT_MS,
    retransmit: o.retransmit ?? DEFAULT_RETRANSMIT,
    streamTimeoutMs: o.streamTimeoutMs ?? C.STREAM_TRANSACTION_TIMEOUT_MS,
    maxStaleNonceRetries: o.maxStaleNonceRetries ?? C.MAX_STALE_NONCE_RETRIES,
    maxPermissions: o.maxPermissions ?? C.DEFAULT_MAX_PERMISSIONS,
    maxQueuedPerPeer: o.maxQueuedPerPeer ?? C.DEFAULT_MAX_QUEUED_PER_PEER,
  };
}

export function zeroCounters(): TurnDropCounters {
  return {
    'not-from-server': 0, malformed: 0, 'unknown-transaction': 0, integrity: 0, 'not-permitted': 0,
    'unknown-channel': 0, unexpected: 0, inactive: 0, 'permission-denied': 0, 'family-mismatch': 0,
    'queue-full': 0, 'not-allocated': 0,
  };
}
