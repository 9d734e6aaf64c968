/**
 * A deterministic network for pure agents with TURN: cores with a RelayLayer, NAT boxes, and
 * in-memory TURN servers (test/turn/support/turn-server-double.ts). It plays the driver too: it
 * opens the client sockets the layers ask for, and fills in each ChannelData LENGTH on the data
 * path. Time jumps to the next deadline or delivery. No sockets, no sleeps.
 */
import { IceAgentCore, PACKET_DROPPED, PACKET_STUN, type HostBinding } from '../../../lib/ice/agent-core.js';
import { addressKey } from '../../../lib/ice/candidate.js';
import type { AgentOptions } from '../../../lib/ice/config.js';
import type { AgentEvent } from '../../../lib/ice/events.js';
import type { SocketId } from '../../../lib/ice/transport.js';
import { RelayLayer } from '../../../lib/relay/relay-layer.js';
import type { RelayCommand, RelayEvent, RelayLayerOptions, RelayServer } from '../../../lib/relay/types.js';
import type { TransportAddress } from '../../../lib/stun/types.js';
import { seededRandom } from '../../../lib/util/random.js';
import type { Nat } from '../../support/nat.js';
import { TurnServerDouble, type DoubleOptions } from '../../turn/support/turn-server-double.js';

export const TURN: TransportAddress = { address: '198.18.0.10', port: 3478, family: 4 };
export const RELAY_IP = '198.18.0.11';

export interface WorldAgent {
  readonly name: string;
  readonly core: IceAgentCore;
  readonly relay: RelayLayer | undefined;
  readonly hosts: HostBinding[];
  readonly ip: string;
  readonly nat: Nat | undefined;
  /** Every socket the agent has: host sockets and the client sockets its layer asked for. */
  readonly sockets: Map<SocketId, TransportAddress>;
  readonly events: AgentEvent[];
  readonly relayEvents: RelayEvent[];
  readonly commands: RelayCommand[];
  readonly data: { at: number; component: number; data: Buffer; from: TransportAddress }[];
}

export interface AgentSpec extends Partial<AgentOptions> {
  readonly ip: string;
  readonly nat?: Nat;
  /** Host candidates (false: relay only, no host sockets). Default true. */
  readonly hosts?: boolean;
  readonly relay?: Partial<RelayLayerOptions> & { readonly servers: readonly RelayServer[] };
  /** The driver fails to open these client sockets (by order of request, 0-based). */
  readonly failSockets?: readonly number[];
}

interface InFlight { at: number; seq: number; from: TransportAddress; to: TransportAddress; data: Buffer }

/** A TURN server entry for the world's double. */
export function turnServer(o: Partial<RelayServer> = {}): RelayServer {
  return { uri: 'turn:198.18.0.10', address: TURN, transport: 'udp', hostname: TURN.address, username: 'alice', password: 'alicepass', ...o };
}

export class RelayWorld {
  now = 0;
  readonly agents: WorldAgent[] = [];
  readonly servers: TurnServerDouble[] = [];
  private inflight: InFlight[] = [];
  private seq = 0;
  private nextPort = 6000;
  private opened = new Map<WorldAgent, number>();
  /** Return true to lose the datagram. */
  drop: ((from: TransportAddress, to: TransportAddress, data: Buffer) => boolean) | undefined;
  /** Datagrams sent to TURN server addresses by each agent (after NAT), for assertions. */
  readonly toServer: { agent: string; data: Buffer }[] = [];

  constructor(readonly latencyMs = 5) {}

  addServer(o: Partial<DoubleOptions> = {}): TurnServerDouble {
    const s = new TurnServerDouble({ address: TURN, relayIp: RELAY_IP, realm: 'world.test', users: { alice: 'alicepass' }, ...o });
    this.servers.push(s);
    return s;
  }

