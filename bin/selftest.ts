/**
 * `ice-probe selftest` (what `npm start` runs): an embedded STUN server and two
 * agents on loopback, gather host + srflx, connect, one datagram each way, and
 * the timeline of it all.
 */
import { IceAgent, type IceState } from '../lib/index.js';
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { candidateFields, candidateShort, hostPort, pairText, relatedOf } from './format.js';
import { Clock, jsonLine, type Output } from './output.js';
import { startStunServer, type StunUdpServer } from './stun-udp-server.js';
import { packageVersion } from './version.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport, type RunReport } from './report-option.js';
import { TURN_OPTIONS, TURN_USAGE, turnAgentOptions } from './turn-options.js';
import { pairCounters, pairCountersText, selectedPairStats } from './stats-output.js';

/** What the parts of one selftest run share. */
interface Run {
  readonly out: Output;
  readonly clock: Clock;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly components: number;
  readonly report: RunReport | undefined;
  readonly agents: IceAgent[];
  server?: StunUdpServer;
}

/** One timeline line: text for people, or a JSON object with `event` and `at`. */
function event(r: Run, name: string, who: string, text: string, fields: Record<string, unknown>): void {
  const at = r.clock.ms();
  const s = r.out.style;
  if (r.json) r.out.line(jsonLine({ event: name, at, ...(who !== '' && { agent: who }), ...fields }));
  else r.out.line(`${s.dim(at.toFixed(1).padStart(8) + ' ms')}  ${who === '' ? '  ' : s.bold(who.padEnd(2))} ${text}`);
}

async function cleanup(r: Run): Promise<void> {
  r.out.stopStatus();
  await Promise.all(r.agents.map((a) => a.close()));
  await r.server?.close();
}

function startServer(r: Run, host: string): Promise<StunUdpServer> {
  return startStunServer({
    host,
    port: 0,
    software: `ice-probe ${packageVersion()}`,
    onRequest: (q) => r.verbose && event(r, 'stun-request', 'S', `STUN server: Binding request from ${hostPort(q.from)}, ${q.outcome}`, { from: hostPort(q.from), outcome: q.outcome }),
  });
}

/** Shows `self`'s events and hands its candidates to `other`; `received` collects the components data arrived on. */
function wire(r: Run, self: IceAgent, other: IceAgent, who: string, received: Set<number>, onData: () => void): void {
  const s = r.out.style;
  self.on('candidate', (c, sdp) => {
    const related = c.relatedAddress !== undefined ? ` raddr ${relatedOf(c)}` : '';
    event(r, 'candidate', who, `candidate ${candidateShort(c)}  comp ${c.component} prio ${c.priority}${related}`, { ...candidateFields(c), candidate: sdp });
    other.addRemoteCandidate(sdp);
  });
  self.on('endofcandidates', () => {
    event(r, 'end-of-candidates', who, 'end of candidates', {});
    other.addRemoteCandidate(null);
  });
  self.on('stunresult', (q) => {
    const what = q.mapped ? `mapped address ${hostPort(q.mapped)}` : `failed: ${q.error ?? 'no answer'}`;
    event(r, 'stun-result', who, `STUN ${hostPort(q.server)} from ${hostPort(q.base)}: ${what}`, { server: hostPort(q.server), base: hostPort(q.base), mapped: q.mapped ? hostPort(q.mapped) : null, error: q.error ?? null });
  });
  self.on('statechange', (state, previous, reason) => {
    const colour = state === 'failed' ? s.red : state === 'connected' || state === 'completed' ? s.green : s.yellow;
    event(r, 'state', who, `iceState ${previous} -> ${colour(state)} (${reason})`, { state, previous, reason });
  });
  self.on('data', (component, data, from) => {
    const text = data.toString('utf8');
    event(r, 'received', who, `received "${text}" on component ${component} from ${hostPort(from)}`, { component, data: text, from: hostPort(from) });
    received.add(component);
    onData();
  });
  self.on('warning', (w) => r.verbose && event(r, 'warning', who, s.yellow(`warning: ${w.message}`), { code: w.code, message: w.message }));
  self.on('relay', (q) => {
    const what = q.state === 'allocated' ? `relayed ${hostPort(q.relayed!)} in ${(q.allocateMs ?? 0).toFixed(1)} ms` : `${q.state}${q.reason ? `: ${q.reason}` : ''}`;
    event(r, 'turn', who, `TURN ${q.uri}: ${what}`, { uri: q.uri, state: q.state, relayed: q.relayed ? hostPort(q.relayed) : null, reason: q.reason ?? null });
  });
}

/** Each agent's selected pair per component: the pair, then (after the exchange) its counters. */
function showPairs(r: Run, names: ReadonlyMap<IceAgent, string>, what: 'selected' | 'counters'): void {
  for (const [self, who] of names) {
    for (let c = 1; c <= r.components; c++) {
      const pair = self.getSelectedPair(c);
      if (!pair) throw new Error(`agent ${who} has no selected pair on component ${c}`);
      const stats = selectedPairStats(self, c);
      if (what === 'selected') {
        event(r, 'selected', who, `selected pair (component ${c}): ${pairText(pair)}`, {
          component: c, local: hostPort(pair.local), localType: pair.local.type, remote: hostPort(pair.remote), remoteType: pair.remote.type, rttMs: pair.rttMs ?? null,
        });
      } else if (stats) {
        event(r, 'pair-stats', who, `pair counters (component ${c}): ${pairCountersText(stats)}`, { component: c, ...pairCounters(stats) });
      }
    }
  }
}

