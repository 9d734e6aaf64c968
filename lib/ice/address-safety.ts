// Remote addresses that must never be paired or checked.
import { BlockList } from 'node:net';
import { ipFamily } from '../util/ip-family.js';

const NEVER_A_PEER: readonly [string, string, number, 'ipv4' | 'ipv6'][] = [
  ['the unspecified address', '0.0.0.0', 32, 'ipv4'],
  ['the broadcast address', '255.255.255.255', 32, 'ipv4'],
  ['a multicast address', '224.0.0.0', 4, 'ipv4'],
  ['the unspecified address', '::', 128, 'ipv6'],
  ['a multicast address', 'ff00::', 8, 'ipv6'],
];

// One list per reason; BlockList also matches IPv4-mapped IPv6 (::ffff:224.0.0.1) against IPv4 rules.
const LISTS = NEVER_A_PEER.map(([reason, net, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { reason, list };
});

/**
 * Why a remote transport address must not be checked, or undefined when it may be.
 * Unspecified (0.0.0.0, ::), limited broadcast, multicast (224.0.0.0/4, ff00::/8) and port 0
 * are never one peer: a check there goes to a whole network or to nobody. Names (mDNS
 * `.local`) are not IP literals; they are judged once resolved.
 */
export function unsafeAddressReason(address: string, port: number): string | undefined {
  if (port === 0) return 'port 0';
  // Every incoming check asks this: an ordinary IPv4 source is cleared from its first octet
  // without a parse (BlockList.check builds a SocketAddress per call: a quarter of a busy
  // server's CPU). Only the few suspects go through the full test below.
  if (!address.includes(':') && !suspectIPv4(address)) return undefined;
  const family = ipFamily(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const bare = family === 6 && address.includes('%') ? address.slice(0, address.indexOf('%')) : address;
  return LISTS.find((l) => l.list.check(bare, type))?.reason;
}

/** 0.x, 224.x–239.x or 255.x: the only first octets of an unsafe IPv4 address. */
function suspectIPv4(address: string): boolean {
  let octet = 0;
  for (let i = 0; i < address.length && i < 3; i++) {
    const d = address.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    octet = octet * 10 + d;
  }
  return octet === 0 || octet === 255 || (octet >= 224 && octet <= 239);
}
