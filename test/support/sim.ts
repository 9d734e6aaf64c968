/**
 * A deterministic network for pure agents: moves transmits between cores,
 * through optional NAT boxes, loss and a STUN server, and jumps the virtual
 * clock to the next deadline. No sockets, no sleeps.
 */
import { IceAgentCore, PACKET_DROPPED, PACKET_STUN, type HostBinding } from '../../lib/ice/agent-core.js';
import type { AgentOptions } from '../../lib/ice/config.js';
import type { AgentEvent } from '../../lib/ice/events.js';
import { addressKey } from '../../lib/ice/candidate.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { seededRandom, type RandomSource } from '../../lib/util/random.js';
import type { Nat } from './nat.js';
import { STUN_SERVER, stunServerReply } from './stun-reply.js';

export { STUN_SERVER };

export interface SimAgent {
  readonly name: string;
  readonly core: IceAgentCore;
  readonly hosts: HostBinding[];
  readonly nat: Nat | undefined;
  readonly events: { at: number; event: AgentEvent }[];
  readonly data: { at: number; component: number; data: Buffer }[];
}

/** One datagram put on the wire (before NAT translation), whether or not the drop function kept it. */
export interface WireRecord {
  readonly at: number;
  readonly agent: string;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly data: Buffer;
  readonly dropped: boolean;
}

interface InFlight {
  at: number;
  seq: number;
  to: TransportAddress;
  from: TransportAddress;
  data: Buffer;
}

export interface SimOptions {
  latencyMs?: number;
  /** Returns true to drop this datagram. */
  drop?: (from: TransportAddress, to: TransportAddress, data: Buffer, now: number) => boolean;
  seed?: number;
}


export class Sim {
  now = 0;
  readonly agents: SimAgent[] = [];
  readonly rng: RandomSource;
  private inflight: InFlight[] = [];
  private seq = 0;
  delivered = 0;
  dropped = 0;
  /** Every datagram an agent sent, in order. */
  readonly wire: WireRecord[] = [];

  constructor(readonly opts: SimOptions = {}) {
    this.rng = seededRandom(opts.seed ?? 1);
  }

  addAgent(name: string, hostIps: string[], options: Partial<AgentOptions> & { nat?: Nat; components?: number; seed?: number } = {}): SimAgent {
    const components = options.components ?? 1;
    const hosts: HostBinding[] = [];
    let port = 5000;
    hostIps.forEach((ip, rank) => {
      for (let c = 1; c <= components; c++) {
        // Socket handles: the base port, unique within the agent.
        hosts.push({ component: c, socket: port, base: { address: ip, port: port++, family: ip.includes(':') ? 6 : 4 }, interfaceRank: rank });
      }
    });
    const core = new IceAgentCore({ random: seededRandom((options.seed ?? this.agents.length + 7) * 7919), ...options, components });
    const agent: SimAgent = { name, core, hosts, nat: options.nat, events: [], data: [] };
    this.agents.push(agent);
    return agent;
  }

  gather(agent: SimAgent, servers: TransportAddress[] = []): void {
    agent.core.startGathering(this.now, agent.hosts, servers);
    this.drain();
  }

  /** Signals everything gathered so far from `a` to `b` (credentials + candidates [+ end-of-candidates]). */
  signal(from: SimAgent, to: SimAgent, opts: { endOfCandidates?: boolean; credentials?: boolean } = {}): void {
    if (opts.credentials !== false) {
      const p = from.core.localParameters;
      to.core.setRemoteCredentials(this.now, p.ufrag, p.pwd, p.lite === true);
    }
    for (const c of from.core.localCandidateList) if (c.type !== 'prflx') to.core.addRemoteCandidate(this.now, c);
    if (opts.endOfCandidates !== false) to.core.endOfRemoteCandidates(this.now);
    this.drain();
  }

  /** Moves every queued transmit onto the wire and records every event. */
  drain(): void {
    for (const a of this.agents) {
      for (let t = a.core.pollTransmit(); t; t = a.core.pollTransmit()) {
        this.send(a, baseOf(a, t.socket), t.to, t.header ? Buffer.concat([t.header, t.data]) : t.data);
      }
      for (let e = a.core.pollEvent(); e; e = a.core.pollEvent()) a.events.push({ at: this.now, event: e });
    }
  }

  sendData(agent: SimAgent, component: number, data: Buffer): boolean {
    const r = agent.core.route(component);
    if (!r) return false;
    this.send(agent, baseOf(agent, r.socket), r.to, r.header ? Buffer.concat([r.header, data]) : data);
    return true;
  }

