import { formatIPv6, parseIPv6, type TransportAddress } from '../stun/index.js';
import type { Fifo } from '../util/fifo.js';
import type { TurnRequests } from './requests.js';
import type { TurnDropReason, TurnEvent } from './types.js';

/** What the permission and channel managers share with the allocation that owns them. */
export interface TurnContext {
  readonly requests: TurnRequests;
  readonly events: Fifo<TurnEvent>;
  count(reason: TurnDropReason, n?: number): void;
}

const scratch = Buffer.alloc(16);

/**
 * One spelling per IP, as the decoder formats XOR-PEER-ADDRESS (lower case, '::' compressed),
 * so an address from ICE and the same address from the server key the same permission.
 */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (!parseIPv6(ip, scratch, 0)) return ip.toLowerCase();
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(scratch.readUInt16BE(2 * i));
  return formatIPv6(words);
}

export function canonicalAddress(a: TransportAddress): TransportAddress {
  const address = canonicalIp(a.address);
  return address === a.address ? a : { address, port: a.port, family: a.family };
}

export function addressKey(a: TransportAddress): string {
  return `${a.address}|${a.port}`;
}

export function sameAddress(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && canonicalIp(a.address) === canonicalIp(b.address);
}
