/**
 * `ice-probe peer`: one agent whose signalling is JSON Lines on stdin/stdout,
 * so two peers can be joined by a pipe, ssh, nc or a test rig.
 */
import { IceAgent } from '../lib/index.js';
import { HELP_OPTION, UsageError, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { Clock, type Output } from './output.js';
import type { Role } from './peer-protocol.js';
import { PeerSession } from './peer-session.js';
import { TURN_OPTIONS, TURN_USAGE, turnAgentOptions } from './turn-options.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';

const PROTOCOL = `Protocol (one JSON object per line; unknown types are ignored):
  written to stdout:
    {"type":"params","ufrag":..,"pwd":..,"role":"controlling"|"controlled","components":N,"sends":true|false}
                                                                     again after each ICE restart; with
                                                                     --lite it also says "lite":true
    {"type":"candidate","component":N,"candidate":"candidate:..."}   per local candidate
    {"type":"end-of-candidates"}                                     local gathering complete
    {"type":"state","state":"<iceState>","at":<ms since start>}      each iceState change
    {"type":"selected","component":N,"local":"candidate:...","remote":"candidate:...","rttMs":..}
    {"type":"received","component":N,"data":"<utf-8 text>"}         per datagram
    {"type":"stats","transports":[..],"candidatePairs":[..],..}     with --stats: getStats(), before done
    {"type":"done","ok":true|false,"reason":"..."}                  just before exiting
  read from stdin: the other side's params, candidate and end-of-candidates lines, in any order;
  a later params line with new ufrag/pwd is an ICE restart by the other side (this side restarts
  too and writes its new params and candidates).
Exit 0 once connected and, unless the other side's params say "sends":false, a datagram arrived
on every component (or stdin closed after connecting); exit 1 on failure or timeout.
Example (two peers on this machine, the second one's lines shown):
  mkfifo f; ice-probe peer --role controlling --host 127.0.0.1 --send hi < f |
            ice-probe peer --role controlled --host 127.0.0.1 --send ho | tee f`;

export const peerCommand: Command = {
  spec: {
    name: 'peer',
    brief: 'one agent, signalling as JSON Lines on stdin/stdout (join two with a pipe, ssh, nc)',
    usage:
      `ice-probe peer [--role controlling|controlled] [--lite] [--components N] [--host IP]... [--stun HOST:PORT]... ${TURN_USAGE} [--server URL] [--send TEXT] [--timeout S] [--stats] [--verbose] ${REPORT_USAGE}`,
    summary: 'One ICE agent whose signalling is JSON Lines on stdin/stdout.',
    options: {
      role: { type: 'string', arg: 'ROLE', help: 'controlling (default) or controlled' },
      lite: { type: 'boolean', help: 'ICE-lite: always controlled, host candidates only, answers checks and sends none' },
      server: { type: 'string', arg: 'URL', help: 'signal with an `ice-probe serve` endpoint (POST URL/session) instead of stdin' },
      components: { type: 'string', arg: 'N', help: 'components (default 1)' },
      host: { type: 'string', multiple: true, arg: 'IP', help: 'gather host candidates only on this address (loopback allowed)' },
      stun: { type: 'string', multiple: true, arg: 'HOST:PORT', help: 'STUN server for a server-reflexive candidate' },
      ...TURN_OPTIONS,
      send: { type: 'string', arg: 'TEXT', help: 'send TEXT once on every component when connected' },
      timeout: { type: 'string', arg: 'S', help: 'give up after S seconds (default 20)' },
      stats: { type: 'boolean', help: 'write the agent\'s getStats() as one JSON line before done' },
      verbose: { type: 'boolean', short: 'v', help: 'log to stderr' },
      ...REPORT_OPTIONS,
      help: HELP_OPTION,
    },
    notes: PROTOCOL,
  },

  async run(args: ParsedArgs, out: Output): Promise<number> {
    const lite = args.flag('lite');
    const role = args.oneOf<Role>('role', ['controlling', 'controlled'], lite ? 'controlled' : 'controlling');
    if (lite && (role === 'controlling' || args.has('stun'))) throw new UsageError('--lite: an ICE-lite agent is controlled and has host candidates only (no --role controlling, no --stun)', peerCommand.spec.usage);
    const serverUrl = args.string('server');
    const components = args.int('components', 1, 1, 256);
    const hosts = args.ips('host');
    const stunServers = args.stunServers('stun');
    const turn = turnAgentOptions(args, peerCommand.spec.usage);
    const sendText = args.string('send');
    const timeoutMs = args.seconds('timeout', 20);
    const verbose = args.flag('verbose');
    const clock = new Clock();

    const agent = new IceAgent({
      role,
      ...(lite && { lite }),
      components,
      stunServers,
      ...(hosts.length > 0 && { addresses: hosts, includeLoopback: true }),
      ...turn,
    });
    const report = await startReport(args, out, `ice-probe peer (${role})`, { role, components, hosts, stunServers, turn: turn.iceServers !== undefined, timeoutMs });
    report?.add(agent, 'peer');
    const cfg = { components, sendText, timeoutMs, verbose, stats: args.flag('stats'), serverUrl };
    return new PeerSession(agent, cfg, out, clock, report).start();
  },
};
