/**
 * IceServer options, checked once when the server starts: a wrong value is an
 * IceError('ERR_INVALID_ARGUMENT') that names the option, never a late failure.
 */
import { isIP } from 'node:net';
import { MAX_WORKERS, MIN_TA_MS } from '../mux/index.js';
import type { PeerAddress } from '../mux/index.js';
import type { Scheduler } from '../net/scheduler.js';
import { normalizeIp } from '../net/interfaces.js';
import { IceError } from '../util/errors.js';
import type { RandomSource } from '../util/random.js';

export interface IceServerOptions {
  /**
   * The IP literal(s) to bind, at most one per family: one UDP socket each (per component).
   * A wildcard (`0.0.0.0`, `::`) needs an `announcedAddress` of its family.
   */
  readonly address: string | readonly string[];
  /** The UDP port (the same for every family); 0 (default) picks a free one. Component c binds port + c - 1. */
  readonly port?: number;
  /**
   * The public address(es) of a 1:1 NAT (a cloud instance), one per family: candidates carry it,
   * with the bound port, while the socket stays bound to the private address.
   */
  readonly announcedAddress?: string | readonly string[];
  /** What `createAgent()` gives when its options do not say: ICE-lite (default true) or full agents. */
  readonly lite?: boolean;
  /** The most components an agent may have: one socket per component and family. Default 1 (RTP and RTCP muxed). */
  readonly components?: number;
  /** This server is worker `worker` (0..4095) of several, each on its own port: its agents' ufrags name it (workerUfrag). */
  readonly worker?: number;
  /**
   * SO_REUSEPORT (Node ≥ 22.12 / 23.1 on Linux): several processes bind the same port and the
   * kernel spreads datagrams by a hash of their 4-tuple. UNSAFE for ICE: a client's candidates
   * are different 4-tuples and land on different processes, whose routers do not know the ufrag
   * (README "Server mode"). Throws ERR_UNSUPPORTED where Node lacks it. Default false.
   */
  readonly reusePort?: boolean;
  /** RFC 8445 §14.2: one new check per `taMs` across every full agent of the server. Default 5 ms. */
  readonly taMs?: number;
  /** Agents at once; `createAgent` throws beyond. Default 100 000. */
  readonly maxAgents?: number;
  /** Remote addresses routed to one agent, least recently authenticated evicted. Default 8. */
  readonly maxAddressesPerAgent?: number;
  /** Told (rate-limited) of Binding requests for a ufrag no agent has; they are dropped silently. */
  readonly onUnknownUfrag?: (ufrag: string, from: PeerAddress) => void;
  /** Token bucket for `onUnknownUfrag`. Default burst 10, 1 per second. */
  readonly unknownUfragReports?: { readonly burst: number; readonly perSecond: number };
  // Injection points for tests.
  readonly scheduler?: Scheduler;
  readonly random?: RandomSource;
}

/** One socket to bind: its family, address and, if a 1:1 NAT is in front, what candidates say instead. */
export interface ListenAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly announced: string | undefined;
}

export interface ResolvedServerOptions {
  readonly listen: readonly ListenAddress[];
  readonly port: number;
  readonly lite: boolean;
  readonly components: number;
  readonly worker: number | undefined;
  readonly reusePort: boolean;
  readonly taMs: number;
}

const invalid = (what: string): IceError => new IceError('ERR_INVALID_ARGUMENT', `IceServer option ${what}`);

function list(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

function integer(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(`${name}: expected an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

function familyOf(name: string, ip: unknown): 4 | 6 {
  const family = typeof ip === 'string' ? isIP(ip) : 0;
  if (family === 0 || (ip as string).includes('%')) throw invalid(`${name}: expected an IP address literal without a zone, got ${JSON.stringify(ip)}`);
  return family as 4 | 6;
}

/** The sockets to bind: one per family, each with the announced address of its family, if any. */
function listenAddresses(o: IceServerOptions): ListenAddress[] {
  const addresses = list(o.address);
  if (addresses.length === 0) throw invalid('address: at least one IP address to bind is required');
  const announced = new Map<4 | 6, string>();
  for (const a of list(o.announcedAddress)) {
    const family = familyOf('announcedAddress', a);
    if (isWildcard(normalizeIp(a))) throw invalid(`announcedAddress: ${a} is not an address a peer can reach`);
    if (announced.has(family)) throw invalid(`announcedAddress: two IPv${family} addresses (one per family)`);
    announced.set(family, normalizeIp(a));
  }
  const out: ListenAddress[] = [];
  for (const a of addresses) {
    const family = familyOf('address', a);
    if (out.some((l) => l.family === family)) throw invalid(`address: two IPv${family} addresses (one socket per family)`);
    const ip = normalizeIp(a);
    if (isWildcard(ip) && !announced.has(family)) {
      throw invalid(`address: ${a} is a wildcard; candidates need an address a peer can reach: give announcedAddress for IPv${family}`);
    }
    out.push({ family, address: ip, announced: announced.get(family) });
  }
  for (const family of announced.keys()) {
    if (!out.some((l) => l.family === family)) throw invalid(`announcedAddress: no IPv${family} address is bound`);
  }
  return out;
}

export function resolveServerOptions(o: IceServerOptions): ResolvedServerOptions {
  if (o === null || typeof o !== 'object') throw invalid(`: expected an object, got ${String(o)}`);
  const taMs = o.taMs ?? MIN_TA_MS;
  if (typeof taMs !== 'number' || !(taMs >= MIN_TA_MS) || !Number.isFinite(taMs)) throw invalid(`taMs: at least ${MIN_TA_MS} (RFC 8445 §14.2), got ${String(taMs)}`);
  if (o.lite !== undefined && typeof o.lite !== 'boolean') throw invalid(`lite: expected true or false, got ${String(o.lite)}`);
  if (o.reusePort !== undefined && typeof o.reusePort !== 'boolean') throw invalid(`reusePort: expected true or false, got ${String(o.reusePort)}`);
  if (o.onUnknownUfrag !== undefined && typeof o.onUnknownUfrag !== 'function') throw invalid('onUnknownUfrag: expected a function');
  const components = integer('components', o.components, 1, 1, 256);
  const port = integer('port', o.port, 0, 0, 65535);
  if (port > 0 && port + components - 1 > 65535) throw invalid(`port: ${port} + ${components} components passes 65535`);
  return {
    listen: listenAddresses(o),
    port,
    lite: o.lite ?? true,
    components,
    worker: o.worker === undefined ? undefined : integer('worker', o.worker, 0, 0, MAX_WORKERS - 1),
    reusePort: o.reusePort ?? false,
    taMs,
  };
}