/** Connects A and B, one datagram each way per component; resolves with the time to connected. */
async function connect(r: Run, a: IceAgent, b: IceAgent, timeoutMs: number): Promise<number> {
  const names = new Map<IceAgent, string>([[a, 'A'], [b, 'B']]);
  const received = new Map<IceAgent, Set<number>>([[a, new Set()], [b, new Set()]]);
  let allReceived!: () => void;
  const exchanged = new Promise<void>((resolve) => (allReceived = resolve));
  const onData = (): void => void ([...received.values()].every((set) => set.size === r.components) && allReceived());
  wire(r, a, b, 'A', received.get(a)!, onData);
  wire(r, b, a, 'B', received.get(b)!, onData);
  r.out.startStatus(() => `${r.clock.ms().toFixed(0)} ms  A ${a.iceState}, B ${b.iceState}`);
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
  const states: IceState[] = ['connected', 'completed'];
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s (A ${a.iceState}, B ${b.iceState})`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all([a.gather(), b.gather(), a.waitFor(states), b.waitFor(states)]), deadline]);
    const connectedAt = r.clock.ms();
    showPairs(r, names, 'selected');
    for (let c = 1; c <= r.components; c++) {
      a.send(c, Buffer.from(`hello from A on component ${c}`));
      b.send(c, Buffer.from(`hello from B on component ${c}`));
    }
    await Promise.race([exchanged, deadline]);
    showPairs(r, names, 'counters');
    return connectedAt;
  } finally {
    clearTimeout(timer);
  }
}

function result(r: Run, connectedAt: number): void {
  const { out, components } = r;
  const rtts = r.agents.flatMap((x) => Array.from({ length: components }, (_, i) => x.getSelectedPair(i + 1)?.rttMs)).filter((t): t is number => t !== undefined);
  const rtt = rtts.length > 0 ? Math.max(...rtts) : undefined;
  if (r.json) out.line(jsonLine({ event: 'result', ok: true, at: r.clock.ms(), connectedAt, rttMs: rtt ?? null }));
  else out.line(out.style.green(`selftest ok: connected in ${connectedAt.toFixed(1)} ms, one datagram each way on ${components} component${components === 1 ? '' : 's'}${rtt === undefined ? '' : `, rtt ${rtt.toFixed(2)} ms`}`));
}

export const selftestCommand: Command = {
  spec: {
    name: 'selftest',
    brief: 'STUN server + two agents on loopback: gather, connect, exchange a datagram, show the timeline',
    usage: `ice-probe selftest [--address IP]... [--components N] ${TURN_USAGE} [--timeout S] [--verbose] [--json] ${REPORT_USAGE}`,
    summary:
      'Starts a STUN Binding server and two ICE agents on loopback, gathers host and server-reflexive\n' +
      'candidates, connects them, sends one datagram each way and prints the timeline. Exit 0 on success.\n' +
      'With --turn the agents also gather relay candidates (--relay-only: nothing else).',
    options: {
      address: { type: 'string', multiple: true, arg: 'IP', help: 'address the agents and the STUN server use (default 127.0.0.1)' },
      components: { type: 'string', arg: 'N', help: 'components per agent (default 1)' },
      ...TURN_OPTIONS,
      timeout: { type: 'string', arg: 'S', help: 'give up after S seconds (default 10)' },
      verbose: { type: 'boolean', short: 'v', help: 'also show STUN server requests and agent warnings' },
      json: { type: 'boolean', help: 'print JSON lines' },
      ...REPORT_OPTIONS,
      help: HELP_OPTION,
    },
  },

  async run(args: ParsedArgs, out: Output): Promise<number> {
    const addresses = args.ips('address');
    if (addresses.length === 0) addresses.push('127.0.0.1');
    const components = args.int('components', 1, 1, 16);
    const timeoutMs = args.seconds('timeout', 10);
    const turn = turnAgentOptions(args, selftestCommand.spec.usage);
    const json = args.flag('json');
    const verbose = args.flag('verbose');
    const report = await startReport(args, out, 'ice-probe selftest', { addresses, components, timeoutMs, turn: turn.iceServers !== undefined });
    const r: Run = { out, clock: new Clock(), json, verbose, components, report, agents: [] };
    try {
      r.server = await startServer(r, addresses[0]!);
      const stun = hostPort(r.server.address);
      if (!json) out.line(out.style.bold(`ice-probe ${packageVersion()} selftest: agents A (controlling) and B (controlled) on ${addresses.join(', ')}, ${components} component${components === 1 ? '' : 's'}${turn.iceTransportPolicy === 'relay' ? ', relay only' : ''}`));
      event(r, 'stun-server', 'S', `STUN server listening on ${stun}`, { address: stun });

      const options = { addresses, includeLoopback: true, components, stunServers: [stun], ...turn } as const;
      const a = new IceAgent({ ...options, role: 'controlling' });
      const b = new IceAgent({ ...options, role: 'controlled' });
      r.agents.push(a, b);
      report?.add(a, 'A');
      report?.add(b, 'B');
      const connectedAt = await connect(r, a, b, timeoutMs);
      await cleanup(r);
      report?.finish(true, `connected in ${connectedAt.toFixed(1)} ms, one datagram each way`);
      result(r, connectedAt);
      return 0;
    } catch (err) {
      await cleanup(r);
      const reason = (err as Error).message;
      report?.finish(false, reason);
      if (json) out.line(jsonLine({ event: 'result', ok: false, at: r.clock.ms(), reason }));
      else out.line(out.style.red(`selftest FAILED: ${reason}`));
      return 1;
    }
  },
};
