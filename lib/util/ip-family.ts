import { isIPv4 } from 'node:net';

// A zone (scope) suffix as net.isIPv6 accepts it: fe80::1%eth0.
const ZONE = /^[0-9a-zA-Z.:-]+$/;

/**
 * What `net.isIP` says (4, 6, or 0 for anything else), without `net.isIPv6`: its very large regular
 * expression is compiled on first use, about 4–5 ms in a fresh process (measured: the first
 * gather() spent most of its time there, on the machine's IPv6 interface addresses). The URL
 * parser validates IPv6 natively.
 */
export function ipFamily(address: string): 0 | 4 | 6 {
  if (!address.includes(':')) return isIPv4(address) ? 4 : 0;
  const zone = address.indexOf('%');
  if (zone >= 0 && !ZONE.test(address.slice(zone + 1))) return 0;
  const bare = zone >= 0 ? address.slice(0, zone) : address;
  if (bare.includes('[') || bare.includes(']') || bare.includes('/')) return 0;
  try {
    new URL(`http://[${bare}]/`);
    return 6;
  } catch {
    return 0;
  }
}
