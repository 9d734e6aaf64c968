/**
 * Every IceAgent option is checked here, once, at construction: a wrong value
 * becomes an `IceError('ERR_INVALID_ARGUMENT')` that names the option and the
 * value, instead of a late failure in an unrelated call (a bad policy thrown
 * from a timer, `addresses.map is not a function` at gather(), ...).
 * The result is a snapshot: arrays and timer records are copied, so changing
 * the caller's object afterwards changes nothing.
 */
import { ipFamily } from './util/ip-family.js';
import { inspect } from 'node:util';
import { DEFAULT_TIMERS, type AgentLimits, type AgentTimers } from './ice/config.js';
import { parseStunServer } from './net/stun-server-spec.js';
import type { IceAgentOptions } from './ice-agent-types.js';
import { splitIceServers } from './ice-servers.js';
import { IceError } from './util/errors.js';

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DELAY_MS = 2 ** 31 - 1;
const MAX_UINT64 = 2n ** 64n - 1n;

type Check = (value: unknown, name: string) => unknown;

export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return `${inspect(value)} (${typeof value})`;
  return inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 5, maxStringLength: 60 });
}

function invalid(name: string, expected: string, value: unknown, shown = show(value)): IceError {
  return new IceError('ERR_INVALID_ARGUMENT', `IceAgent option ${name}: expected ${expected}, got ${shown}`);
}

// ---- building blocks ---------------------------------------------------------------

const bool: Check = (v, name) => {
  if (typeof v !== 'boolean') throw invalid(name, 'true or false', v);
  return v;
};

const fn: Check = (v, name) => {
  if (typeof v !== 'function') throw invalid(name, 'a function', v);
  return v;
};

function integer(min: number, max: number): Check {
  return (v, name) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(name, `an integer in ${min}..${max}`, v);
    return v;
  };
}

/** A duration in ms: finite, at least `min` (more than `min` when `aboveMin`), at most MAX_DELAY_MS. */
function ms(min: number, aboveMin = false): Check {
  return (v, name) => {
    const ok = typeof v === 'number' && Number.isFinite(v) && (aboveMin ? v > min : v >= min) && v <= MAX_DELAY_MS;
    if (!ok) throw invalid(name, `a number of milliseconds ${aboveMin ? '>' : '>='} ${min} and <= ${MAX_DELAY_MS}`, v);
    return v;
  };
}

/** An object with exactly the given fields (all required unless `partial`), each checked. */
function record(fields: Readonly<Record<string, Check>>, partial: boolean, what: string): Check {
  return (v, name) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(name, what, v);
    const given = v as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(fields, key)) throw unknownKey(`${name}.`, key, Object.keys(fields));
    }
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(fields)) {
      if (given[key] !== undefined) out[key] = check(given[key], `${name}.${key}`);
      else if (!partial) throw invalid(`${name}.${key}`, 'a value (the field is required)', undefined);
    }
    return Object.freeze(out);
  };
}

function methods(names: readonly string[]): Check {
  return (v, name) => {
    const missing = names.filter((m) => typeof (v as Record<string, unknown> | null)?.[m] !== 'function');
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || missing.length > 0) {
      throw invalid(name, `an object with methods ${names.join(', ')} (missing: ${missing.join(', ')})`, v);
    }
    return v;
  };
}

function list(item: Check, what: string): Check {
  return (v, name) => {
    if (!Array.isArray(v)) throw invalid(name, `an array of ${what}`, v);
    return Object.freeze(v.map((x, i) => item(x, `${name}[${i}]`)));
  };
}

// ---- one check per option -------------------------------------------------------------

const retransmit = record(
  { rtoMs: ms(0, true), maxRequests: integer(1, 32), finalWaitFactor: ms(0) },
  false,
  'a retransmit policy { rtoMs, maxRequests, finalWaitFactor }',
);

const TIMER_CHECKS: { readonly [K in keyof AgentTimers]: Check } = {
  taMs: ms(5), // RFC 8445 §14.2: never more often than every 5 ms
  checkRetransmit: retransmit,
  gatherRetransmit: retransmit,
  nominationWaitMs: record({ host: ms(0), srflx: ms(0), prflx: ms(0), relay: ms(0) }, true, 'per-type waits { host, srflx, prflx, relay }'),
  consentIntervalMs: ms(0, true),
  consentGridMs: ms(0),
  disconnectedAfterMs: ms(0, true),
  consentTimeoutMs: ms(0, true),
  trickleGraceMs: ms(0),
  liteDisconnectedMs: ms(0, true),
  liteFailedMs: ms(0, true),
};

const LIMIT_CHECKS: { readonly [K in keyof AgentLimits]: Check } = {
  maxPairs: integer(1, Number.MAX_SAFE_INTEGER),
  maxRemoteCandidates: integer(1, Number.MAX_SAFE_INTEGER),
};

