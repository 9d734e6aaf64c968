/** What `ice-probe gather` prints: candidates as they come, STUN answers, and the summary at the end. */
import type { IceAgent, LocalCandidate, TransportAddress } from '../lib/index.js';
import { candidateFields, hostPort, priorityParts, relatedOf } from './format.js';
import { Clock, jsonLine, type Output } from './output.js';

export interface StunResult {
  readonly server: TransportAddress;
  readonly base: TransportAddress;
  readonly mapped?: TransportAddress;
  readonly error?: string;
}

export type MappingVerdict = 'endpoint-independent' | 'endpoint-dependent' | 'unknown';

/**
 * Endpoint-independent mapping (RFC 4787 §4.1) looks like the same mapped
 * address from every server for a given base. Needs two servers answering.
 */
export function mappingVerdict(results: readonly StunResult[]): { verdict: MappingVerdict; detail: string } {
  const byBase = new Map<string, Map<string, string>>(); // base -> server -> mapped
  for (const r of results) {
    if (!r.mapped) continue;
    const key = hostPort(r.base);
    const m = byBase.get(key) ?? new Map<string, string>();
    m.set(hostPort(r.server), hostPort(r.mapped));
    byBase.set(key, m);
  }
  const compared = [...byBase.entries()].filter(([, m]) => m.size >= 2);
  if (compared.length === 0) return { verdict: 'unknown', detail: 'needs answers from two or more STUN servers for the same socket' };
  const differing = compared.filter(([, m]) => new Set(m.values()).size > 1);
  if (differing.length === 0) {
    return { verdict: 'endpoint-independent', detail: `same mapped address from every server (${compared.length} socket${compared.length === 1 ? '' : 's'} compared)` };
  }
  const [base, m] = differing[0]!;
  const seen = [...m.entries()].map(([srv, mapped]) => `${srv} saw ${mapped}`).join(', ');
  return { verdict: 'endpoint-dependent', detail: `mapped address depends on the server: from ${base}, ${seen}` };
}

const HEADER = ['time', 'comp', 'type', 'proto', 'address:port', 'priority', 'foundation', 'related'];
const WIDTHS = [10, 4, 5, 5, 24, 30, 10, 0];

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The live part (rows as candidates and answers come) and the summary of one gather run. */
export class GatherView {
  readonly clock = new Clock();
  readonly candidates: LocalCandidate[] = [];
  readonly results: StunResult[] = [];

  constructor(private readonly out: Output, private readonly json: boolean, private readonly verbose: boolean) {}

  private row(cells: string[], colour: (i: number, padded: string) => string = (_i, p) => p): string {
    return cells.map((c, i) => colour(i, c.padEnd(WIDTHS[i] ?? 0))).join('  ').trimEnd();
  }

  attach(agent: IceAgent): void {
    const { out, json } = this;
    const s = out.style;
    if (!json) out.line(s.bold(this.row(HEADER)));
    agent.on('candidate', (c, sdp) => {
      this.candidates.push(c);
      const at = this.clock.ms();
      if (json) return out.line(jsonLine({ event: 'candidate', at, ...candidateFields(c), candidate: sdp }));
      const cells = [`${at.toFixed(1)} ms`, String(c.component), c.type, c.transport, hostPort(c), `${c.priority} (${priorityParts(c.priority)})`, c.foundation, relatedOf(c)];
      out.line(this.row(cells, (i, p) => (i !== 2 ? p : c.type === 'host' ? s.green(p) : s.cyan(p))));
    });
    agent.on('stunresult', (r) => {
      this.results.push(r);
      if (!this.verbose) return;
      const at = this.clock.ms();
      if (json) out.line(jsonLine({ event: 'stun', at, server: hostPort(r.server), base: hostPort(r.base), mapped: r.mapped ? hostPort(r.mapped) : null, error: r.error ?? null }));
      else out.note(`${at.toFixed(1)} ms  stun ${hostPort(r.server)} from ${hostPort(r.base)}: ${r.mapped ? `mapped ${hostPort(r.mapped)}` : r.error ?? 'no answer'}`);
    });
    agent.on('warning', (w) => (json ? out.line(jsonLine({ event: 'warning', at: this.clock.ms(), code: w.code, message: w.message })) : out.warn(w.message)));
    out.startStatus(() => `${this.clock.ms().toFixed(0)} ms  gathering: ${plural(this.candidates.length, 'candidate')}`);
  }

