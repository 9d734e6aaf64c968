// An in-memory TURN server (RFC 8656) for pure tests: long-term auth with nonce expiry, Allocate,
// Refresh, CreatePermission, ChannelBind, Send/Data indications, ChannelData; allocations,
// permissions and channels expire and then REALLY drop traffic. Faults can be injected per method.
import {
  decodeMessage, encodeMessage, getAttribute, getAttributes, METHOD_ALLOCATE, METHOD_CHANNEL_BIND,
  METHOD_CREATE_PERMISSION, METHOD_DATA, METHOD_REFRESH, METHOD_SEND, newTransactionId,
  type StunAttribute, type StunMessage, type TransportAddress,
} from '../../../lib/stun/index.js';
import { bindingResponse } from '../../../lib/stun/binding-responder.js';
import { METHOD_BINDING } from '../../../lib/stun/constants.js';
import { decodeChannelData, encodeChannelData, looksLikeChannelData } from '../../../lib/turn/channel-data.js';
import { seededRandom } from '../../../lib/util/random.js';
import { DoubleAuth, type DoubleAuthOptions } from './double-auth.js';

export type Fault =
  | { readonly kind: 'error'; readonly code: number; readonly alternate?: TransportAddress }
  | { readonly kind: 'drop-response' }
  | { readonly kind: 'drop-request' }
  /** No fault: lets a later injected fault hit a later request. */
  | { readonly kind: 'pass' };

export interface Packet {
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly data: Buffer;
}

export interface DoubleOptions extends DoubleAuthOptions {
  readonly address: TransportAddress;
  readonly relayIp: string;
  /** TCP/TLS client connection: ChannelData to the client is padded to 4. */
  readonly stream?: boolean;
  readonly maxLifetimeS?: number;
  readonly permissionLifetimeMs?: number;
  readonly channelLifetimeMs?: number;
}

export interface DoubleAllocation {
  readonly client: TransportAddress;
  readonly relayed: TransportAddress;
  readonly allocateTid: string;
  readonly response: Buffer;
  expiresAt: number;
  readonly permissions: Map<string, number>;
  readonly channels: Map<number, { readonly peer: TransportAddress; expiresAt: number }>;
  readonly channelOfPeer: Map<string, number>;
}

const key = (a: TransportAddress): string => `${a.address}|${a.port}`;

export class TurnServerDouble {
  readonly auth: DoubleAuth;
  readonly requests: Record<string, number> = {};
  readonly drops: Record<string, number> = {};
  relayedToPeer = 0;
  relayedToClient = 0;
  private readonly faults = new Map<number, Fault[]>();
  private readonly byClient = new Map<string, DoubleAllocation>();
  private readonly byRelay = new Map<string, DoubleAllocation>();
  private readonly forbidden = new Set<string>();
  private readonly out: Packet[] = [];
  private nextPort = 49152;
  private readonly rng = seededRandom(99);

  constructor(private readonly o: DoubleOptions) {
    this.auth = new DoubleAuth(o);
  }

  get address(): TransportAddress { return this.o.address; }

  /** The next `times` requests of `method` meet `fault`. */
  inject(method: number, fault: Fault, times = 1): void {
    const list = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.faults.set(method, list);
  }

  /** CreatePermission/ChannelBind naming this IP → 403. */
  forbid(ip: string): void { this.forbidden.add(ip); }

  allocationOf(client: TransportAddress): DoubleAllocation | undefined { return this.byClient.get(key(client)); }

  expireAllocation(client: TransportAddress): void {
    const a = this.byClient.get(key(client));
    if (a) a.expiresAt = -Infinity;
  }

  poll(): Packet | undefined { return this.out.shift(); }

  private drop(reason: string): void { this.drops[reason] = (this.drops[reason] ?? 0) + 1; }
  private bump(name: string): void { this.requests[name] = (this.requests[name] ?? 0) + 1; }

  private live(now: number, a: DoubleAllocation | undefined): DoubleAllocation | undefined {
    if (a === undefined) return undefined;
    if (a.expiresAt > now) return a;
    this.byClient.delete(key(a.client));
    this.byRelay.delete(key(a.relayed));
    this.drop('allocation-expired');
    return undefined;
  }

  private permitted(now: number, a: DoubleAllocation, ip: string): boolean {
    return (a.permissions.get(ip) ?? -Infinity) > now;
  }

