/**
 * `ice-probe peer`: one agent whose signalling is JSON Lines on stdin/stdout,
 * so two peers can be joined by a pipe, ssh, nc or a test rig.
 */
import { createInterface } from 'node:readline';
import { IceAgent, IceError, formatCandidate } from '../lib/index.js';
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { hostPort, pairText } from './format.js';
import { Clock, type Output } from './output.js';
import { encodeMessage, parseIncoming, type PeerMessage, type Role } from './peer-protocol.js';
import { REPORT_OPTIONS, REPORT_USAGE, startReport } from './report-option.js';
import { UsageError } from './args.js';
import { serverSignalling } from './serve-client.js';

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
    {"type":"done","ok":true|false,"reason":"..."}                  just before exiting
  read from stdin: the other side's params, candidate and end-of-candidates lines, in any order;
  a later params line with new ufrag/pwd is an ICE restart by the other side (this side restarts
  too and writes its new params and candidates).
Exit 0 once connected and, unless the other side's params say "sends":false, a datagram arrived
on every component (or stdin closed after connecting); exit 1 on failure or timeout.
Example (two peers on this machine, the second one's lines shown):
  mkfifo f; ice-probe peer --role controlling --host 127.0.0.1 --send hi < f |
            ice-probe peer --role controlled --host 127.0.0.1 --send ho | tee f`;

/** Longest wait after `done` for nomination to complete, so that the other side can connect too. */
const SETTLE_MS = 2000;

/** Resolves once every component's selected pair is nominated (then both sides know it), or after `maxMs`. */
async function untilNominated(agent: IceAgent, components: number, maxMs: number): Promise<void> {
  const nominated = (): boolean => Array.from({ length: components }, (_, i) => agent.getSelectedPair(i + 1)?.nominated).every(Boolean);
  for (const until = performance.now() + maxMs; !nominated() && performance.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const peerCommand: Command = {
  spec: {
    name: 'peer',
    brief: 'one agent, signalling as JSON Lines on stdin/stdout (join two with a pipe, ssh, nc)',
    usage:
      `ice-probe peer [--role controlling|controlled] [--lite] [--components N] [--host IP]... [--stun HOST:PORT]... [--server URL] [--send TEXT] [--timeout S] [--verbose] ${REPORT_USAGE}`,
    summary: 'One ICE agent whose signalling is JSON Lines on stdin/stdout.',
    options: {
      role: { type: 'string', arg: 'ROLE', help: 'controlling (default) or controlled' },
      lite: { type: 'boolean', help: 'ICE-lite: always controlled, host candidates only, answers checks and sends none' },
      server: { type: 'string', arg: 'URL', help: 'signal with an `ice-probe serve` endpoint (POST URL/session) instead of stdin' },
      components: { type: 'string', arg: 'N', help: 'components (default 1)' },
      host: { type: 'string', multiple: true, arg: 'IP', help: 'gather host candidates only on this address (loopback allowed)' },
      stun: { type: 'string', multiple: true, arg: 'HOST:PORT', help: 'STUN server for a server-reflexive candidate' },
      send: { type: 'string', arg: 'TEXT', help: 'send TEXT once on every component when connected' },
      timeout: { type: 'string', arg: 'S', help: 'give up after S seconds (default 20)' },
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
    const sendText = args.string('send');
    const timeoutMs = args.seconds('timeout', 20);
    const verbose = args.flag('verbose');
    const clock = new Clock();
    const es = out.errStyle;

    const log = (text: string): void => {
      if (verbose) out.note(es.dim(`[peer ${clock.ms().toFixed(1)} ms] `) + text);
    };
    const agent = new IceAgent({
      role,
      ...(lite && { lite }),
      components,
      stunServers,
      ...(hosts.length > 0 && { addresses: hosts, includeLoopback: true }),
    });
    const report = startReport(args, out, `ice-probe peer (${role})`, { role, components, hosts, stunServers, timeoutMs });
    report?.add(agent, 'peer');

    // (A closed stdout ends the process: see the dispatcher.)
    // Nothing after "done": it is the last line (the agent still reports "closed" while closing).
    const write = (m: PeerMessage): void => {
      if (!finished || m.type === 'done') out.line(encodeMessage(m));
    };

    let finished = false;
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (resolveExit = resolve));
    let connected = false;
    let peerSends = false;
    let paramsSeen = false;
    let stdinClosed = false;
    let grace: NodeJS.Timeout | undefined;
    const sent = new Set<number>();
    const received = new Set<number>();
    const pending: (() => void)[] = []; // remote candidates that came before params

    const finish = async (ok: boolean, reason: string): Promise<void> => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(grace);
      out.stopStatus();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      write({ type: 'done', ok, reason });
      log(`done: ${ok ? 'ok' : 'FAILED'}, ${reason}`);
      rl.close();
      process.stdin.destroy();
      // The other side may still need our answers: stay until nomination went through (bounded).
      if (ok) await untilNominated(agent, components, SETTLE_MS);
      await agent.close(); // lets datagrams sent just before leave first
      report?.finish(ok, reason);
      resolveExit(ok ? 0 : 1);
    };
    const onSignal = (signal: NodeJS.Signals): void => void finish(false, `interrupted by ${signal}`);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const timer = setTimeout(() => {
      const missing = Array.from({ length: components }, (_, i) => i + 1).filter((c) => !received.has(c));
      const why = connected
        ? `timed out after ${timeoutMs / 1000} s waiting for data on component ${missing.join(', ')}`
        : `timed out after ${timeoutMs / 1000} s in state ${agent.iceState}${paramsSeen ? '' : ' (no params from the other side)'}`;
      void finish(false, why);
    }, timeoutMs);

    const maybeFinish = (): void => {
      // Connected can come before the other side's params (its checks are answered with our
      // password alone): wait for them, since they say whether data is on its way.
      if (!connected || finished || (!paramsSeen && !stdinClosed)) return;
      if (!peerSends) return void finish(true, 'connected');
      if (received.size >= components) return void finish(true, 'connected; data received on every component');
      if (stdinClosed) grace ??= setTimeout(() => void finish(true, 'connected; stdin closed'), 1000);
    };

    const trySend = (component: number): void => {
      if (sendText === undefined || sent.has(component) || finished) return;
      try {
        agent.send(component, Buffer.from(sendText, 'utf8'));
        sent.add(component);
        log(`sent ${JSON.stringify(sendText)} on component ${component}`);
      } catch (err) {
        if (!(err instanceof IceError && err.code === 'ERR_NO_SELECTED_PAIR')) out.warn(`send on component ${component}: ${(err as Error).message}`);
      }
    };

    // ---- agent -> stdout ----
    const writeParams = (): void => write({ type: 'params', ...agent.localParameters, role: agent.role, components, sends: sendText !== undefined });
    writeParams();
    agent.on('restart', (_params, by) => {
      log(`ICE restart (${by === 'peer' ? 'by the other side' : 'by this side'}): new params`);
      writeParams();
    });
    agent.on('candidate', (c, sdp) => write({ type: 'candidate', component: c.component, candidate: sdp }));
    agent.on('endofcandidates', () => write({ type: 'end-of-candidates' }));
    agent.on('statechange', (state, previous, reason) => {
      write({ type: 'state', state, at: clock.ms() });
      log(`iceState ${previous} -> ${state} (${reason})`);
      if (state === 'connected' || state === 'completed') {
        if (!connected) {
          connected = true;
          for (let c = 1; c <= components; c++) trySend(c);
        }
        maybeFinish();
      } else if (state === 'failed') {
        void finish(false, `ICE failed: ${reason}`);
      }
    });
    agent.on('selectedpairchange', (component, pair) => {
      write({
        type: 'selected', component, local: formatCandidate(pair.local), remote: formatCandidate(pair.remote),
        ...(pair.rttMs !== undefined && { rttMs: Math.round(pair.rttMs * 1000) / 1000 }),
      });
      log(`selected pair (component ${component}): ${pairText(pair)}`);
      if (connected) trySend(component);
    });
    agent.on('data', (component, data, from) => {
      write({ type: 'received', component, data: data.toString('utf8') });
      log(`received ${data.length} bytes on component ${component} from ${hostPort(from)}`);
      received.add(component);
      maybeFinish();
    });
    agent.on('rolechange', (r, reason) => log(`role is now ${r} (${reason})`));
    agent.on('stunresult', (r) => log(`STUN ${hostPort(r.server)}: ${r.mapped ? `mapped ${hostPort(r.mapped)}` : r.error ?? 'no answer'}`));
    agent.on('warning', (w) => out.warn(w.message));

    // ---- stdin -> agent ----
    const apply = (what: string, action: () => void): void => {
      if (finished) return;
      try {
        action();
      } catch (err) {
        out.warn(`ignored ${what}: ${(err as Error).message}`);
      }
    };
    // With --server, the lines come from the server's answer instead of stdin (bin/serve-client.ts).
    const input = serverUrl === undefined ? process.stdin : serverSignalling(serverUrl, agent, components, sendText !== undefined, (why) => void finish(false, why));
    const rl = createInterface({ input, crlfDelay: Infinity });
    let lines = 0;
    rl.on('line', (raw) => {
      const lineNo = ++lines;
      const line = raw.trim();
      if (line === '' || finished) return;
      const parsed = parseIncoming(line);
      if (!parsed.ok) return out.warn(`stdin line ${lineNo}: ${parsed.error}`);
      const m = parsed.value;
      switch (m.kind) {
        case 'params':
          // A later params line with new credentials is an ICE restart by the other side (RFC 8839 §4.4.1.1.2).
          if (paramsSeen) log(`params again (stdin line ${lineNo}): new ones are an ICE restart by the other side`);
          paramsSeen = true;
          peerSends = m.sends;
          if (m.components !== undefined && m.components !== components) {
            out.warn(`the other side has ${m.components} component${m.components === 1 ? '' : 's'}, this side ${components}`);
          }
          apply('params', () => agent.setRemoteParameters({ ufrag: m.ufrag, pwd: m.pwd, lite: m.lite }));
          for (const p of pending.splice(0)) p();
          maybeFinish();
          return;
        case 'candidate': {
          const add = (): void => apply(`candidate on stdin line ${lineNo}`, () => agent.addRemoteCandidate(m.candidate));
          if (paramsSeen) add();
          else pending.push(add);
          return;
        }
        case 'end-of-candidates': {
          const end = (): void => apply('end-of-candidates', () => agent.addRemoteCandidate(null));
          if (paramsSeen) end();
          else pending.push(end);
          return;
        }
        case 'done':
          log(`the other side is done: ${m.ok ? 'ok' : 'failed'}${m.reason ? `, ${m.reason}` : ''}`);
          return;
        case 'ignored':
          return;
      }
    });
    rl.on('close', () => {
      stdinClosed = true;
      log('stdin closed');
      maybeFinish();
    });

    out.startStatus(() => `${clock.ms().toFixed(0)} ms  peer (${agent.role}) ${agent.iceState}`);
    agent.gather().catch((err: unknown) => void finish(false, `gathering failed: ${(err as Error).message}`));
    return exit;
  },
};
