import type { AgentEvent } from '../ice/events.js';
import type { PairInfo } from '../ice/pair.js';
import type { PeerAddress } from '../mux/index.js';

/** What the keeper may do to the router's entries of its agent. */
export interface AddressOwner {
  /** The addresses the router routes to this agent now. */
  addresses(): PeerAddress[];
  forget(address: PeerAddress): void;
  /** The agent's pairs now (read only on a pair failure). */
  pairs(): readonly PairInfo[];
}

const same = (a: PeerAddress | undefined, b: PeerAddress): boolean => a !== undefined && a.port === b.port && a.address === b.address;
const peer = (p: PairInfo): PeerAddress => ({ address: p.remote.address, port: p.remote.port });

/**
 * When a shared port stops routing an address to an agent, from the agent's own events (the
 * router only ever learns addresses from authenticated traffic; this decides when they go):
 *  - pair failure: its remote, unless a component's route or another live pair still uses it;
 *  - consent loss or failure (`failed`): every address (requests that come back are routed by
 *    ufrag and register their source again);
 *  - ICE restart (RFC 8445 §9): every address but the components' routes, which carry data until
 *    the new generation selects a pair; then the old route goes too unless the new generation
 *    authenticated it again.
 */
export class AddressKeeper {
  // Both are made on first use, at their exact size (an array grown from [] reserves 17 slots):
  // a server holds thousands of keepers.
  /** The remote of each component's selected pair (index = component). */
  private routes: (PeerAddress | undefined)[] | undefined;
  /** After a restart: the previous generation's routes, until each component selects again. */
  private retiring: (PeerAddress | undefined)[] | undefined;

  constructor(private readonly owner: AddressOwner) {}

  /** The agent authenticated `from`: an old route proved itself in the new generation and stays. */
  authenticated(from: PeerAddress): void {
    const r = this.retiring;
    if (r !== undefined) for (let c = 0; c < r.length; c++) if (same(r[c], from)) r[c] = undefined;
  }

  observe(e: AgentEvent): void {
    switch (e.type) {
      case 'selected-pair': return this.selected(e.component, peer(e.pair));
      case 'restart': return this.restarted();
      case 'state': if (e.state === 'failed') this.forgetAll(); return;
      case 'pair': if (e.pair.state === 'failed') this.pairFailed(e.pair); return;
      default: return;
    }
  }

  private selected(component: number, remote: PeerAddress): void {
    const old = this.retiring?.[component];
    if (old !== undefined) this.retiring![component] = undefined;
    const routes = (this.routes ??= new Array<PeerAddress | undefined>(component + 1).fill(undefined));
    routes[component] = remote;
    if (old !== undefined && !same(old, remote) && !this.isRoute(old)) this.owner.forget(old);
  }

  private restarted(): void {
    if (this.routes !== undefined) this.retiring = [...this.routes];
    for (const a of this.owner.addresses()) if (!this.isRoute(a)) this.owner.forget(a);
  }

  private pairFailed(pair: PairInfo): void {
    const remote = peer(pair);
    if (this.isRoute(remote)) return;
    const live = this.owner.pairs().some((p) => p.state !== 'failed' && same(remote, peer(p)));
    if (!live) this.owner.forget(remote);
  }

  private forgetAll(): void {
    for (const a of this.owner.addresses()) this.owner.forget(a);
    this.routes = undefined;
    this.retiring = undefined;
  }

  private isRoute(a: PeerAddress): boolean {
    return this.routes !== undefined && this.routes.some((r) => same(r, a));
  }
}
