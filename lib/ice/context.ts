import { IceError } from '../util/errors.js';
import { randomBigUint64 } from '../util/random.js';
import type { LocalCandidate } from './candidate-types.js';
import { CheckTransactions } from './check-transactions.js';
import { Checklist } from './checklist.js';
import { Component, RouteEpoch } from './component.js';
import { resolveConfig, type AgentConfig, type AgentOptions, type IceRole } from './config.js';
import { Credentials } from './credentials.js';
import type { DropCounters } from './events.js';
import { Gatherer } from './gatherer.js';
import { LocalCandidates } from './local-candidates.js';
import { nominationPolicy, type NominationPolicy } from './nomination.js';
import { Outbox } from './outbox.js';
import { RemoteCandidates } from './remote-candidates.js';
import { RemoteGenerations } from './remote-generations.js';
import { SocketLayers } from './socket-layers.js';

function zeroDrops(): DropCounters {
  return {
    malformed: 0, unauthenticated: 0, notBinding: 0, unknownTransaction: 0, wrongSource: 0, unprovenData: 0,
    unsafeAddress: 0, staleCandidate: 0, overLimit: 0, afterClose: 0,
  };
}

/**
 * The state the parts of one agent share: candidates, checklist, transactions, components,
 * credentials and the outbox. Data and its plumbing only; the behaviour lives in the parts
 * (Checks, IncomingPackets, StateTracker, Component, the nomination policy).
 */
export class CoreContext {
  readonly config: AgentConfig;
  readonly tieBreaker: bigint;
  readonly out = new Outbox();
  readonly drops = zeroDrops();
  readonly credentials: Credentials;
  readonly local = new LocalCandidates();
  readonly remote: RemoteCandidates;
  readonly generations: RemoteGenerations;
  readonly checklist: Checklist;
  readonly txs: CheckTransactions;
  readonly gatherer: Gatherer;
  readonly epoch = new RouteEpoch();
  readonly components: readonly Component[];
  readonly layers = new SocketLayers();
  policy: NominationPolicy;
  /** The time of the latest input: transmits drained afterwards are wrapped as of then. */
  lastInputAt = 0;
  remoteEnded = false;
  closed = false;
  lastRemoteCandidateAt = 0;

  constructor(options: AgentOptions) {
    this.config = resolveConfig(options);
    const { random, limits, timers } = this.config;
    this.tieBreaker = this.config.tieBreaker ?? randomBigUint64(random);
    this.credentials = new Credentials(random, this.config);
    this.checklist = new Checklist(limits.maxPairs);
    this.remote = new RemoteCandidates(limits.maxRemoteCandidates);
    this.generations = new RemoteGenerations(limits.maxRemoteCandidates);
    this.txs = new CheckTransactions(this.out, random, timers.checkRetransmit);
    this.components = Array.from({ length: this.config.components }, (_, i) => new Component(i + 1, this));
    this.policy = nominationPolicy(this.config.role, { checklist: this.checklist, components: this.components, timers }, this.config.lite);
    this.gatherer = new Gatherer(this.out, random, timers.gatherRetransmit, (host, mapped, server) => {
      const srflx = this.local.addServerReflexive(host, mapped, server);
      if (srflx) this.emitCandidate(srflx);
    });
  }

  get role(): IceRole {
    return this.policy.role;
  }

  /** The component with this id; a typed error for one that does not exist. */
  component(id: number): Component {
    const c = this.components[id - 1];
    if (!c) throw new IceError('ERR_INVALID_ARGUMENT', `component ${id} is not in 1..${this.components.length}`);
    return c;
  }

  /** A local candidate to signal, with the ufrag of the generation it belongs to. */
  emitCandidate(candidate: LocalCandidate): void {
    this.out.events.push({ type: 'candidate', candidate, ufrag: this.credentials.ufrag });
  }

  /** §7.3.1.1: the role changed; pair priorities follow it and nominations under way stop. */
  switchRole(role: IceRole, reason: string): void {
    this.policy = nominationPolicy(role, { checklist: this.checklist, components: this.components, timers: this.config.timers });
    this.checklist.reprioritise(role);
    for (const p of this.checklist.all) p.nominating = false;
    this.out.events.push({ type: 'role', role, reason });
  }
}