  addAgent(name: string, spec: AgentSpec): WorldAgent {
    const components = spec.components ?? 1;
    const hosts: HostBinding[] = [];
    const sockets = new Map<SocketId, TransportAddress>();
    if (spec.hosts !== false) {
      for (let c = 1; c <= components; c++) {
        const base: TransportAddress = { address: spec.ip, port: 5000 + c, family: 4 };
        hosts.push({ component: c, socket: c, base, interfaceRank: 0 });
        sockets.set(c, base);
      }
    }
    const core = new IceAgentCore({ random: seededRandom(this.agents.length * 7919 + 13), ...spec, components });
    const relay = spec.relay && core.attachLayer((parts) => new RelayLayer(parts, { policy: 'all', ...spec.relay! }));
    const agent: WorldAgent = { name, core, relay, hosts, ip: spec.ip, nat: spec.nat, sockets, events: [], relayEvents: [], commands: [], data: [] };
    this.agents.push(agent);
    if (spec.failSockets) this.failing.set(agent, new Set(spec.failSockets));
    return agent;
  }

  private readonly failing = new Map<WorldAgent, Set<number>>();

  /** Relay first (it holds gathering open), then the host candidates. */
  gather(a: WorldAgent): void {
    a.relay?.start(this.now);
    a.core.startGathering(this.now, a.hosts, []);
    this.drain();
  }

  /** Credentials and every candidate gathered so far, from one agent to the other. */
  signal(from: WorldAgent, to: WorldAgent, endOfCandidates = true): void {
    const p = from.core.localParameters;
    to.core.setRemoteCredentials(this.now, p.ufrag, p.pwd);
    for (const c of from.core.localCandidateList) if (c.type !== 'prflx') to.core.addRemoteCandidate(this.now, c);
    if (endOfCandidates) to.core.endOfRemoteCandidates(this.now);
    this.drain();
  }

