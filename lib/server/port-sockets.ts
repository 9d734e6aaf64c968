/** The UDP sockets of one IceServer: one per family and component, each bound once for every agent. */
import * as dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import type { SocketId } from '../ice/transport.js';
import { UdpEndpoint, type UdpEndpointHandlers } from '../net/udp-socket.js';
import type { TransportAddress } from '../stun/types.js';
import { IceError } from '../util/errors.js';
import { reusePortSupport } from './reuse-port.js';
import { SilentPortSender } from './silent-port.js';
import type { ListenAddress } from './server-options.js';

/** One bound socket of the server. Its SocketId is the same in every agent. */
export interface PortSocket {
  readonly id: SocketId;
  readonly family: 4 | 6;
  readonly component: number;
  readonly endpoint: UdpEndpoint;
  /** What agents send through: the socket, minus answers to requests that did not authenticate. */
  readonly sender: SilentPortSender;
  /** What candidates say: the announced (1:1 NAT public) address with the bound port, else the bound address. */
  readonly base: TransportAddress;
}

/**
 * Agents send only to IP literals. dgram "resolves" every destination with dns.lookup, which for
 * a literal still defers the send by a tick (Node < 23); answering at once saves that per datagram.
 */
const literalLookup = ((hostname: string, options: unknown, callback: (err: Error | null, address: string, family: number) => void): void => {
  const family = isIP(hostname);
  if (family !== 0) return callback(null, hostname, family);
  (dnsLookup as (h: string, o: unknown, c: typeof callback) => void)(hostname, options, callback);
}) as unknown as dgram.SocketOptions['lookup'];

function bindOne(l: ListenAddress, port: number, reusePort: boolean): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const type = l.family === 4 ? 'udp4' : 'udp6';
    // ipv6Only: `::` must not take the IPv4 port too (an IPv4 socket of the same server may want it).
    const socket = dgram.createSocket({ type, ipv6Only: l.family === 6, lookup: literalLookup, ...(reusePort && { reusePort: true }) } as dgram.SocketOptions);
    const onError = (err: Error): void => {
      try {
        socket.close();
      } catch {
        // not bound: nothing to release
      }
      reject(new IceError('ERR_SOCKET', `cannot bind ${l.address} port ${port}: ${(err as { code?: string }).code ?? err.message}`, { cause: err }));
    };
    socket.once('error', onError);
    socket.once('listening', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    // exclusive: a cluster worker binds its own port instead of sharing the primary's handle.
    socket.bind({ address: l.address, port, exclusive: true });
  });
}

/**
 * Binds a socket per (address, component): component c on `port + c - 1` (or any free port when
 * `port` is 0). All or nothing: on an error the sockets bound so far are closed.
 */
export async function bindPortSockets(
  listen: readonly ListenAddress[], port: number, components: number, reusePort: boolean,
  handlers: (socket: SocketId) => UdpEndpointHandlers,
): Promise<PortSocket[]> {
  if (reusePort) {
    const support = reusePortSupport();
    if (!support.supported) throw new IceError('ERR_UNSUPPORTED', `IceServer option reusePort: ${support.reason}`);
  }
  const out: PortSocket[] = [];
  try {
    for (const l of listen) {
      for (let component = 1; component <= components; component++) {
        const socket = await bindOne(l, port === 0 ? 0 : port + component - 1, reusePort);
        const id = out.length + 1;
        const endpoint = new UdpEndpoint(socket, handlers(id));
        const base: TransportAddress = { address: l.announced ?? endpoint.local.address, port: endpoint.local.port, family: l.family };
        out.push({ id, family: l.family, component, endpoint, sender: new SilentPortSender(endpoint), base });
      }
    }
  } catch (err) {
    await Promise.all(out.map((s) => s.endpoint.close()));
    throw err;
  }
  return out;
}