const timersCheck = record(TIMER_CHECKS, true, 'an object of timer overrides');
/** Per-type waits may be given in part; the others keep their defaults. */
const timers: Check = (v, name) => {
  const t = timersCheck(v, name) as Partial<AgentTimers>;
  if (t.nominationWaitMs === undefined) return t;
  return Object.freeze({ ...t, nominationWaitMs: Object.freeze({ ...DEFAULT_TIMERS.nominationWaitMs, ...t.nominationWaitMs }) });
};

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

/** RFC 8839 §5.4: ufrag 4..256 ice-chars, pwd 22..256. The password itself never appears in a message. */
function credential(min: number, secret: boolean): Check {
  return (v, name) => {
    if (typeof v === 'string' && v.length >= min && v.length <= 256 && ICE_CHARS.test(v)) return v;
    const shown = secret && typeof v === 'string' ? `a string of ${v.length} characters (not shown)` : show(v);
    throw invalid(name, `${min}..256 characters of [A-Za-z0-9+/]`, v, shown);
  };
}

const tieBreaker: Check = (v, name) => {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_UINT64) throw invalid(name, 'a bigint in 0n..2n ** 64n - 1n', v);
  return v;
};

const role: Check = (v, name) => {
  if (v !== 'controlling' && v !== 'controlled') throw invalid(name, "'controlling' or 'controlled'", v);
  return v;
};

const nonEmptyString: Check = (v, name) => {
  if (typeof v !== 'string' || v === '') throw invalid(name, 'a non-empty string', v);
  return v;
};

const ipLiteral: Check = (v, name) => {
  if (typeof v !== 'string' || ipFamily(v) === 0) throw invalid(name, 'an IP address literal', v);
  if (v.includes('%')) throw invalid(name, 'an IP address without a zone (to pick a link, name its interface in `interfaces`)', v);
  if (v === '0.0.0.0' || /^[0:]+$/.test(v)) throw invalid(name, 'a host address, not the unspecified address (leave `addresses` out to use every address)', v);
  return v;
};

const stunServer: Check = (v, name) => {
  if (typeof v !== 'string') throw invalid(name, 'a STUN server string (host:port, [v6]:port or stun: URI)', v);
  try {
    parseStunServer(v);
  } catch (err) {
    throw new IceError('ERR_INVALID_ARGUMENT', `IceAgent option ${name}: ${(err as Error).message}`, { cause: err });
  }
  return v;
};

/** One RTCIceServer-shaped entry: `urls` a URI or a non-empty array of them, optional username and credential. */
const iceServerFields = record(
  {
    urls: (v, name) => {
      if (typeof v === 'string') return v;
      if (!Array.isArray(v) || v.length === 0 || !v.every((u) => typeof u === 'string')) throw invalid(name, 'a URI string or a non-empty array of them', v);
      return Object.freeze([...v]);
    },
    username: (v, name) => {
      if (typeof v !== 'string') throw invalid(name, 'a string', v);
      return v;
    },
    credential: (v, name) => {
      if (typeof v !== 'string') throw invalid(name, 'a string', v, 'a value that is not a string (not shown)');
      return v;
    },
  },
  true,
  'an ice server { urls, username?, credential? }',
);
const iceServer: Check = (v, name) => {
  const entry = iceServerFields(v, name) as { urls?: unknown };
  if (entry.urls === undefined) throw invalid(`${name}.urls`, 'a value (the field is required)', undefined);
  return entry;
};

/** Every URL parses, TURN ones have credentials (the credential itself never appears in a message). */
const iceServers: Check = (v, name) => {
  const servers = list(iceServer, 'ice servers { urls, username?, credential? }')(v, name);
  try {
    splitIceServers(servers as never);
  } catch (err) {
    throw new IceError('ERR_INVALID_ARGUMENT', `IceAgent option ${(err as Error).message}`, { cause: err });
  }
  return servers;
};

const pem: Check = (v, name) => {
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) throw invalid(name, 'a PEM certificate (string or Buffer)', v);
  return v;
};

const turnTlsCa: Check = (v, name) => (Array.isArray(v) ? list(pem, 'PEM certificates')(v, name) : Object.freeze([pem(v, name)]));

const relayTimers = record(
  {
    lifetimeS: integer(1, 0xffffffff), refreshMarginMs: ms(0), permissionRefreshMs: ms(0, true), permissionLifetimeMs: ms(0, true),
    channelRefreshMs: ms(0, true), channelLifetimeMs: ms(0, true), closeWaitMs: ms(0, true),
  },
  true,
  'an object of TURN timer overrides',
);

const policy: Check = (v, name) => {
  if (v !== 'all' && v !== 'relay') throw invalid(name, "'all' or 'relay'", v);
  return v;
};