  /** Trickle: each candidate as it is emitted, end-of-candidates with gathering complete. */
  trickle(a: WorldAgent, b: WorldAgent): void {
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const p = x.core.localParameters;
      y.core.setRemoteCredentials(this.now, p.ufrag, p.pwd);
    }
    this.trickling.push([a, b], [b, a]);
    for (const [x, y] of this.trickling) for (const e of x.events) this.forward(e, y);
    this.drain();
  }

  private readonly trickling: [WorldAgent, WorldAgent][] = [];

  private forward(e: AgentEvent, to: WorldAgent): void {
    if (e.type === 'candidate') to.core.addRemoteCandidate(this.now, e.candidate);
    if (e.type === 'gathering' && e.state === 'complete') to.core.endOfRemoteCandidates(this.now);
  }

  /** Everything queued: transmits onto the wire, events recorded, socket commands carried out. */
  drain(): void {
    for (let again = true; again; ) {
      again = false;
      for (const a of this.agents) {
        for (let t = a.core.pollTransmit(); t; t = a.core.pollTransmit()) this.send(a, t.socket, t.to, t.header ? Buffer.concat([t.header, t.data]) : t.data);
        for (let e = a.core.pollEvent(); e; e = a.core.pollEvent()) {
          a.events.push(e);
          for (const [x, y] of this.trickling) if (x === a) this.forward(e, y);
        }
        for (let e = a.relay?.pollEvent(); e; e = a.relay!.pollEvent()) a.relayEvents.push(e);
        for (let c = a.relay?.pollCommand(); c; c = a.relay!.pollCommand()) {
          a.commands.push(c);
          this.command(a, c);
          again = true;
        }
      }
    }
  }

  private command(a: WorldAgent, c: RelayCommand): void {
    if (c.kind === 'close') return void a.sockets.delete(c.socket);
    const n = this.opened.get(a) ?? 0;
    this.opened.set(a, n + 1);
    if (this.failing.get(a)?.has(n)) return a.relay!.socketFailed(this.now, c.socket, 'connection refused (test)');
    const local: TransportAddress = { address: a.ip, port: this.nextPort++, family: 4 };
    a.sockets.set(c.socket, local);
    a.relay!.socketOpened(this.now, c.socket, local);
  }

  /** One datagram from `socket` of `a` (its address, then its NAT). */
  send(a: WorldAgent, socket: SocketId, to: TransportAddress, data: Buffer): void {
    const local = a.sockets.get(socket);
    if (!local) throw new Error(`${a.name} has no socket ${socket}`);
    if (this.drop?.(local, to, data)) return;
    const from = a.nat ? a.nat.outbound(local, to) : local;
    if (this.servers.some((s) => addressKey(s.address) === addressKey(to))) this.toServer.push({ agent: a.name, data });
    this.inflight.push({ at: this.now + this.latencyMs, seq: this.seq++, from, to, data });
  }

  /** The application sends on the component's route, as a driver does (ChannelData LENGTH filled in). */
  sendData(a: WorldAgent, component: number, data: Buffer): boolean {
    const r = a.core.route(component);
    if (!r) return false;
    if (r.wrapped) {
      a.core.sendData(this.now, component, data);
      this.drain();
      return true;
    }
    let header = r.header;
    if (header) {
      header = Buffer.from(header);
      header.writeUInt16BE(data.length, 2);
    }
    this.send(a, r.socket, r.to, header ? Buffer.concat([header, data]) : data);
    return true;
  }

  private deliver(p: InFlight): void {
    const server = this.servers.find((s) => addressKey(s.address) === addressKey(p.to));
    if (server) return void server.receive(this.now, p.from, p.data);
    if (p.to.address === RELAY_IP) {
      for (const s of this.servers) s.receiveFromPeer(this.now, p.from, p.to, p.data);
      return;
    }
    for (const a of this.agents) {
      let local: TransportAddress | undefined = p.to;
      if (a.nat) {
        if (p.to.address !== a.nat.publicAddress) continue;
        const inside = a.nat.inbound(p.to.port, p.from);
        local = typeof inside === 'string' ? undefined : inside;
      } else if (p.to.address !== a.ip) continue;
      const socket = local && [...a.sockets].find(([, l]) => addressKey(l) === addressKey(local!))?.[0];
      if (socket === undefined) return;
      const r = a.core.handlePacket(this.now, socket, p.from, p.data);
      if (r !== PACKET_STUN && r !== PACKET_DROPPED) {
        const from = a.core.lastUnwrapped !== undefined && a.relay?.lastUnwrapped ? a.relay.lastUnwrapped.peer : p.from;
        a.data.push({ at: this.now, component: r, data: Buffer.from(a.core.lastUnwrapped ?? p.data), from });
      }
      return;
    }
  }

  private pollServers(): void {
    for (const s of this.servers) {
      for (let p = s.poll(); p; p = s.poll()) {
        if (this.drop?.(p.from, p.to, p.data)) continue;
        this.inflight.push({ at: this.now + this.latencyMs, seq: this.seq++, from: p.from, to: p.to, data: p.data });
      }
    }
  }

  /** Advances to the next delivery or deadline; false when nothing is due before `limit`. */
  step(limit: number): boolean {
    this.pollServers();
    let next = Infinity;
    for (const p of this.inflight) next = Math.min(next, p.at);
    for (const a of this.agents) next = Math.min(next, a.core.pollTimeout() ?? Infinity);
    if (next === Infinity || next > limit) return false;
    this.now = Math.max(this.now, next);
    const due = this.inflight.filter((p) => p.at <= this.now).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.inflight = this.inflight.filter((p) => p.at > this.now);
    for (const p of due) {
      this.deliver(p);
      this.drain();
      this.pollServers();
    }
    for (const a of this.agents) {
      const t = a.core.pollTimeout();
      if (t !== undefined && t <= this.now) a.core.handleTimeout(this.now);
    }
    this.drain();
    this.pollServers();
    return true;
  }

  run(untilMs: number, done: () => boolean = () => false): boolean {
    let steps = 0;
    while (!done()) {
      if (!this.step(untilMs) || ++steps > 3_000_000) {
        this.now = Math.max(this.now, untilMs);
        return done();
      }
    }
    return true;
  }

  connected(...agents: WorldAgent[]): boolean {
    return agents.every((a) => a.core.state === 'connected' || a.core.state === 'completed');
  }
}

export function candidatesOf(a: WorldAgent): { type: string; address: string; port: number; relatedAddress?: string }[] {
  return a.events.flatMap((e) => (e.type === 'candidate' ? [e.candidate] : []));
}