  private send(a: SimAgent, from: TransportAddress, to: TransportAddress, data: Buffer): void {
    const dropped = this.opts.drop?.(from, to, data, this.now) ?? false;
    this.wire.push({ at: this.now, agent: a.name, from, to, data, dropped });
    if (dropped) {
      this.dropped++;
      return;
    }
    const src = a.nat ? a.nat.outbound(from, to) : from;
    this.inflight.push({ at: this.now + (this.opts.latencyMs ?? 1), seq: this.seq++, to, from: src, data });
  }

  private deliver(p: InFlight): void {
    if (p.to.address === STUN_SERVER.address && p.to.port === STUN_SERVER.port) {
      const resp = stunServerReply(p.data, p.from);
      if (resp) this.inflight.push({ at: this.now + (this.opts.latencyMs ?? 1), seq: this.seq++, to: p.from, from: STUN_SERVER, data: resp });
      return;
    }
    for (const a of this.agents) {
      let local: TransportAddress | undefined = p.to;
      if (a.nat) {
        if (p.to.address !== a.nat.publicAddress) continue;
        const inside = a.nat.inbound(p.to.port, p.from);
        local = typeof inside === 'string' ? undefined : inside;
      }
      const host = local && a.hosts.find((h) => addressKey(h.base) === addressKey(local));
      if (!host) continue;
      this.delivered++;
      const r = a.core.handlePacket(this.now, host.socket, p.from, p.data);
      if (r !== PACKET_STUN && r !== PACKET_DROPPED) a.data.push({ at: this.now, component: r, data: a.core.lastUnwrapped ?? p.data });
      return;
    }
  }

  /** Advances to the next packet or deadline; false when nothing is left to do. */
  step(limit: number): boolean {
    let next = Infinity;
    for (const p of this.inflight) next = Math.min(next, p.at);
    for (const a of this.agents) next = Math.min(next, a.core.pollTimeout() ?? Infinity);
    if (next === Infinity || next > limit) return false;
    this.now = Math.max(this.now, next);
    const due = this.inflight.filter((p) => p.at <= this.now).sort((x, y) => x.at - y.at || x.seq - y.seq);
    this.inflight = this.inflight.filter((p) => p.at > this.now);
    for (const p of due) this.deliver(p);
    for (const a of this.agents) {
      const t = a.core.pollTimeout();
      if (t !== undefined && t <= this.now) a.core.handleTimeout(this.now);
    }
    this.drain();
    return true;
  }

  /** Runs until `done()` or the virtual clock passes `untilMs`. Returns whether `done()` held. */
  run(untilMs: number, done: () => boolean = () => false): boolean {
    let steps = 0;
    while (!done()) {
      if (!this.step(untilMs) || ++steps > 2_000_000) {
        this.now = Math.max(this.now, untilMs);
        return done();
      }
    }
    return true;
  }
}

/** The address of the agent's socket `socket`. */
export function baseOf(a: SimAgent, socket: number): TransportAddress {
  const host = a.hosts.find((h) => h.socket === socket);
  if (!host) throw new Error(`${a.name} has no socket ${socket}`);
  return host.base;
}

export function states(a: SimAgent): string[] {
  return a.events.flatMap((e) => (e.event.type === 'state' ? [e.event.state] : []));
}

/** The component-state values one component went through, in order. */
export function componentStates(a: SimAgent, component: number): string[] {
  return a.events.flatMap((e) => (e.event.type === 'component-state' && e.event.component === component ? [e.event.state] : []));
}

/** The roles an agent switched to, in order. */
export function roles(a: SimAgent): string[] {
  return a.events.flatMap((e) => (e.event.type === 'role' ? [e.event.role] : []));
}

export function firstAt(a: SimAgent, state: string): number | undefined {
  return a.events.find((e) => e.event.type === 'state' && e.event.state === state)?.at;
}

/** A standard two-agent setup: A controlling, B controlled, host candidates, full signalling. */
export function connectPair(sim: Sim, aIps: string[], bIps: string[], opts: { components?: number; aNat?: Nat; bNat?: Nat; servers?: TransportAddress[] } = {}): [SimAgent, SimAgent] {
  const a = sim.addAgent('A', aIps, { role: 'controlling', components: opts.components ?? 1, ...(opts.aNat && { nat: opts.aNat }) });
  const b = sim.addAgent('B', bIps, { role: 'controlled', components: opts.components ?? 1, ...(opts.bNat && { nat: opts.bNat }) });
  sim.gather(a, opts.servers);
  sim.gather(b, opts.servers);
  return [a, b];
}

/** Signals both agents to each other, then runs until both are completed; says whether they got there. */
export function signalAndComplete(sim: Sim, a: SimAgent, b: SimAgent, untilMs = sim.now + 10_000): boolean {
  sim.signal(a, b);
  sim.signal(b, a);
  return sim.run(untilMs, () => a.core.state === 'completed' && b.core.state === 'completed');
}
