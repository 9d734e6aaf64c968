import { parseIPv4, parseIPv6 } from '../stun/index.js';
import { IceError } from '../util/errors.js';

/**
 * STUN and TURN server URIs: RFC 7064 (`stun:`, `stuns:`) and RFC 7065 (`turn:`, `turns:`).
 *
 *   stunURI = ("stun" / "stuns") ":" host [ ":" port ]
 *   turnURI = ("turn" / "turns") ":" host [ ":" port ] [ "?transport=" ("udp" / "tcp") ]
 *
 * host is an IPv4 literal, a bracketed IPv6 literal or a registered name (RFC 3986 §3.2.2).
 * No user info, path or fragment. Default ports 3478, and 5349 for the secure schemes.
 */
export type IceServerScheme = 'stun' | 'stuns' | 'turn' | 'turns';
export type IceServerHostKind = 'ipv4' | 'ipv6' | 'name';
/** How the client reaches the server: `tls` is TLS over TCP (DTLS is not supported). */
export type ServerTransport = 'udp' | 'tcp' | 'tls';

export interface IceServerUri {
  readonly scheme: IceServerScheme;
  /** Without brackets for IPv6. Names are lower-cased (RFC 3986 §3.2.2: case-insensitive). */
  readonly host: string;
  readonly hostKind: IceServerHostKind;
  readonly port: number;
  readonly transport: ServerTransport;
  /** The URI as given. */
  readonly uri: string;
}

/** RFC 7064 §3.2 / RFC 7065 §3: 3478 for stun/turn, 5349 for stuns/turns. */
export const DEFAULT_PORT = 3478;
export const DEFAULT_SECURE_PORT = 5349;

const SCHEMES: readonly IceServerScheme[] = ['stun', 'stuns', 'turn', 'turns'];
// RFC 3986 reg-name restricted to what DNS names use (unreserved characters); at most 253.
const REG_NAME = /^[a-z0-9._~-]{1,253}$/i;

function bad(uri: string, why: string): never {
  throw new IceError('ERR_INVALID_ARGUMENT', `invalid STUN/TURN URI '${uri}': ${why}`);
}

/** Parse a `stun:`, `stuns:`, `turn:` or `turns:` URI; throws IceError('ERR_INVALID_ARGUMENT') naming the URI. */
export function parseIceServerUri(uri: string): IceServerUri {
  if (typeof uri !== 'string') bad(String(uri), 'not a string');
  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon).toLowerCase() as IceServerScheme;
  if (colon < 0 || !SCHEMES.includes(scheme)) bad(uri, 'the scheme must be stun:, stuns:, turn: or turns:');
  const rest = uri.slice(colon + 1);
  if (rest.startsWith('//')) bad(uri, 'no "//" after the scheme (RFC 7064/7065)');
  const q = rest.indexOf('?');
  const authority = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? undefined : rest.slice(q + 1);
  if (/[@/#]/.test(authority)) bad(uri, 'user info, path and fragment are not allowed');
  const { host, hostKind, portText } = splitHostPort(uri, authority);
  const secure = scheme === 'stuns' || scheme === 'turns';
  const port = portText === undefined ? (secure ? DEFAULT_SECURE_PORT : DEFAULT_PORT) : parsePort(uri, portText);
  return { scheme, host, hostKind, port, transport: transportOf(uri, scheme, query), uri };
}

function splitHostPort(
  uri: string, authority: string,
): { host: string; hostKind: IceServerHostKind; portText: string | undefined } {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) bad(uri, 'unterminated "[" in the IPv6 literal');
    const host = authority.slice(1, close);
    if (host.includes('%') || !parseIPv6(host, Buffer.allocUnsafe(16), 0)) bad(uri, `bad IPv6 literal '${host}'`);
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) bad(uri, 'junk after the IPv6 literal');
    return { host: host.toLowerCase(), hostKind: 'ipv6', portText: after === '' ? undefined : after.slice(1) };
  }
  const c = authority.indexOf(':');
  const host = c < 0 ? authority : authority.slice(0, c);
  const portText = c < 0 ? undefined : authority.slice(c + 1);
  if (host === '') bad(uri, 'missing host');
  if (/^[0-9.]+$/.test(host)) {
    if (!parseIPv4(host, Buffer.allocUnsafe(4), 0)) bad(uri, `bad IPv4 literal '${host}'`);
    return { host, hostKind: 'ipv4', portText };
  }
  if (!REG_NAME.test(host) || host.startsWith('.') || host.includes('..')) bad(uri, `bad host name '${host}'`);
  return { host: host.toLowerCase(), hostKind: 'name', portText };
}

function parsePort(uri: string, text: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) bad(uri, `bad port '${text}'`);
  const port = Number(text);
  if (port < 1 || port > 65535) bad(uri, `port ${port} out of range 1..65535`);
  return port;
}

/** RFC 7065 §3: turn defaults to UDP, turns to TCP (with TLS); stun is UDP, stuns TLS over TCP. */
function transportOf(uri: string, scheme: IceServerScheme, query: string | undefined): ServerTransport {
  const secure = scheme === 'stuns' || scheme === 'turns';
  if (query === undefined) return secure ? 'tls' : 'udp';
  if (scheme === 'stun' || scheme === 'stuns') bad(uri, 'stun: and stuns: URIs take no query (RFC 7064)');
  const m = /^transport=([A-Za-z0-9.+-]+)$/.exec(query);
  if (!m) bad(uri, `the only query is "?transport=udp" or "?transport=tcp", got '?${query}'`);
  const transport = m[1]!.toLowerCase();
  if (transport === 'tcp') return secure ? 'tls' : 'tcp';
  if (transport === 'udp') {
    if (secure) bad(uri, 'turns: over UDP means DTLS, which is not supported');
    return 'udp';
  }
  return bad(uri, `unknown transport '${m[1]!}' (udp or tcp)`);
}