const portRange = record({ min: integer(1, 65535), max: integer(1, 65535) }, false, 'a port range { min, max }');
const checkedPortRange: Check = (v, name) => {
  const r = portRange(v, name) as { min: number; max: number };
  if (r.min > r.max) throw invalid(name, 'min <= max', v);
  return r;
};

/** Every option by name; the mapped type makes a new option without a check a compile error. */
const OPTION_CHECKS: { readonly [K in keyof Required<IceAgentOptions>]: Check } = {
  role,
  lite: bool,
  components: integer(1, 256),
  stunServers: list(stunServer, 'STUN server strings'),
  iceServers,
  iceTransportPolicy: policy,
  turnTlsCa,
  relayTimers,
  portRange: checkedPortRange,
  timers,
  limits: record(LIMIT_CHECKS, true, 'an object of limit overrides'),
  ufrag: credential(4, false),
  pwd: credential(22, true),
  tieBreaker,
  logger: methods(['debug', 'info', 'warn']),
  scheduler: methods(['now', 'schedule', 'cancel']),
  random: methods(['fill']),
  endpointFactory: fn,
  interfaceSource: fn,
  lookup: fn,
  interfaces: list(nonEmptyString, 'interface names'),
  addresses: list(ipLiteral, 'IP address literals'),
  ipv4: bool,
  ipv6: bool,
  includeLoopback: bool,
  includeLinkLocal: bool,
  filter: fn,
};

/** The names `new IceAgent()` accepts. */
export const AGENT_OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(OPTION_CHECKS));

/** Validates `options` and returns a snapshot of them; throws IceError ERR_INVALID_ARGUMENT naming the first bad option. */
export function checkAgentOptions(options: unknown): IceAgentOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new IceError('ERR_INVALID_ARGUMENT', `IceAgent options: expected an object, got ${show(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(OPTION_CHECKS, key)) throw unknownKey('', key, AGENT_OPTION_NAMES);
  }
  const out: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(OPTION_CHECKS)) {
    if (given[key] !== undefined) out[key] = check(given[key], key);
  }
  if (out['lite'] === true) checkLite(out);
  checkRelay(out);
  if (out['ipv4'] === false && out['ipv6'] === false) {
    throw new IceError('ERR_INVALID_ARGUMENT', 'IceAgent options ipv4 and ipv6: both are false, so no address could be gathered');
  }
  return out as IceAgentOptions;
}

/** RFC 8445 §2.5, §6.1.1: an ICE-lite agent is controlled and has host candidates only. */
function checkLite(out: Record<string, unknown>): void {
  if (out['role'] === 'controlling') {
    throw new IceError('ERR_INVALID_ARGUMENT', "IceAgent options lite and role: an ICE-lite agent is always controlled, got role 'controlling'");
  }
  if (Array.isArray(out['stunServers']) && out['stunServers'].length > 0) {
    throw new IceError('ERR_INVALID_ARGUMENT', 'IceAgent options lite and stunServers: an ICE-lite agent has host candidates only (RFC 8445 §2.5)');
  }
  if (Array.isArray(out['iceServers']) && out['iceServers'].length > 0) {
    throw new IceError('ERR_INVALID_ARGUMENT', 'IceAgent options lite and iceServers: an ICE-lite agent has host candidates only (RFC 8445 §2.5)');
  }
}

/** Relay-only needs a TURN server; permission and channel refreshes must come before their lifetimes end. */
function checkRelay(out: Record<string, unknown>): void {
  const turn = splitIceServers((out['iceServers'] ?? []) as never).turn.length;
  if (out['iceTransportPolicy'] === 'relay' && turn === 0) {
    throw new IceError('ERR_INVALID_ARGUMENT', "IceAgent options iceTransportPolicy and iceServers: 'relay' needs at least one turn: or turns: server");
  }
  const t = (out['relayTimers'] ?? {}) as Record<string, number | undefined>;
  for (const [refresh, life, dflt] of [['permissionRefreshMs', 'permissionLifetimeMs', 300_000], ['channelRefreshMs', 'channelLifetimeMs', 600_000]] as const) {
    const r = t[refresh];
    if (r !== undefined && r >= (t[life] ?? dflt)) throw invalid(`relayTimers.${refresh}`, `less than ${life} (${t[life] ?? dflt})`, r);
  }
}

function unknownKey(prefix: string, key: string, known: readonly string[]): IceError {
  const near = known.find((k) => closeTo(k, key));
  const hint = near !== undefined ? ` (did you mean ${prefix}${near}?)` : ` (known: ${known.join(', ')})`;
  return new IceError('ERR_INVALID_ARGUMENT', `IceAgent option ${prefix}${key}: unknown option${hint}`);
}

/** Same letters ignoring case, or one edit apart, or one is the other plus a trailing "s". */
function closeTo(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x === y || x === `${y}s` || y === `${x}s`) return true;
  return Math.abs(x.length - y.length) <= 1 && editDistance(x, y) <= 1;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