  /** Bytes from a client (one datagram, or one framed message over TCP/TLS). */
  receive(now: number, from: TransportAddress, data: Buffer): void {
    if (looksLikeChannelData(data)) { this.channelDataFromClient(now, from, data); return; }
    const d = decodeMessage(data);
    if (!d.ok) { this.drop('malformed'); return; }
    const msg = d.message;
    if (msg.cls === 'indication' && msg.method === METHOD_SEND) { this.sendIndication(now, from, msg); return; }
    if (msg.cls !== 'request') { this.drop('unexpected'); return; }
    // A TURN server is a STUN server too: a plain Binding request learns the mapped address (RFC 8445 §5.1.1.2).
    if (msg.method === METHOD_BINDING) { this.bump('binding'); this.out.push({ from: this.o.address, to: from, data: bindingResponse(msg, from)! }); return; }
    const fault = this.faults.get(msg.method)?.shift();
    if (fault?.kind === 'drop-request') { this.drop('injected-request-loss'); return; }
    const response = this.answer(now, from, data, msg, fault);
    if (response !== undefined && fault?.kind !== 'drop-response') this.out.push({ from: this.o.address, to: from, data: response });
  }

  private answer(now: number, from: TransportAddress, raw: Buffer, msg: StunMessage, fault: Fault | undefined): Buffer | undefined {
    const existing = this.live(now, this.byClient.get(key(from)));
    if (msg.method === METHOD_ALLOCATE && existing !== undefined) {
      // RFC 8656 §7.2: a retransmission gets the same answer; another transaction gets 437 (unsigned, like coturn).
      return existing.allocateTid === msg.transactionId.toString('hex') ? existing.response : this.auth.error(now, msg, 437, undefined);
    }
    const v = this.auth.check(now, raw, msg);
    if (fault?.kind === 'error') {
      const extra: StunAttribute[] = fault.alternate ? [{ type: 'ALTERNATE-SERVER', value: fault.alternate }] : [];
      if (fault.code === 438) this.auth.rotate(now);
      return this.auth.error(now, msg, fault.code, v.ok ? v.key : undefined, extra);
    }
    if (!v.ok) return this.auth.error(now, msg, v.code, undefined);
    switch (msg.method) {
      case METHOD_ALLOCATE: return this.allocate(now, from, msg, v.key);
      case METHOD_REFRESH: return this.refresh(now, existing, msg, v.key);
      case METHOD_CREATE_PERMISSION: return this.createPermission(now, existing, msg, v.key);
      case METHOD_CHANNEL_BIND: return this.channelBind(now, existing, msg, v.key);
      default: return this.auth.error(now, msg, 400, v.key);
    }
  }

  private lifetimeOf(msg: StunMessage): number {
    return Math.min(getAttribute(msg, 'LIFETIME')?.value ?? 600, this.o.maxLifetimeS ?? 3600);
  }

  private allocate(now: number, from: TransportAddress, msg: StunMessage, k: Buffer): Buffer {
    this.bump('allocate');
    if (getAttribute(msg, 'REQUESTED-TRANSPORT')?.value !== 17) return this.auth.error(now, msg, 442, k);
    const relayed: TransportAddress = { address: this.o.relayIp, port: this.nextPort++, family: 4 };
    const lifetime = this.lifetimeOf(msg);
    const response = this.auth.success(msg, k, [
      { type: 'XOR-RELAYED-ADDRESS', value: relayed }, { type: 'XOR-MAPPED-ADDRESS', value: from },
      { type: 'LIFETIME', value: lifetime },
    ]);
    const a: DoubleAllocation = {
      client: from, relayed, allocateTid: msg.transactionId.toString('hex'), response, expiresAt: now + lifetime * 1000,
      permissions: new Map(), channels: new Map(), channelOfPeer: new Map(),
    };
    this.byClient.set(key(from), a);
    this.byRelay.set(key(relayed), a);
    return response;
  }

  private refresh(now: number, a: DoubleAllocation | undefined, msg: StunMessage, k: Buffer): Buffer {
    this.bump('refresh');
    if (a === undefined) return this.auth.error(now, msg, 437, k);
    const lifetime = getAttribute(msg, 'LIFETIME')?.value === 0 ? 0 : this.lifetimeOf(msg);
    a.expiresAt = now + lifetime * 1000;
    if (lifetime === 0) this.live(now, a);
    return this.auth.success(msg, k, [{ type: 'LIFETIME', value: lifetime }]);
  }

