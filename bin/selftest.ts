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
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';

export const selftestCommand: Command = {
  spec: {
    name: 'selftest',
    brief: 'STUN server + two agents on loopback: gather, connect, exchange a datagram, show the timeline',
    usage: `ice-probe selftest [--address IP]... [--components N] [--timeout S] [--verbose] [--json] ${REPORT_USAGE}`,
    summary:
      'Starts a STUN Binding server and two ICE agents on loopback, gathers host and server-reflexive\n' +
      'candidates, connects them, sends one datagram each way and prints the timeline. Exit 0 on success.',
    options: {
      address: { type: 'string', multiple: true, arg: 'IP', help: 'address the agents and the STUN server use (default 127.0.0.1)' },
      components: { type: 'string', arg: 'N', help: 'components per agent (default 1)' },
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
    const json = args.flag('json');
    const verbose = args.flag('verbose');
    const s = out.style;
    const clock = new Clock();
    const report = startReport(args, out, 'ice-probe selftest', { addresses, components, timeoutMs });

    const event = (name: string, who: string, text: string, fields: Record<string, unknown>): void => {
      const at = clock.ms();
      if (json) out.line(jsonLine({ event: name, at, ...(who !== '' && { agent: who }), ...fields }));
      else out.line(`${s.dim(at.toFixed(1).padStart(8) + ' ms')}  ${who === '' ? '  ' : s.bold(who.padEnd(2))} ${text}`);
    };
    const agents: IceAgent[] = [];
    let server: StunUdpServer | undefined;
    const cleanup = async (): Promise<void> => {
      out.stopStatus();
      await Promise.all(agents.map((a) => a.close()));
      await server?.close();
    };

    try {
      const host = addresses[0]!;
      server = await startStunServer({
        host,
        port: 0,
        software: `ice-probe ${packageVersion()}`,
        onRequest: (r) => verbose && event('stun-request', 'S', `STUN server: Binding request from ${hostPort(r.from)}, ${r.outcome}`, { from: hostPort(r.from), outcome: r.outcome }),
      });
      const stun = hostPort(server.address);
      if (!json) out.line(s.bold(`ice-probe ${packageVersion()} selftest: agents A (controlling) and B (controlled) on ${addresses.join(', ')}, ${components} component${components === 1 ? '' : 's'}`));
      event('stun-server', 'S', `STUN server listening on ${stun}`, { address: stun });

      const options = { addresses, includeLoopback: true, components, stunServers: [stun] } as const;
      const a = new IceAgent({ ...options, role: 'controlling' });
      const b = new IceAgent({ ...options, role: 'controlled' });
      agents.push(a, b);
      report?.add(a, 'A');
      report?.add(b, 'B');
      const names = new Map<IceAgent, string>([[a, 'A'], [b, 'B']]);
      const received = new Map<IceAgent, Set<number>>([[a, new Set()], [b, new Set()]]);
      let allReceived!: () => void;
      const exchanged = new Promise<void>((resolve) => (allReceived = resolve));

      const wire = (self: IceAgent, other: IceAgent): void => {
        const who = names.get(self)!;
        self.on('candidate', (c, sdp) => {
          const related = c.relatedAddress !== undefined ? ` raddr ${relatedOf(c)}` : '';
          event('candidate', who, `candidate ${candidateShort(c)}  comp ${c.component} prio ${c.priority}${related}`, { ...candidateFields(c), candidate: sdp });
          other.addRemoteCandidate(sdp);
        });
        self.on('endofcandidates', () => {
          event('end-of-candidates', who, 'end of candidates', {});
          other.addRemoteCandidate(null);
        });
        self.on('stunresult', (r) => {
          const what = r.mapped ? `mapped address ${hostPort(r.mapped)}` : `failed: ${r.error ?? 'no answer'}`;
          event('stun-result', who, `STUN ${hostPort(r.server)} from ${hostPort(r.base)}: ${what}`, { server: hostPort(r.server), base: hostPort(r.base), mapped: r.mapped ? hostPort(r.mapped) : null, error: r.error ?? null });
        });
        self.on('statechange', (state, previous, reason) => {
          const colour = state === 'failed' ? s.red : state === 'connected' || state === 'completed' ? s.green : s.yellow;
          event('state', who, `iceState ${previous} -> ${colour(state)} (${reason})`, { state, previous, reason });
        });
        self.on('data', (component, data, from) => {
          const text = data.toString('utf8');
          event('received', who, `received "${text}" on component ${component} from ${hostPort(from)}`, { component, data: text, from: hostPort(from) });
          received.get(self)!.add(component);
          if ([...received.values()].every((set) => set.size === components)) allReceived();
        });
        self.on('warning', (w) => verbose && event('warning', who, s.yellow(`warning: ${w.message}`), { code: w.code, message: w.message }));
      };
      wire(a, b);
      wire(b, a);
      out.startStatus(() => `${clock.ms().toFixed(0)} ms  A ${a.iceState}, B ${b.iceState}`);

      a.setRemoteParameters(b.localParameters);
      b.setRemoteParameters(a.localParameters);
      const states: IceState[] = ['connected', 'completed'];
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s (A ${a.iceState}, B ${b.iceState})`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.all([a.gather(), b.gather(), a.waitFor(states), b.waitFor(states)]), deadline]);
        const connectedAt = clock.ms();
        for (const [self, who] of names) {
          for (let c = 1; c <= components; c++) {
            const pair = self.getSelectedPair(c);
            if (!pair) throw new Error(`agent ${who} has no selected pair on component ${c}`);
            event('selected', who, `selected pair (component ${c}): ${pairText(pair)}`, {
              component: c, local: hostPort(pair.local), remote: hostPort(pair.remote), rttMs: pair.rttMs ?? null,
            });
          }
        }
        for (let c = 1; c <= components; c++) {
          a.send(c, Buffer.from(`hello from A on component ${c}`));
          b.send(c, Buffer.from(`hello from B on component ${c}`));
        }
        await Promise.race([exchanged, deadline]);
        const rtts = [...names.keys()].flatMap((x) => Array.from({ length: components }, (_, i) => x.getSelectedPair(i + 1)?.rttMs)).filter((r): r is number => r !== undefined);
        const rtt = rtts.length > 0 ? Math.max(...rtts) : undefined;
        await cleanup();
        report?.finish(true, `connected in ${connectedAt.toFixed(1)} ms, one datagram each way`);
        if (json) out.line(jsonLine({ event: 'result', ok: true, at: clock.ms(), connectedAt, rttMs: rtt ?? null }));
        else out.line(s.green(`selftest ok: connected in ${connectedAt.toFixed(1)} ms, one datagram each way on ${components} component${components === 1 ? '' : 's'}${rtt === undefined ? '' : `, rtt ${rtt.toFixed(2)} ms`}`));
        return 0;
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      await cleanup();
      const reason = (err as Error).message;
      report?.finish(false, reason);
      if (json) out.line(jsonLine({ event: 'result', ok: false, at: clock.ms(), reason }));
      else out.line(s.red(`selftest FAILED: ${reason}`));
      return 1;
    }
  },
};
