/** `ice-probe gather`: local candidates as they are found, like the Trickle ICE sample page; with --turn a TURN server test. */
import { IceAgent, type IceAgentOptions } from '../lib/index.js';
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { TurnReport } from './gather-turn.js';
import { GatherView } from './gather-view.js';
import type { Output } from './output.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';
import { TURN_OPTIONS, TURN_USAGE, turnAgentOptions } from './turn-options.js';

export { mappingVerdict, type MappingVerdict } from './gather-view.js';

interface GatherOptions {
  readonly agent: IceAgentOptions;
  readonly stunServers: readonly string[];
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly turn: boolean;
}

function gatherOptions(args: ParsedArgs, usage: string): GatherOptions {
  args.exclusive('ipv6', 'no-ipv6');
  const stunServers = args.stunServers('stun');
  const interfaces = args.strings('interface');
  const addresses = args.ips('address');
  const turn = turnAgentOptions(args, usage);
  return {
    agent: {
      stunServers,
      ...(interfaces.length > 0 && { interfaces }),
      ...(addresses.length > 0 && { addresses }),
      ...(args.flag('no-ipv6') && { ipv6: false }),
      ...(args.flag('include-loopback') && { includeLoopback: true }),
      ...turn,
    },
    stunServers, timeoutMs: args.seconds('timeout', 10), json: args.flag('json'), verbose: args.flag('verbose'), turn: turn.iceServers !== undefined,
  };
}

/** Gathering, or the timeout: true when the timeout came first. */
async function gatherWithin(agent: IceAgent, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    agent.gather().then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
  ]).finally(() => clearTimeout(timer));
}

export const gatherCommand: Command = {
  spec: {
    name: 'gather',
    brief: 'print local candidates as they are found (like the Trickle ICE sample page)',
    usage:
      `ice-probe gather [--stun HOST:PORT]... ${TURN_USAGE} [--interface NAME]... [--address IP]... [--ipv6|--no-ipv6] [--include-loopback] [--timeout S] [--json] [--verbose] ${REPORT_USAGE}`,
    summary:
      'Gathers local ICE candidates and prints each as it is found (type, protocol, address:port,\n' +
      'priority, foundation, related address, ms since start). With two or more STUN servers it\n' +
      "also tells whether the NAT's mapping looks endpoint-independent. With --turn it tests TURN servers:\n" +
      'per allocation the relayed and mapped addresses, the granted lifetime and the time to allocate.',
    options: {
      stun: { type: 'string', multiple: true, arg: 'HOST:PORT', help: 'STUN server (host:port, [v6]:port or stun: URI)' },
      ...TURN_OPTIONS,
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
      'No STUN server is contacted unless you name one. Exit 1 when no candidate was found, when\n' +
      'STUN servers were named and none answered (an unreachable server next to one that answers is only\n' +
      'reported), or when a TURN allocation failed (wrong credentials, no answer, 437, 486, a TLS error...).',
  },

  async run(args: ParsedArgs, out: Output): Promise<number> {
    const o = gatherOptions(args, gatherCommand.spec.usage);
    const agent = new IceAgent(o.agent);
    const report = await startReport(args, out, 'ice-probe gather', { stunServers: o.stunServers, timeoutMs: o.timeoutMs, turn: o.turn });
    report?.add(agent, 'local');
    const view = new GatherView(out, o.json, o.verbose);
    const turn = o.turn ? new TurnReport(out, o.json, view.clock) : undefined;
    view.attach(agent);
    turn?.attach(agent);
    const timedOut = await gatherWithin(agent, o.timeoutMs);
    out.stopStatus();
    const elapsed = view.clock.ms();
    turn?.finish(agent, o.timeoutMs);
    await agent.close();
    const found = `${view.candidates.length} candidate${view.candidates.length === 1 ? '' : 's'}`;
    report?.finish(view.candidates.length > 0, `${found}, gathering ${timedOut ? `timed out after ${o.timeoutMs / 1000} s` : 'complete'}`);
    view.summary(o.stunServers.length, timedOut, o.timeoutMs, elapsed);
    const failure = turn?.failure() ?? view.failure(o.stunServers.length, timedOut);
    if (failure === undefined) return 0;
    out.note(out.style.red(`ice-probe gather: ${turn?.failure() !== undefined ? `TURN failed: ${failure}` : failure}`));
    return 1;
  },
};
