/**
 * The echo sessions of `ice-probe serve` on one IceServer (one process, or one cluster worker):
 * a session is a server agent that echoes every datagram back on its component, made from the
 * client's offer `{ufrag, pwd, candidates}` and answered with the server's parameters and
 * candidates. Sessions end on DELETE, on failure, or when not connected within the idle timeout.
 */
import { formatCandidate, type IceAgent } from '../lib/index.js';
import type { IceServer } from '../lib/server/index.js';

/** What a client posts (the body of POST /session). */
export interface SessionOffer {
  readonly ufrag: string;
  readonly pwd: string;
  readonly candidates: readonly string[];
  readonly lite?: boolean;
  readonly components?: number;
}

/** What the server answers. `session` names it for DELETE (its first ufrag: the worker is in it). */
export interface SessionAnswer {
  readonly ufrag: string;
  readonly pwd: string;
  readonly lite: boolean;
  readonly components: number;
  readonly candidates: readonly string[];
  readonly session: string;
}

/** Counters of one process, summed over workers by the primary. */
export interface ServeCounters {
  sessions: number;
  opened: number;
  closed: number;
  connected: number;
  failed: number;
  timedOut: number;
  echoed: number;
  echoedBytes: number;
  received: number;
  sent: number;
  unknownUfrag: number;
  unknownAddress: number;
  silenced: number;
}

export type SessionEvent =
  | { readonly event: 'session'; readonly session: string; readonly client: string }
  | { readonly event: 'connected'; readonly session: string; readonly remote: string }
  | { readonly event: 'closed'; readonly session: string; readonly why: string }
  /** A check for a ufrag no session has (rate-limited by the server): dropped silently. */
  | { readonly event: 'unknown-ufrag'; readonly ufrag: string; readonly from: string };

/** Datagrams kept per session until its pair is nominated. */
const MAX_EARLY = 4;

export class EchoSessions {
  private readonly sessions = new Map<string, IceAgent>();
  private readonly c = { opened: 0, closed: 0, connected: 0, failed: 0, timedOut: 0, echoed: 0, echoedBytes: 0 };

  constructor(
    private readonly server: IceServer,
    private readonly idleTimeoutMs: number,
    private readonly onEvent: (e: SessionEvent) => void,
  ) {}

  /** A new echo agent for `offer`; throws (IceError) on an offer the agent refuses. */
  async create(offer: SessionOffer): Promise<SessionAnswer> {
    const components = offer.components ?? 1;
    const agent = this.server.createAgent({ components });
    const id = agent.localParameters.ufrag;
    try {
      agent.setRemoteParameters({ ufrag: offer.ufrag, pwd: offer.pwd, lite: offer.lite === true });
      for (const line of offer.candidates) agent.addRemoteCandidate(line);
      agent.addRemoteCandidate(null);
    } catch (err) {
      await agent.close();
      throw err;
    }
    this.sessions.set(id, agent);
    this.c.opened++;
    this.watch(id, agent);
    await agent.gather();
    this.onEvent({ event: 'session', session: id, client: offer.ufrag });
    return {
      ...agent.localParameters, lite: agent.localParameters.lite === true, components,
      candidates: agent.localCandidates.map((c) => formatCandidate(c)), session: id,
    };
  }

  /** Ends session `id`; false if there is none. */
  async close(id: string, why = 'closed by the client'): Promise<boolean> {
    const agent = this.sessions.get(id);
    if (!agent) return false;
    this.sessions.delete(id);
    this.c.closed++;
    await agent.close();
    this.onEvent({ event: 'closed', session: id, why });
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, 'server stopping')));
  }

  counters(): ServeCounters {
    const s = this.server.stats();
    const socket = (k: 'received' | 'sent' | 'silenced'): number => s.sockets.reduce((sum, x) => sum + x[k], 0);
    return {
      sessions: this.sessions.size, ...this.c,
      received: socket('received'), sent: socket('sent'), silenced: socket('silenced'),
      unknownUfrag: s.router.counters.drops['unknown-ufrag'], unknownAddress: s.router.counters.drops['unknown-address'],
    };
  }

  private watch(id: string, agent: IceAgent): void {
    const idle = setTimeout(() => {
      if (agent.iceState === 'connected' || agent.iceState === 'completed') return;
      this.c.timedOut++;
      void this.close(id, `not connected within ${this.idleTimeoutMs / 1000} s`);
    }, this.idleTimeoutMs);
    idle.unref();
    // Data from a proven source can come before the client's nomination, and an ICE-lite agent
    // sends nothing before it (RFC 8445 §12.1.1): the first few wait for the selected pair.
    const early: [number, Buffer][] = [];
    const echo = (component: number, data: Buffer): void => {
      this.c.echoed++;
      this.c.echoedBytes += data.length;
      agent.send(component, data);
    };
    agent.on('data', (component, data) => {
      if (agent.getSelectedPair(component) !== undefined) echo(component, data);
      else if (early.length < MAX_EARLY) early.push([component, Buffer.from(data)]);
    });
    agent.on('selectedpairchange', (component) => {
      for (const [c, data] of early.filter(([c]) => c === component)) echo(c, data);
      for (let i = early.length - 1; i >= 0; i--) if (early[i]![0] === component) early.splice(i, 1);
    });
    agent.on('statechange', (state, previous, reason) => {
      if ((state === 'connected' || state === 'completed') && previous !== 'connected' && previous !== 'completed') {
        this.c.connected++;
        const p = agent.getSelectedPair(1);
        this.onEvent({ event: 'connected', session: id, remote: p ? `${p.remote.address}:${p.remote.port}` : '' });
      }
      if (state === 'failed') {
        this.c.failed++;
        void this.close(id, `ICE failed: ${reason}`);
      }
      if (state === 'closed') clearTimeout(idle);
    });
    agent.on('warning', () => undefined);
  }
}
