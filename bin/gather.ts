/** `ice-probe gather`: local candidates as they are found, like the Trickle ICE sample page. */
import { IceAgent, type LocalCandidate, type TransportAddress } from '../lib/index.js';
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { candidateFields, hostPort, priorityParts, relatedOf } from './format.js';
import { Clock, jsonLine, type Output } from './output.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';

interface StunResult {
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

export const gatherCommand: Command = {
  spec: {
    name: 'gather',
    brief: 'print local candidates as they are found (like the Trickle ICE sample page)',
    usage:
      `ice-probe gather [--stun HOST:PORT]... [--interface NAME]... [--address IP]... [--ipv6|--no-ipv6] [--include-loopback] [--timeout S] [--json] [--verbose] ${REPORT_USAGE}`,
    summary:
      'Gathers local ICE candidates and prints each as it is found (type, protocol, address:port,\n' +
      'priority, foundation, related address, ms since start). With two or more STUN servers it\n' +
      "also tells whether the NAT's mapping looks endpoint-independent.",
    options: {
      stun: { type: 'string', multiple: true, arg: 'HOST:PORT', help: 'STUN server (host:port, [v6]:port or stun: URI)' },
      interface: { type: 'string', multiple: true, arg: 'NAME', help: 'only addresses of this network interface' },
      address: { type: 'string', multiple: true, arg: 'IP', help: 'only this local address (loopback allowed when named)' },
      ipv6: { type: 'boolean', help: 'include IPv6 addresses (default)' },
      'no-ipv6': { type: 'boolean', help: 'IPv4 only' },
      'include-loopback': { type: 'boolean', help: 'also gather on loopback addresses' },
      timeout: { type: 'string', arg: 'S', help: 'give up waiting for STUN answers after S seconds (default 10)' },
      json: { type: 'boolean', help: 'print JSON lines' },
      verbose: { type: 'boolean', short: 'v', help: 'also print each STUN answer as it arrives' },
      ...REPORT_OPTIONS,
      help: HELP_OPTION,
    },
    notes:
      'No STUN server is contacted unless you name one. Exit 1 when no candidate was found, or when\n' +
      'STUN servers were named and none answered; an unreachable server next to one that answers is only reported.',
  },

  async run(args: ParsedArgs, out: Output): Promise<number> {
    args.exclusive('ipv6', 'no-ipv6');
    const stunServers = args.stunServers('stun');
    const interfaces = args.strings('interface');
    const addresses = args.ips('address');
    const timeoutMs = args.seconds('timeout', 10);
    const json = args.flag('json');
    const verbose = args.flag('verbose');
    const s = out.style;
    const clock = new Clock();

    const agent = new IceAgent({
      stunServers,
      ...(interfaces.length > 0 && { interfaces }),
      ...(addresses.length > 0 && { addresses }),
      ...(args.flag('no-ipv6') && { ipv6: false }),
      ...(args.flag('include-loopback') && { includeLoopback: true }),
    });

    const report = await startReport(args, out, 'ice-probe gather', { stunServers, interfaces, addresses, timeoutMs });
    report?.add(agent, 'local');
    const candidates: LocalCandidate[] = [];
    const results: StunResult[] = [];
    const header = ['time', 'comp', 'type', 'proto', 'address:port', 'priority', 'foundation', 'related'];
    const widths = [10, 4, 5, 5, 24, 30, 10, 0];
    const row = (cells: string[], colour: (i: number, padded: string) => string = (_i, p) => p): string =>
      cells.map((c, i) => colour(i, c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
    if (!json) out.line(s.bold(row(header)));

    agent.on('candidate', (c, sdp) => {
      candidates.push(c);
      const at = clock.ms();
      if (json) return out.line(jsonLine({ event: 'candidate', at, ...candidateFields(c), candidate: sdp }));
      const cells = [`${at.toFixed(1)} ms`, String(c.component), c.type, c.transport, hostPort(c), `${c.priority} (${priorityParts(c.priority)})`, c.foundation, relatedOf(c)];
      out.line(row(cells, (i, p) => (i !== 2 ? p : c.type === 'host' ? s.green(p) : s.cyan(p))));
    });
    agent.on('stunresult', (r) => {
      results.push(r);
      if (!verbose) return;
      const at = clock.ms();
      if (json) out.line(jsonLine({ event: 'stun', at, server: hostPort(r.server), base: hostPort(r.base), mapped: r.mapped ? hostPort(r.mapped) : null, error: r.error ?? null }));
      else out.note(`${at.toFixed(1)} ms  stun ${hostPort(r.server)} from ${hostPort(r.base)}: ${r.mapped ? `mapped ${hostPort(r.mapped)}` : r.error ?? 'no answer'}`);
    });
    agent.on('warning', (w) => (json ? out.line(jsonLine({ event: 'warning', at: clock.ms(), code: w.code, message: w.message })) : out.warn(w.message)));

    out.startStatus(() => `${clock.ms().toFixed(0)} ms  gathering: ${candidates.length} candidate${candidates.length === 1 ? '' : 's'}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      agent.gather().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
    out.stopStatus();
    const elapsed = clock.ms();
    await agent.close();
    report?.finish(candidates.length > 0, `${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, gathering ${timedOut ? `timed out after ${timeoutMs / 1000} s` : 'complete'}`);

    // Per server: what it answered (first socket's answer stands for the server in the summary).
    const servers = new Map<string, StunResult[]>();
    for (const r of results) {
      const k = hostPort(r.server);
      servers.set(k, [...(servers.get(k) ?? []), r]);
    }
    const verdict = stunServers.length >= 2 ? mappingVerdict(results) : undefined;
    const silent = stunServers.length - servers.size;
    const silentWhy = timedOut ? 'still waiting when the timeout expired' : 'not asked: no local address of its family, or its name did not resolve';

    if (json) {
      for (const [server, rs] of servers) {
        const ok = rs.filter((r) => r.mapped);
        out.line(jsonLine({ event: 'stun-server', server, reachable: ok.length > 0, mapped: [...new Set(ok.map((r) => hostPort(r.mapped!)))], errors: [...new Set(rs.flatMap((r) => (r.error ? [r.error] : [])))] }));
      }
      if (verdict) out.line(jsonLine({ event: 'mapping', verdict: verdict.verdict, detail: verdict.detail }));
      out.line(jsonLine({ event: 'done', at: elapsed, candidates: candidates.length, complete: !timedOut }));
    } else {
      out.line('');
      for (const [server, rs] of servers) {
        const ok = rs.filter((r) => r.mapped);
        if (ok.length > 0) out.line(`stun ${server}: ${s.green('answered')}, mapped ${[...new Set(ok.map((r) => hostPort(r.mapped!)))].join(', ')}`);
        else out.line(`stun ${server}: ${s.red('unreachable')} (${[...new Set(rs.map((r) => r.error ?? 'no answer'))].join(', ')})`);
      }
      if (silent > 0) out.line(`stun: ${s.yellow(`${silent} server${silent === 1 ? '' : 's'} gave no result`)} (${silentWhy})`);
      if (verdict) {
        const label = verdict.verdict === 'endpoint-independent' ? s.green('endpoint-independent') : verdict.verdict === 'endpoint-dependent' ? s.yellow('endpoint-dependent') : s.yellow('unknown');
        out.line(`NAT mapping: ${label}: ${verdict.detail}`);
      }
      const status = timedOut ? s.yellow(`timed out after ${timeoutMs / 1000} s`) : 'complete';
      out.line(`${candidates.length} candidate${candidates.length === 1 ? '' : 's'} in ${elapsed.toFixed(1)} ms, gathering ${status}`);
    }
    if (candidates.length === 0) {
      out.note(s.red('ice-probe gather: no candidates (no local address passed the filters?)'));
      return 1;
    }
    // STUN was asked for and nobody answered: the probe failed at its job, even with host candidates.
    if (stunServers.length > 0 && !results.some((r) => r.mapped)) {
      const reasons = [...servers].map(([server, rs]) => `${server}: ${[...new Set(rs.map((r) => r.error ?? 'no answer'))].join(', ')}`);
      if (silent > 0) reasons.push(`${silent} gave no result: ${silentWhy}`);
      out.note(s.red(`ice-probe gather: every STUN server failed (${reasons.join('; ')})`));
      return 1;
    }
    return 0;
  },
};
