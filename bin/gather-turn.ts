/**
 * `ice-probe gather --turn …` as a TURN server test, like the "Trickle ICE" page: per allocation
 * the relayed and mapped addresses, the granted lifetime and the time to allocate, or why it failed.
 */
import type { IceAgent, RelayInfo } from '../lib/index.js';
import { hostPort } from './format.js';
import { jsonLine, type Clock, type Output } from './output.js';

const key = (r: RelayInfo): string => `${r.uri}#${r.component}`;

function failureText(r: RelayInfo): string {
  return `${r.reason ?? 'failed'}${r.code !== undefined ? ` (${r.code})` : ''}${r.detail ? `: ${r.detail}` : ''}`;
}

export class TurnReport {
  /** The latest word on each allocation (by URI and component). */
  private readonly relays = new Map<string, RelayInfo>();

  constructor(private readonly out: Output, private readonly json: boolean, private readonly clock: Clock) {}

  attach(agent: IceAgent): void {
    agent.on('relay', (r) => {
      this.relays.set(key(r), r);
      this.line(r);
    });
  }

  private line(r: RelayInfo): void {
    const s = this.out.style;
    const at = this.clock.ms();
    if (this.json) {
      const addr = (a: RelayInfo['relayed']): string | null => (a ? hostPort(a) : null);
      return this.out.line(jsonLine({
        event: 'turn', at, uri: r.uri, transport: r.transport, component: r.component, state: r.state, relayed: addr(r.relayed),
        mapped: addr(r.mapped), lifetimeS: r.lifetimeS ?? null, allocateMs: r.allocateMs ?? null, reason: r.reason ?? null,
        code: r.code ?? null, detail: r.detail ?? null, sockets: r.sockets,
      }));
    }
    const who = `turn ${r.uri} (${r.transport}, component ${r.component})`;
    if (r.state === 'allocated') {
      const took = r.allocateMs === undefined ? '' : ` in ${r.allocateMs.toFixed(1)} ms`;
      const retried = r.sockets > 1 ? `, ${r.sockets} sockets` : '';
      this.out.line(`${who}: ${s.green('allocated')}${took}: relayed ${hostPort(r.relayed!)}, mapped ${r.mapped ? hostPort(r.mapped) : '-'}, lifetime ${r.lifetimeS} s${retried}`);
    } else if (r.state === 'failed') {
      this.out.line(`${who}: ${s.red('FAILED')} ${failureText(r)}`);
    }
  }

  /** What the agent still reports as pending when gathering stopped (no answer within the timeout). */
  finish(agent: IceAgent, timeoutMs: number): void {
    for (const r of agent.relays) {
      if (this.relays.has(key(r))) continue;
      const pending: RelayInfo = { ...r, state: 'failed', reason: 'timeout', detail: `no answer within ${timeoutMs / 1000} s` };
      this.relays.set(key(r), pending);
      this.line(pending);
    }
  }

  /** Why the TURN test failed (every allocation must succeed), or undefined. */
  failure(): string | undefined {
    const bad = [...this.relays.values()].filter((r) => r.state !== 'allocated');
    if (this.relays.size === 0) return 'no TURN allocation was attempted (no server resolved)';
    return bad.length === 0 ? undefined : bad.map((r) => `${r.uri}: ${failureText(r)}`).join('; ');
  }
}
