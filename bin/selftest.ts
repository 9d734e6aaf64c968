/**
 * `ice-probe selftest` (what `npm start` runs): an embedded STUN server and two
 * agents on loopback, gather host + srflx, connect, one datagram each way, and
 * the timeline of it all.
 */
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { hostPort } from './format.js';
import { jsonLine, type Output } from './output.js';
import { SelftestSession } from './selftest-session.js';
import { startStunServer, type StunRequestLog, type StunUdpServer } from './stun-udp-server.js';
import { packageVersion } from './version.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';
import { TURN_OPTIONS, TURN_USAGE, turnAgentOptions } from './turn-options.js';


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
    const s = out.style;
    const report = startReport(args, out, 'ice-probe selftest', { addresses, components, timeoutMs, turn: turn.iceServers !== undefined });
    let session: SelftestSession | undefined;
    let server: StunUdpServer | undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s (A ${session?.a.iceState}, B ${session?.b.iceState})`)), timeoutMs);
    });
    deadline.catch(() => {});
    const cleanup = async (): Promise<void> => {
      clearTimeout(timer);
      out.stopStatus();
      await session?.close();
      await server?.close();
    };
    try {
      const onRequest = (r: StunRequestLog): void => void (verbose && session?.event('stun-request', 'S', `STUN server: Binding request from ${hostPort(r.from)}, ${r.outcome}`, { from: hostPort(r.from), outcome: r.outcome }));
      server = await startStunServer({ host: addresses[0]!, port: 0, software: `ice-probe ${packageVersion()}`, onRequest });
      const stun = hostPort(server.address);
      const options = { addresses, includeLoopback: true, components, stunServers: [stun], ...turn } as const;
      session = new SelftestSession(out, json, verbose, options, components);
      report?.add(session.a, 'A');
      report?.add(session.b, 'B');
      if (!json) out.line(s.bold(`ice-probe ${packageVersion()} selftest: agents A (controlling) and B (controlled) on ${addresses.join(', ')}, ${components} component${components === 1 ? '' : 's'}${turn.iceTransportPolicy === 'relay' ? ', relay only' : ''}`));
      session.event('stun-server', 'S', `STUN server listening on ${stun}`, { address: stun });
      const connectedAt = await session.connect(deadline);
      const rtt = await session.exchange(deadline);
      await cleanup();
      report?.finish(true, `connected in ${connectedAt.toFixed(1)} ms, one datagram each way`);
      if (json) out.line(jsonLine({ event: 'result', ok: true, at: session.clock.ms(), connectedAt, rttMs: rtt ?? null }));
      else out.line(s.green(`selftest ok: connected in ${connectedAt.toFixed(1)} ms, one datagram each way on ${components} component${components === 1 ? '' : 's'}${rtt === undefined ? '' : `, rtt ${rtt.toFixed(2)} ms`}`));
      return 0;
    } catch (err) {
      await cleanup();
      const reason = (err as Error).message;
      report?.finish(false, reason);
      if (json) out.line(jsonLine({ event: 'result', ok: false, at: session?.clock.ms() ?? 0, reason }));
      else out.line(s.red(`selftest FAILED: ${reason}`));
      return 1;
    }
  },
};
