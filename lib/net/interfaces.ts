/**
 * Host address enumeration (RFC 8445 §5.1.1.1 host candidates) with the
 * filters a server operator needs. The interface table is injectable so
 * tests never depend on the machine they run on.
 */
import * as os from 'node:os';
import { BlockList, isIP } from 'node:net';

export interface AddressFilterOptions {
  /** Allow-list of interface names. */
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
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export function isLinkLocalAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Canonical text of an IP literal so '::0001' and '::1' compare equal; '' if not an IP. */
export function normalizeIp(address: string): string {
  const family = isIP(address);
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
  const allowIfaces = opts.interfaces ? new Set(opts.interfaces) : undefined;
  const wanted = opts.addresses ? new Set(opts.addresses.map(normalizeIp).filter((a) => a !== '')) : undefined;
  const table = source();
  const names = Object.keys(table);
  const found = new Set<string>();
  const out: HostAddress[] = [];

  const accept = (h: HostAddress, explicit: boolean): void => {
    if (h.family === 4 && opts.ipv4 === false) return;
    if (h.family === 6 && opts.ipv6 === false) return;
    if (allowIfaces && !allowIfaces.has(h.interfaceName)) return;
    // An address the operator named explicitly beats the loopback default.
    if (h.loopback && !explicit && opts.includeLoopback !== true) return;
    if (h.linkLocal && opts.includeLinkLocal !== true) return;
    if (opts.filter && !opts.filter(h)) return;
    out.push(h);
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
      if (wanted && !wanted.has(address)) continue;
      accept({ address, family, interfaceName: name, interfaceRank: rank, loopback, linkLocal }, wanted !== undefined);
    }
  });

  // Linux serves all of 127.0.0.0/8 on lo although the table lists only 127.0.0.1.
  if (wanted) {
    for (const address of wanted) {
      if (found.has(address) || !isLoopbackAddress(address)) continue;
      const lo = loopbackIface ?? { name: 'lo', rank: names.length };
      accept(
        { address, family: isIP(address) as 4 | 6, interfaceName: lo.name, interfaceRank: lo.rank, loopback: true, linkLocal: false },
        true,
      );
    }
  }
  return out;
}
