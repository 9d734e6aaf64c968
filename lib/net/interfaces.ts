/**
 * Host address enumeration (RFC 8445 §5.1.1.1 host candidates) with the
 * filters a server operator needs. The interface table is injectable so
 * tests never depend on the machine they run on.
 */
import * as os from 'node:os';
import { BlockList } from 'node:net';
import { ipFamily } from '../util/ip-family.js';

export interface AddressFilterOptions {
  /** Allow-list of interface names. Naming the loopback interface includes its loopback addresses. */
  readonly interfaces?: readonly string[];
  /** Allow-list of IP literals; when given, only these. Explicit loopback entries are always kept. */
  readonly addresses?: readonly string[];
  /** Default true. */
  readonly ipv4?: boolean;
  /** Default true. */
  readonly ipv6?: boolean;
  /** Default false. */
  readonly includeLoopback?: boolean;
  /** IPv6 fe80::/10 and IPv4 169.254.0.0/16. Default false. */
  readonly includeLinkLocal?: boolean;
  /** Last word: return false to drop an address. */
  readonly filter?: (a: HostAddress) => boolean;
}

export interface HostAddress {
  readonly address: string;
  readonly family: 4 | 6;
  readonly interfaceName: string;
  /** Order index of the interface in the table, 0 first (feeds local preference). */
  readonly interfaceRank: number;
  readonly loopback: boolean;
  readonly linkLocal: boolean;
}

export type InterfaceSource = () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');