  private createPermission(now: number, a: DoubleAllocation | undefined, msg: StunMessage, k: Buffer): Buffer {
    this.bump('permission');
    if (a === undefined) return this.auth.error(now, msg, 437, k);
    const peers = getAttributes(msg, 'XOR-PEER-ADDRESS').map((p) => p.value);
    if (peers.length === 0) return this.auth.error(now, msg, 400, k);
    // RFC 8656 §10.2: all or nothing.
    if (peers.some((p) => p.family !== a.relayed.family)) return this.auth.error(now, msg, 443, k);
    if (peers.some((p) => this.forbidden.has(p.address))) return this.auth.error(now, msg, 403, k);
    for (const p of peers) a.permissions.set(p.address, now + (this.o.permissionLifetimeMs ?? 300_000));
    this.requests[`permission-ips`] = (this.requests['permission-ips'] ?? 0) + peers.length;
    return this.auth.success(msg, k, []);
  }

  private channelBind(now: number, a: DoubleAllocation | undefined, msg: StunMessage, k: Buffer): Buffer {
    this.bump('channel');
    if (a === undefined) return this.auth.error(now, msg, 437, k);
    const n = getAttribute(msg, 'CHANNEL-NUMBER')?.value;
    const peer = getAttribute(msg, 'XOR-PEER-ADDRESS')?.value;
    if (n === undefined || peer === undefined || n < 0x4000 || n > 0x4fff) return this.auth.error(now, msg, 400, k);
    if (peer.family !== a.relayed.family) return this.auth.error(now, msg, 443, k);
    if (this.forbidden.has(peer.address)) return this.auth.error(now, msg, 403, k);
    const bound = a.channels.get(n);
    const other = a.channelOfPeer.get(key(peer));
    // RFC 8656 §12.2: a number is tied to one peer and a peer to one number.
    if ((bound && key(bound.peer) !== key(peer)) || (other !== undefined && other !== n)) return this.auth.error(now, msg, 400, k);
    a.channels.set(n, { peer, expiresAt: now + (this.o.channelLifetimeMs ?? 600_000) });
    a.channelOfPeer.set(key(peer), n);
    a.permissions.set(peer.address, now + (this.o.permissionLifetimeMs ?? 300_000));
    return this.auth.success(msg, k, []);
  }

  private sendIndication(now: number, from: TransportAddress, msg: StunMessage): void {
    this.bump('send');
    const a = this.live(now, this.byClient.get(key(from)));
    const peer = getAttribute(msg, 'XOR-PEER-ADDRESS')?.value;
    const data = getAttribute(msg, 'DATA')?.value;
    if (a === undefined) { this.drop('no-allocation'); return; }
    if (peer === undefined || data === undefined) { this.drop('malformed'); return; }
    if (!this.permitted(now, a, peer.address)) { this.drop('no-permission'); return; }
    this.relayedToPeer++;
    this.out.push({ from: a.relayed, to: peer, data: Buffer.from(data) });
  }

  private channelDataFromClient(now: number, from: TransportAddress, data: Buffer): void {
    this.bump('channel-data');
    const a = this.live(now, this.byClient.get(key(from)));
    const d = decodeChannelData(data);
    if (a === undefined) { this.drop('no-allocation'); return; }
    if (!d.ok) { this.drop('malformed'); return; }
    const ch = a.channels.get(d.channel);
    if (ch === undefined || ch.expiresAt <= now) { this.drop('no-channel'); return; }
    if (!this.permitted(now, a, ch.peer.address)) { this.drop('no-permission'); return; }
    this.relayedToPeer++;
    this.out.push({ from: a.relayed, to: ch.peer, data: Buffer.from(d.payload) });
  }

  /** A datagram from a peer to a relayed address. */
  receiveFromPeer(now: number, from: TransportAddress, to: TransportAddress, data: Buffer): void {
    const a = this.live(now, this.byRelay.get(key(to)));
    if (a === undefined) { this.drop('no-allocation'); return; }
    if (!this.permitted(now, a, from.address)) { this.drop('no-permission'); return; }
    this.relayedToClient++;
    const n = a.channelOfPeer.get(key(from));
    const ch = n === undefined ? undefined : a.channels.get(n);
    if (n !== undefined && ch !== undefined && ch.expiresAt > now) {
      this.out.push({ from: this.o.address, to: a.client, data: Buffer.concat(encodeChannelData(n, data, this.o.stream === true)) });
      return;
    }
    const indication = encodeMessage({
      method: METHOD_DATA, cls: 'indication', transactionId: newTransactionId(this.rng),
      attributes: [{ type: 'XOR-PEER-ADDRESS', value: from }, { type: 'DATA', value: data }],
    });
    this.out.push({ from: this.o.address, to: a.client, data: indication });
  }
}
