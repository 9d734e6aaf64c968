import {
  encodeMessage, METHOD_SEND, newTransactionId, type StunAttribute, type TransportAddress,
} from '../stun/index.js';
import type { RandomSource } from '../util/random.js';
import { FAMILY_IPV6, TRANSPORT_UDP } from './constants.js';

/** The family of an IP literal (IPv6 literals contain ':'). */
export function familyOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

/** RFC 8656 §7.1: REQUESTED-TRANSPORT UDP, LIFETIME, and REQUESTED-ADDRESS-FAMILY for IPv6. */
export function allocateAttributes(lifetimeS: number, family: 4 | 6): StunAttribute[] {
  const attrs: StunAttribute[] = [
    { type: 'REQUESTED-TRANSPORT', value: TRANSPORT_UDP },
    { type: 'LIFETIME', value: lifetimeS },
  ];
  // §18.8: the family byte (0x02 = IPv6) then 3 RFFU bytes.
  if (family === 6) attrs.push({ type: 'REQUESTED-ADDRESS-FAMILY', value: FAMILY_IPV6 });
  return attrs;
}

/** RFC 8656 §8: Refresh; LIFETIME 0 deletes the allocation. */
export function refreshAttributes(lifetimeS: number): StunAttribute[] {
  return [{ type: 'LIFETIME', value: lifetimeS }];
}

/** RFC 8656 §10.1: one XOR-PEER-ADDRESS per IP (the port is ignored: permissions are per IP). */
export function permissionAttributes(ips: readonly string[]): StunAttribute[] {
  return ips.map((ip) => ({ type: 'XOR-PEER-ADDRESS', value: { address: ip, port: 0, family: familyOf(ip) } }));
}

/** RFC 8656 §12.1: CHANNEL-NUMBER and XOR-PEER-ADDRESS. */
export function channelBindAttributes(channel: number, peer: TransportAddress): StunAttribute[] {
  return [{ type: 'CHANNEL-NUMBER', value: channel }, { type: 'XOR-PEER-ADDRESS', value: peer }];
}

/** RFC 8656 §11.1: a Send indication (XOR-PEER-ADDRESS + DATA); indications are not signed. */
export function encodeSendIndication(rng: RandomSource, peer: TransportAddress, payload: Buffer): Buffer {
  return encodeMessage({
    method: METHOD_SEND,
    cls: 'indication',
    transactionId: newTransactionId(rng),
    attributes: [{ type: 'XOR-PEER-ADDRESS', value: peer }, { type: 'DATA', value: payload }],
  });
}