export function isLoopbackAddress(address: string): boolean {
  const family = ipFamily(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function isLinkLocalAddress(address: string): boolean {
  const family = ipFamily(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Canonical text of an IP literal so '::0001' and '::1' compare equal; '' if not an IP. */
export function normalizeIp(address: string): string {
  const family = ipFamily(address);
  if (family === 4) return address;
  // The WHATWG URL parser prints IPv6 in RFC 5952 form; zones are not allowed there.
  if (family === 6 && !address.includes('%')) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return '';
}

function familyOf(info: os.NetworkInterfaceInfo): 4 | 6 | 0 {
  // Node 18.0-18.3 reported a number here; accept both spellings.
  const f = info.family as string | number;
  return f === 'IPv4' || f === 4 ? 4 : f === 'IPv6' || f === 6 ? 6 : 0;
}

export function listHostAddresses(
  opts: AddressFilterOptions = {},
  source: InterfaceSource = os.networkInterfaces,
): HostAddress[] {
  return selectHostAddresses(opts, source).addresses;
}

/** A filter value that matched nothing, or no address at all: said with what the machine has. */
export interface AddressFilterWarning {
  readonly code: 'ERR_FILTER_UNMATCHED' | 'ERR_NO_ADDRESS';
  readonly message: string;
}

export interface HostAddressSelection {
  readonly addresses: HostAddress[];
  readonly warnings: AddressFilterWarning[];
}

/** The host addresses the filters let through, and a warning for each filter value that matched nothing. */
export function selectHostAddresses(
  opts: AddressFilterOptions = {},
  source: InterfaceSource = os.networkInterfaces,
): HostAddressSelection {
  const allowIfaces = opts.interfaces ? new Set(opts.interfaces) : undefined;
  const wanted = opts.addresses ? new Set(opts.addresses.map(normalizeIp).filter((a) => a !== '')) : undefined;
  const table = source();
  const names = Object.keys(table);
  const found = new Set<string>();
  const out: HostAddress[] = [];
  /** Every address considered, with why it was left out (undefined: kept). */
  const considered: { readonly h: HostAddress; readonly why: string | undefined }[] = [];

  const whyNot = (h: HostAddress, explicit: boolean): string | undefined => {
    if (h.family === 4 && opts.ipv4 === false) return 'ipv4 is false';
    if (h.family === 6 && opts.ipv6 === false) return 'ipv6 is false';
    if (allowIfaces && !allowIfaces.has(h.interfaceName)) return `its interface ${h.interfaceName} is not in interfaces`;
    // An address or interface the operator named explicitly beats the loopback default.
    if (h.loopback && !explicit && !allowIfaces?.has(h.interfaceName) && opts.includeLoopback !== true) return 'loopback, and includeLoopback is not set';
    if (h.linkLocal && opts.includeLinkLocal !== true) return 'link-local, and includeLinkLocal is not set';
    if (opts.filter && !opts.filter(h)) return 'the filter function refused it';
    return undefined;
  };
  const accept = (h: HostAddress, explicit: boolean): void => {
    const why = whyNot(h, explicit);
    considered.push({ h, why });
    if (why === undefined) out.push(h);
  };

  let loopbackIface: { name: string; rank: number } | undefined;
  names.forEach((name, rank) => {
    for (const info of table[name] ?? []) {
      const family = familyOf(info);
      if (family === 0) continue;
      const address = normalizeIp(info.address);
      if (address === '') continue;
      const loopback = isLoopbackAddress(address);
      const linkLocal = isLinkLocalAddress(address);
      if (loopback && !loopbackIface) loopbackIface = { name, rank };
      // A zone is needed to use a scoped address; only link-local ones are worth listing.
      if (family === 6 && (info.scopeid ?? 0) !== 0 && !linkLocal) continue;
      if (found.has(address)) continue; // same address on two interfaces: first wins
      found.add(address);
      const h: HostAddress = { address, family, interfaceName: name, interfaceRank: rank, loopback, linkLocal };
      if (wanted && !wanted.has(address)) {
        considered.push({ h, why: 'not in addresses' });
        continue;
      }
      accept(h, wanted !== undefined);
    }
  });

  // Linux serves all of 127.0.0.0/8 on lo although the table lists only 127.0.0.1.
  if (wanted) {
    for (const address of wanted) {
      if (found.has(address) || !isLoopbackAddress(address)) continue;
      const lo = loopbackIface ?? { name: 'lo', rank: names.length };
      accept(
        { address, family: ipFamily(address) as 4 | 6, interfaceName: lo.name, interfaceRank: lo.rank, loopback: true, linkLocal: false },
        true,
      );
    }
  }
  return { addresses: out, warnings: filterWarnings(opts, table, considered, out.length) };
}

/** One warning per `interfaces`/`addresses` value that let nothing through, and one if nothing passed at all. */
function filterWarnings(
  opts: AddressFilterOptions,
  table: NodeJS.Dict<os.NetworkInterfaceInfo[]>,
  considered: readonly { readonly h: HostAddress; readonly why: string | undefined }[],
  kept: number,
): AddressFilterWarning[] {
  const machine = `this machine has ${describeInterfaces(table)}`;
  const leftOut = (hs: typeof considered): string => hs.map(({ h, why }) => `${h.address} (${why})`).join(', ');
  const warnings: AddressFilterWarning[] = [];
  for (const name of new Set(opts.interfaces ?? [])) {
    const mine = considered.filter(({ h }) => h.interfaceName === name);
    if (mine.some(({ why }) => why === undefined)) continue;
    const detail = name in table ? `its addresses were all left out: ${leftOut(mine) || 'it has none'}` : 'no such interface';
    warnings.push({ code: 'ERR_FILTER_UNMATCHED', message: `interfaces entry "${name}" matched nothing: ${detail}; ${machine}` });
  }
  for (const given of new Set(opts.addresses ?? [])) {
    const address = normalizeIp(given);
    const mine = considered.filter(({ h }) => h.address === address);
    if (mine.some(({ why }) => why === undefined)) continue;
    const detail = mine.length > 0 ? `left out: ${leftOut(mine)}` : 'not an address of this machine';
    warnings.push({ code: 'ERR_FILTER_UNMATCHED', message: `addresses entry "${given}" matched nothing: ${detail}; ${machine}` });
  }
  if (kept === 0) warnings.push({ code: 'ERR_NO_ADDRESS', message: `no host address passes the address filters; ${machine}` });
  return warnings;
}

/** `lo: 127.0.0.1, ::1; eth0: 192.0.2.10, fe80::1` (every address, whatever the filters). */
export function describeInterfaces(table: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string {
  const parts = Object.entries(table).map(([name, infos]) => `${name}: ${(infos ?? []).map((i) => i.address).join(', ') || 'no address'}`);
  return parts.length > 0 ? parts.join('; ') : 'no network interfaces';
}
