// A virtual-time network joining one TurnAllocation (the client), the TURN server double and
// peers. Deliveries take `latencyMs`; time jumps to the next deadline or delivery.
import type { StunMessage, TransportAddress } from '../../../lib/stun/index.js';
import { TurnAllocation } from '../../../lib/turn/allocation.js';
import { StreamFramer } from '../../../lib/turn/stream-framer.js';
import type { TurnAllocationOptions, TurnEvent, TurnInbound } from '../../../lib/turn/types.js';
import { seededRandom } from '../../../lib/util/random.js';
import { mustDecode } from '../../support/stun-bytes.js';
import { TurnServerDouble, type DoubleOptions, type Packet } from './turn-server-double.js';

export const CLIENT: TransportAddress = { address: '10.0.0.1', port: 5000, family: 4 };
export const SERVER: TransportAddress = { address: '192.0.2.1', port: 3478, family: 4 };
export const PEER: TransportAddress = { address: '198.51.100.7', port: 6000, family: 4 };
export const PEER2: TransportAddress = { address: '198.51.100.8', port: 6001, family: 4 };

export interface SimOptions {
  readonly latencyMs?: number;
  readonly server?: Partial<DoubleOptions>;
  readonly client?: Partial<TurnAllocationOptions>;
  /** Return true to lose a packet: dir 'up' (client → server) or 'down' (server → client). */
  readonly lose?: (dir: 'up' | 'down', data: Buffer) => boolean;
}

interface Delivery { readonly at: number; readonly run: () => void }

export class RelaySim {
  now = 0;
  readonly server: TurnServerDouble;
  readonly client: TurnAllocation;
  readonly events: TurnEvent[] = [];
  readonly atPeers: Packet[] = [];
  readonly atClient: Extract<TurnInbound, { kind: 'data' }>[] = [];
  readonly clientDrops: TurnInbound[] = [];
  /** Every datagram the client sent to the server, as sent (buffer lists joined). */
  readonly sent: Buffer[] = [];
  private readonly inflight: Delivery[] = [];
  private readonly latency: number;
  private readonly stream: boolean;
  private readonly framer = new StreamFramer();

  constructor(private readonly opts: SimOptions = {}) {
    this.latency = opts.latencyMs ?? 10;
    this.stream = (opts.client?.transport ?? 'udp') !== 'udp';
    this.server = new TurnServerDouble({
      address: SERVER, relayIp: '203.0.113.5', realm: 'sim.test', users: { alice: 'alicepass' }, stream: this.stream,
      ...opts.server,
    });
    this.client = new TurnAllocation({
      server: SERVER, transport: 'udp', username: 'alice', password: 'alicepass', rng: seededRandom(7), ...opts.client,
    });
  }

  private later(run: () => void): void {
    this.inflight.push({ at: this.now + this.latency, run });
  }

  /** Move everything produced so far onto the wire; drain events. */
  /** The STUN messages of `method` and class the client sent so far (ChannelData left out). */
  stunSent(method: number, cls: 'request' | 'indication' = 'request'): StunMessage[] {
    return this.sent.filter((b) => b[0]! < 0x40).map(mustDecode).filter((m) => m.cls === cls && m.method === method);
  }

  flush(): void {
    for (let t = this.client.pollTransmit(); t; t = this.client.pollTransmit()) this.up(Buffer.concat(t.data));
    for (let p = this.server.poll(); p; p = this.server.poll()) this.down(p);
    for (let e = this.client.pollEvent(); e; e = this.client.pollEvent()) this.events.push(e);
  }

  private up(data: Buffer): void {
    this.sent.push(data);
    if (this.opts.lose?.('up', data)) return;
    this.later(() => this.server.receive(this.now, CLIENT, data));
  }

  private down(p: Packet): void {
    if (p.to.address !== CLIENT.address || p.to.port !== CLIENT.port) {
      this.later(() => this.atPeers.push(p));
      return;
    }
    if (this.opts.lose?.('down', p.data)) return;
    this.later(() => this.toClient(p.from, p.data));
  }

  /** Over TCP/TLS the bytes go through a framer, cut in two pieces to exercise reassembly. */
  private toClient(from: TransportAddress, data: Buffer): void {
    const frames = this.stream
      ? [...this.framer.push(data.subarray(0, 3)).frames, ...this.framer.push(data.subarray(3)).frames]
      : [data];
    for (const f of frames) this.deliver(from, f);
  }

  /** Hand bytes to the client as if they came from `from`. */
  deliver(from: TransportAddress, data: Buffer): TurnInbound {
    const r = this.client.unwrap(this.now, from, data);
    if (r.kind === 'data') this.atClient.push(r);
    else if (r.kind === 'dropped') this.clientDrops.push(r);
    return r;
  }

  /** Run until virtual time `to`, waking the client at each deadline and delivering in order. */
  advance(to: number): void {
    for (;;) {
      this.flush();
      const wake = this.client.pollTimeout() ?? Infinity;
      const next = Math.min(wake, ...this.inflight.map((d) => d.at));
      if (next > to) break;
      this.now = Math.max(this.now, next);
      this.runDue();
      if (this.now >= wake) this.client.handleTimeout(this.now);
    }
    this.now = to;
    this.runDue();
    this.flush();
  }

  private runDue(): void {
    for (;;) {
      const i = this.inflight.findIndex((d) => d.at <= this.now);
      if (i < 0) return;
      this.inflight.splice(i, 1)[0]!.run();
      this.flush();
    }
  }

  /** The client sends `payload` to `peer` through the relay. */
  clientSend(peer: TransportAddress, payload: Buffer): ReturnType<TurnAllocation['wrap']> {
    const r = this.client.wrap(this.now, peer, payload);
    if (r.kind === 'send') this.up(Buffer.concat(r.data));
    return r;
  }

  /** `peer` sends `payload` to the client's relayed address. */
  peerSend(peer: TransportAddress, payload: Buffer): void {
    const relayed = this.client.relayedAddress;
    if (relayed === undefined) throw new Error('not allocated');
    this.later(() => this.server.receiveFromPeer(this.now, peer, relayed, payload));
  }

  eventsOf<T extends TurnEvent['type']>(type: T): Extract<TurnEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<TurnEvent, { type: T }> => e.type === type);
  }

  /** Start and run until the allocation is made (or failed). */
  allocate(): void {
    this.client.start(this.now);
    this.advance(this.now + 100);
  }
}
