import { getAttribute, type StunMessage } from '../stun/index.js';
import { METHOD_DATA } from '../stun/index.js';
import { decodeChannelData } from './channel-data.js';
import type { ChannelManager } from './channels.js';
import { canonicalAddress } from './context.js';
import type { PermissionTable } from './permission-table.js';
import type { TurnInbound } from './types.js';

const NOT_PERMITTED: TurnInbound = { kind: 'dropped', reason: 'not-permitted' };
const UNKNOWN_CHANNEL: TurnInbound = { kind: 'dropped', reason: 'unknown-channel' };
const MALFORMED: TurnInbound = { kind: 'dropped', reason: 'malformed' };
const UNEXPECTED: TurnInbound = { kind: 'dropped', reason: 'unexpected' };

/**
 * ChannelData from the server (RFC 8656 §12.6): only for a channel we asked for (binding or
 * bound, since the server may use it before its success response reaches us) and not lapsed;
 * the payload is bounded by LENGTH.
 */
export function unwrapChannelData(buf: Buffer, channels: ChannelManager, now: number): TurnInbound {
  const d = decodeChannelData(buf);
  if (!d.ok) return MALFORMED;
  const e = channels.forNumber(d.channel);
  if (e === undefined || (e.boundUntil > 0 && e.boundUntil <= now)) return UNKNOWN_CHANNEL;
  return { kind: 'data', peer: e.peer, payload: d.payload, channel: e.number };
}

/**
 * A Data indication (RFC 8656 §11.4): XOR-PEER-ADDRESS and DATA required, and the peer's IP
 * must be one we permitted (requested or installed; werift delivered DATA from anything).
 */
export function unwrapDataIndication(msg: StunMessage, permissions: PermissionTable, now: number): TurnInbound {
  if (msg.method !== METHOD_DATA) return UNEXPECTED;
  const peerAttr = getAttribute(msg, 'XOR-PEER-ADDRESS');
  const data = getAttribute(msg, 'DATA');
  if (peerAttr === undefined || data === undefined) return NOT_PERMITTED;
  const peer = canonicalAddress(peerAttr.value);
  const p = permissions.get(peer.address);
  if (p === undefined || p.denied || !(p.inFlight || p.installedUntil > now)) return NOT_PERMITTED;
  return { kind: 'data', peer, payload: data.value, channel: undefined };
}
