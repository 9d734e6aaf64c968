// Candidate arithmetic and address helpers (RFC 8445 §5.1, RFC 8421).
import { crc32 } from 'node:zlib';
import { SocketAddress } from 'node:net';
import { ipFamily } from '../util/ip-family.js';
import { IceError } from '../util/errors.js';
import type { CandidateType } from './candidate-types.js';

/** RFC 8445 §5.1.2.2 recommended type preferences. */
export const TYPE_PREFERENCE: Record<CandidateType, number> = {
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
};

function isCandidateType(t: unknown): t is CandidateType {
  return t === 'host' || t === 'prflx' || t === 'srflx' || t === 'relay';
}

/**
 * RFC 8445 §5.1.2.1: (2^24)*typePref + (2^8)*localPref + (256 - component).
 * Multiplication, not shifts: `<<` works on signed 32-bit ints and would go negative.
 */
export function candidatePriority(type: CandidateType, localPreference: number, component: number): number {
  if (!isCandidateType(type)) {
    throw new IceError('ERR_INVALID_ARGUMENT', `candidate type '${String(type)}' is not host, srflx, prflx or relay`);
  }
  if (!Number.isInteger(localPreference) || localPreference < 0 || localPreference > 65535) {
    throw new IceError('ERR_INVALID_ARGUMENT', `local preference ${localPreference} is not an integer in 0..65535`);
  }
  if (!Number.isInteger(component) || component < 1 || component > 256) {
    throw new IceError('ERR_INVALID_ARGUMENT', `component ${component} is not an integer in 1..256`);
  }
  return TYPE_PREFERENCE[type] * 16777216 + localPreference * 256 + (256 - component);
}

/** Address classes for local preference, best first (RFC 8421 §4 / RFC 6724 policy spirit). */
const CLASS_IPV6_GLOBAL = 3;
const CLASS_IPV4 = 2;
const CLASS_IPV6_OTHER = 1; // ULA, IPv4-mapped, site-local, etc.
const CLASS_LOCAL_ONLY = 0; // loopback, link-local, unresolved names

/** Interfaces per class band; ranks at or above this would collide with the next band. */
export const MAX_INTERFACE_RANK = 16383;

function addressClass(address: string): number {
  const family = addressFamily(address);
  if (family === 4) {
    // 127/8 loopback, 169.254/16 link-local (RFC 3927), 0/8 "this network".
    const first = Number(address.split('.')[0]);
    const second = Number(address.split('.')[1]);
    if (first === 127 || first === 0 || (first === 169 && second === 254)) return CLASS_LOCAL_ONLY;
    return CLASS_IPV4;
  }
  if (family === 6) {
    const norm = normalizeAddress(address);
    if (norm === '::1' || norm === '::') return CLASS_LOCAL_ONLY;
    const head = parseInt(norm.split(':')[0] || '0', 16);
    if ((head & 0xffc0) === 0xfe80) return CLASS_LOCAL_ONLY; // fe80::/10 link-local
    if ((head & 0xe000) === 0x2000) return CLASS_IPV6_GLOBAL; // 2000::/3 global unicast
    return CLASS_IPV6_OTHER;
  }
  return CLASS_LOCAL_ONLY;
}

/**
 * Local preference for a host candidate (RFC 8445 §5.1.2.1, RFC 8421 §4).
 *
 *   localPreference = class * 16384 + (16383 - interfaceRank)
 *
 * class: 3 = IPv6 global unicast (2000::/3), 2 = IPv4 (not loopback/link-local),
 * 1 = other IPv6 (ULA fc00::/7, IPv4-mapped, ...), 0 = loopback, link-local, names.
 * Family dominates, then the lower interface rank (0 = first interface) wins.
 * Every (class, rank) pair with rank in 0..16383 maps to a distinct value in 0..65535.
 */
export function localPreference(address: string, interfaceRank: number): number {
  if (!Number.isInteger(interfaceRank) || interfaceRank < 0 || interfaceRank > MAX_INTERFACE_RANK) {
    throw new IceError('ERR_INVALID_ARGUMENT', `interface rank ${interfaceRank} is not an integer in 0..${MAX_INTERFACE_RANK}`);
  }
  return addressClass(address) * 16384 + (MAX_INTERFACE_RANK - interfaceRank);
}

/**
 * RFC 8445 §5.1.1.3: candidates share a foundation iff same type, same base IP,
 * same STUN/TURN server and same transport. A crc32 of those fields is
 * deterministic across runs, short, and fits the 1*32 ice-char grammar.
 */
export function candidateFoundation(
  type: CandidateType,
  baseAddress: string,
  transport: 'udp' | 'tcp',
  serverAddress?: string,
): string {
  if (!isCandidateType(type)) {
    throw new IceError('ERR_INVALID_ARGUMENT', `candidate type '${String(type)}' is not host, srflx, prflx or relay`);
  }
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new IceError('ERR_INVALID_ARGUMENT', `transport '${String(transport)}' is not udp or tcp`);
  }
  const server = serverAddress === undefined ? '' : normalizeAddress(serverAddress);
  const key = [type, normalizeAddress(baseAddress), server, transport].join('|');
  return String(crc32(key));
}

/** 4 or 6 for IP literals, 0 for names (such as mDNS `<uuid>.local`). */
export function addressFamily(address: string): 4 | 6 | 0 {
  const f = ipFamily(address);
  return f === 4 || f === 6 ? f : 0;
}

/**
 * Canonical text of an address so equal addresses compare equal: IPv6 is
 * compressed and lower-cased (RFC 5952), the zone id is kept verbatim;
 * names are lower-cased (DNS is case-insensitive); IPv4 is unchanged.
 */
export function normalizeAddress(address: string): string {
  const family = addressFamily(address);
  if (family === 6) {
    const pct = address.indexOf('%');
    const ip = pct === -1 ? address : address.slice(0, pct);
    const zone = pct === -1 ? '' : address.slice(pct);
    return new SocketAddress({ address: ip, family: 'ipv6' }).address + zone;
  }
  if (family === 4) return address;
  return address.toLowerCase();
}

/** "1.2.3.4:5", "[::1]:5" or "name.local:5", with the address normalized. */
export function addressKey(a: { readonly address: string; readonly port: number }): string {
  const addr = normalizeAddress(a.address);
  return addressFamily(a.address) === 6 ? `[${addr}]:${a.port}` : `${addr}:${a.port}`;
}

export function sameTransportAddress(
  a: { readonly address: string; readonly port: number },
  b: { readonly address: string; readonly port: number },
): boolean {
  return a.port === b.port && addressKey(a) === addressKey(b);
}