  /** Per STUN server what it answered, the NAT mapping verdict, and the last line. */
  summary(stunCount: number, timedOut: boolean, timeoutMs: number, elapsed: number): void {
    const { out, json } = this;
    const s = out.style;
    const servers = this.byServer();
    const verdict = stunCount >= 2 ? mappingVerdict(this.results) : undefined;
    const silent = stunCount - servers.size;
    if (json) {
      for (const [server, rs] of servers) {
        const ok = rs.filter((r) => r.mapped);
        out.line(jsonLine({ event: 'stun-server', server, reachable: ok.length > 0, mapped: [...new Set(ok.map((r) => hostPort(r.mapped!)))], errors: [...new Set(rs.flatMap((r) => (r.error ? [r.error] : [])))] }));
      }
      if (verdict) out.line(jsonLine({ event: 'mapping', verdict: verdict.verdict, detail: verdict.detail }));
      return out.line(jsonLine({ event: 'done', at: elapsed, candidates: this.candidates.length, complete: !timedOut }));
    }
    out.line('');
    for (const [server, rs] of servers) {
      const ok = rs.filter((r) => r.mapped);
      if (ok.length > 0) out.line(`stun ${server}: ${s.green('answered')}, mapped ${[...new Set(ok.map((r) => hostPort(r.mapped!)))].join(', ')}`);
      else out.line(`stun ${server}: ${s.red('unreachable')} (${[...new Set(rs.map((r) => r.error ?? 'no answer'))].join(', ')})`);
    }
    if (silent > 0) out.line(`stun: ${s.yellow(`${plural(silent, 'server')} gave no result`)} (${this.silentWhy(timedOut)})`);
    if (verdict) {
      const label = verdict.verdict === 'endpoint-independent' ? s.green('endpoint-independent') : s.yellow(verdict.verdict);
      out.line(`NAT mapping: ${label}: ${verdict.detail}`);
    }
    const status = timedOut ? s.yellow(`timed out after ${timeoutMs / 1000} s`) : 'complete';
    out.line(`${plural(this.candidates.length, 'candidate')} in ${elapsed.toFixed(1)} ms, gathering ${status}`);
  }

  /** Why the probe failed at its job (exit 1), or undefined. */
  failure(stunCount: number, timedOut: boolean): string | undefined {
    if (this.candidates.length === 0) return 'no candidates (no local address passed the filters?)';
    // STUN was asked for and nobody answered: the probe failed at its job, even with host candidates.
    if (stunCount === 0 || this.results.some((r) => r.mapped)) return undefined;
    const servers = this.byServer();
    const reasons = [...servers].map(([server, rs]) => `${server}: ${[...new Set(rs.map((r) => r.error ?? 'no answer'))].join(', ')}`);
    const silent = stunCount - servers.size;
    if (silent > 0) reasons.push(`${silent} gave no result: ${this.silentWhy(timedOut)}`);
    return `every STUN server failed (${reasons.join('; ')})`;
  }

  private byServer(): Map<string, StunResult[]> {
    const servers = new Map<string, StunResult[]>();
    for (const r of this.results) servers.set(hostPort(r.server), [...(servers.get(hostPort(r.server)) ?? []), r]);
    return servers;
  }

  private silentWhy(timedOut: boolean): string {
    return timedOut ? 'still waiting when the timeout expired' : 'not asked: no local address of its family, or its name did not resolve';
  }
}
