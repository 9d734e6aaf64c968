/**
 * SO_REUSEPORT for a shared ICE port, and why it is offered only behind a warning.
 *
 * With `reusePort`, several processes bind the same UDP port and the kernel picks the socket
 * for each datagram by a hash of its 4-tuple (source address and port, destination address and
 * port). An ICE client checks from several candidates (host, server-reflexive, relayed, one per
 * interface): each is a different 4-tuple, so its checks land on different processes, while its
 * agent (and its ufrag) lives in one. The other processes drop them as unknown ufrags, and data
 * from a candidate that hashes elsewhere never reaches the agent. Adding or removing a process
 * re-hashes every flow. Production servers steer by payload instead (a BPF program keyed on the
 * ufrag or a QUIC connection id, which Node cannot attach) or give each worker its own port
 * (mediasoup, and `worker` here): the worker is written into the ufrag so signalling finds it.
 */

/** Node added `reusePort` to dgram in v23.1.0 and v22.12.0; older versions ignore the option silently. */
export function reusePortSupport(version: string = process.versions.node): { readonly supported: boolean; readonly reason: string } {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const supported = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return supported
    ? { supported, reason: `Node ${version} supports dgram reusePort` }
    : { supported, reason: `dgram reusePort needs Node >= 22.12 or >= 23.1 (this is ${version}); older versions ignore it silently` };
}

/** The warning a server that uses `reusePort` gives (README "Server mode"). */
export const REUSE_PORT_WARNING =
  'reusePort: the kernel spreads a client\'s candidates (different 4-tuples) over the processes sharing the port, ' +
  'so checks and data reach processes that do not hold the client\'s agent; give each worker its own port instead';
