/**
 * STUN server specs as operators write them: `host`, `host:port`, `[v6]:port`,
 * bare `::1`, or an RFC 7064 `stun:` URI. Only plain UDP STUN is supported.
 */
import * as dns from 'node:dns/promises';
import { ipFamily } from '../util/ip-family.js';
import type { TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';

export interface StunServerSpec {
  readonly host: string;
  readonly port: number;
}

/** RFC 8489 §18.6: default port for STUN over UDP. */
export const DEFAULT_STUN_PORT = 3478;

/** The subset of dns.promises.lookup we call; the real one is assignable to it. */
export type LookupFn = (
  hostname: string,
  options: { family: 0 | 4 | 6 },
) => Promise<{ address: string; family: number }>;

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;
// A scheme prefix, unless what follows is only a port ("stun:3478" is host "stun").
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(?!\d+$)/;

function invalid(spec: string, why: string): IceError {
  return new IceError('ERR_INVALID_ARGUMENT', `invalid STUN server "${spec}": ${why}`);
}

function parsePort(spec: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw invalid(spec, `port "${text}" is not a number in 1-65535`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw invalid(spec, `port ${port} is outside 1-65535`);
  return port;
}

export function parseStunServer(spec: string): StunServerSpec {
  let rest = spec.trim();
  if (rest === '') throw invalid(spec, 'empty');
  // A bare IPv6 literal would look like a scheme ("fd00::1" → "fd00:"), so test it first.
  if (ipFamily(rest) === 6) return { host: rest, port: DEFAULT_STUN_PORT };

  const scheme = SCHEME.exec(rest);
  if (scheme && /^(stuns?|turns?)$/i.test(scheme[1] ?? '')) {
    const name = (scheme[1] ?? '').toLowerCase();
    if (name !== 'stun') {
      throw new IceError('ERR_INVALID_ARGUMENT', `${name}: is not a plain STUN server (stun: over UDP); TURN servers go in iceServers: "${spec}"`);
    }
    rest = rest.slice(scheme[0].length).replace(/^\/\//, '');
    if (rest.includes('?')) throw invalid(spec, 'stun: URIs take no query (RFC 7064)');
    if (rest === '') throw invalid(spec, 'no host after "stun:"');
    if (ipFamily(rest) === 6) return { host: rest, port: DEFAULT_STUN_PORT };
  }

  let host: string;
  let port = DEFAULT_STUN_PORT;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw invalid(spec, 'missing "]" after IPv6 address');
    host = rest.slice(1, close);
    if (ipFamily(host) !== 6) throw invalid(spec, `"${host}" in brackets is not an IPv6 address`);
    const tail = rest.slice(close + 1);
    if (tail !== '') {
      if (!tail.startsWith(':')) throw invalid(spec, `unexpected "${tail}" after "]"`);
      port = parsePort(spec, tail.slice(1));
    }
    return { host, port };
  }

  const colons = rest.split(':').length - 1;
  if (colons > 1) throw invalid(spec, 'IPv6 addresses with a port need brackets: [addr]:port');
  if (colons === 1) {
    const at = rest.indexOf(':');
    host = rest.slice(0, at);
    port = parsePort(spec, rest.slice(at + 1));
  } else {
    host = rest;
  }
  if (host === '') throw invalid(spec, 'empty host');
  if (ipFamily(host) === 0 && !HOSTNAME.test(host)) throw invalid(spec, `"${host}" is not a host name or IP address`);
  return { host, port };
}

/**
 * Resolve a spec to one transport address. IP literals skip DNS; names use
 * the system resolver (injectable), restricted to `family` when given so the
 * result matches the socket that will use it.
 */
export async function resolveStunServer(
  spec: StunServerSpec,
  family?: 4 | 6,
  lookup: LookupFn = dns.lookup,
): Promise<TransportAddress> {
  const literal = ipFamily(spec.host);
  if (literal !== 0) {
    if (family !== undefined && literal !== family) {
      throw new IceError('ERR_STUN_SERVER', `${spec.host} is IPv${literal}, not IPv${family}`);
    }
    return { address: spec.host, port: spec.port, family: literal as 4 | 6 };
  }
  let result: { address: string; family: number };
  try {
    result = await lookup(spec.host, { family: family ?? 0 });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new IceError('ERR_STUN_SERVER', `cannot resolve ${spec.host}: ${typeof code === 'string' ? code : String(err)}`, { cause: err });
  }
  const got = ipFamily(result.address);
  if (got === 0 || (family !== undefined && got !== family)) {
    throw new IceError('ERR_STUN_SERVER', `cannot resolve ${spec.host}: unusable answer ${result.address}`);
  }
  return { address: result.address, port: spec.port, family: got as 4 | 6 };
}
