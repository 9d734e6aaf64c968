import type { TransportAddress } from '../stun/types.js';
import type { PortRange, UdpEndpointHandlers } from './udp-socket.js';
import { UdpEndpoint } from './udp-socket.js';

/** What the driver needs from a bound datagram socket; an in-memory network implements it too. */
export interface DatagramEndpoint {
  readonly local: TransportAddress;
  /** One datagram: `header` (framing such as a TURN ChannelData header), when given, then `data`, without a copy. */
  send(to: TransportAddress, data: Buffer, header?: Buffer): void;
  close(): Promise<void>;
}

export type EndpointFactory = (address: string, handlers: UdpEndpointHandlers, range?: PortRange) => Promise<DatagramEndpoint>;

export const udpEndpointFactory: EndpointFactory = (address, handlers, range) => UdpEndpoint.bind(address, handlers, range);
