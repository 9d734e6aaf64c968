/**
 * One `ice-probe peer` run: the agent's events as JSON Lines on stdout, the other side's lines
 * from stdin into the agent, and when to stop. peer.ts parses the options and builds the agent.
 */
import { createInterface, type Interface } from 'node:readline';
import { IceError, formatCandidate, warmUp, type IceAgent, type IceState } from '../lib/index.js';
import { hostPort, pairText } from './format.js';
import type { Clock, Output } from './output.js';
import { encodeMessage, parseIncoming, type Incoming, type PeerMessage } from './peer-protocol.js';
import type { RunReport } from './report-option.js';
import { serverSignalling } from './serve-client.js';
import { statsMessage } from './stats-output.js';

/** Longest wait after `done` for nomination to complete, so that the other side can connect too. */
const SETTLE_MS = 2000;

export interface PeerConfig {
  readonly components: number;
  readonly sendText: string | undefined;
  readonly timeoutMs: number;
  readonly verbose: boolean;
  /** Write the agent's getStats() as one line just before `done`. */
  readonly stats: boolean;
  /** Signal with an `ice-probe serve` endpoint instead of stdin (bin/serve-client.ts). */
  readonly serverUrl: string | undefined;
}

/** Resolves once every component's selected pair is nominated (then both sides know it), or after `maxMs`. */
async function untilNominated(agent: IceAgent, components: number, maxMs: number): Promise<void> {
  const nominated = (): boolean => Array.from({ length: components }, (_, i) => agent.getSelectedPair(i + 1)?.nominated).every(Boolean);
  for (const until = performance.now() + maxMs; !nominated() && performance.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class PeerSession {
  private finished = false;
  private connected = false;
  private peerSends = false;
  private paramsSeen = false;
  private stdinClosed = false;
  private grace: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private rl: Interface | undefined;
  private lines = 0;
  private readonly sent = new Set<number>();
  private readonly received = new Set<number>();
  /** Remote candidates that came before params. */
  private readonly pending: (() => void)[] = [];
  /** Lines written before the params line, which goes out once the sockets are bound. */
  private held: PeerMessage[] | undefined = [];
  private resolveExit!: (code: number) => void;
  private readonly onSignal = (signal: NodeJS.Signals): void => void this.finish(false, `interrupted by ${signal}`);

  constructor(
    private readonly agent: IceAgent,
    private readonly cfg: PeerConfig,
    private readonly out: Output,
    private readonly clock: Clock,
    private readonly report: RunReport | undefined,
  ) {}

  /**
   * Runs until done; resolves with the exit code. The params line goes out once the host sockets
   * are bound and the first connection's code paths ran once (warmUp): the other side cannot use
   * our params before our candidates anyway, and when its own arrive this process is ready.
   */
  start(): Promise<number> {
    const exit = new Promise<number>((resolve) => (this.resolveExit = resolve));
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    this.timer = setTimeout(() => this.timedOut(), this.cfg.timeoutMs);
    void warmUp();
    this.agent.once('candidate', () => this.releaseParams());
    this.agent.once('endofcandidates', () => this.releaseParams());
    this.listen();
    this.readStdin();
    this.out.startStatus(() => `${this.clock.ms().toFixed(0)} ms  peer (${this.agent.role}) ${this.agent.iceState}`);
    this.agent.gather().catch((err: unknown) => void this.finish(false, `gathering failed: ${(err as Error).message}`));
    return exit;
  }

  private log(text: string): void {
    if (this.cfg.verbose) this.out.note(this.out.errStyle.dim(`[peer ${this.clock.ms().toFixed(1)} ms] `) + text);
  }

  /** Nothing after "done": it is the last line (the agent still reports "closed" while closing). A closed stdout ends the process. */
  private write(m: PeerMessage): void {
    if (this.held && m.type !== 'params') return void this.held.push(m);
    if (!this.finished || m.type === 'done') this.out.line(encodeMessage(m));
  }

  /** The params line, then what waited for it. */
  private releaseParams(): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.writeParams();
    for (const m of held) this.write(m);
  }

  private async finish(ok: boolean, reason: string): Promise<void> {
    if (this.finished) return;
    this.releaseParams();
    if (this.cfg.stats) this.write(statsMessage(this.agent.getStats()));
    this.finished = true;
    clearTimeout(this.timer);
    clearTimeout(this.grace);
    this.out.stopStatus();
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.write({ type: 'done', ok, reason });
    this.log(`done: ${ok ? 'ok' : 'FAILED'}, ${reason}`);
    this.rl?.close();
    process.stdin.destroy();
    // The other side may still need our answers: stay until nomination went through (bounded).
    if (ok) await untilNominated(this.agent, this.cfg.components, SETTLE_MS);
    await this.agent.close(); // lets datagrams sent just before leave first
    this.report?.finish(ok, reason);
    this.resolveExit(ok ? 0 : 1);
  }

  private timedOut(): void {
    const { components, timeoutMs } = this.cfg;
    const missing = Array.from({ length: components }, (_, i) => i + 1).filter((c) => !this.received.has(c));
    const why = this.connected
      ? `timed out after ${timeoutMs / 1000} s waiting for data on component ${missing.join(', ')}`
      : `timed out after ${timeoutMs / 1000} s in state ${this.agent.iceState}${this.paramsSeen ? '' : ' (no params from the other side)'}`;
    void this.finish(false, why);
  }

  private maybeFinish(): void {
    // Connected can come before the other side's params (its checks are answered with our
    // password alone): wait for them, since they say whether data is on its way.
    if (!this.connected || this.finished || (!this.paramsSeen && !this.stdinClosed)) return;
    if (!this.peerSends) return void this.finish(true, 'connected');
    if (this.received.size >= this.cfg.components) return void this.finish(true, 'connected; data received on every component');
    if (this.stdinClosed) this.grace ??= setTimeout(() => void this.finish(true, 'connected; stdin closed'), 1000);
  }

  private trySend(component: number): void {
    const text = this.cfg.sendText;
    if (text === undefined || this.sent.has(component) || this.finished) return;
    try {
      this.agent.send(component, Buffer.from(text, 'utf8'));
      this.sent.add(component);
      this.log(`sent ${JSON.stringify(text)} on component ${component}`);
    } catch (err) {
      if (!(err instanceof IceError && err.code === 'ERR_NO_SELECTED_PAIR')) this.out.warn(`send on component ${component}: ${(err as Error).message}`);
    }
  }

  // ---- agent -> stdout ----

  private writeParams(): void {
    const { agent, cfg } = this;
    this.write({ type: 'params', ...agent.localParameters, role: agent.role, components: cfg.components, sends: cfg.sendText !== undefined });
  }

  private listen(): void {
    const { agent } = this;
    agent.on('restart', (_params, by) => {
      this.log(`ICE restart (${by === 'peer' ? 'by the other side' : 'by this side'}): new params`);
      this.writeParams();
    });
    agent.on('candidate', (c, sdp) => this.write({ type: 'candidate', component: c.component, candidate: sdp }));
    agent.on('endofcandidates', () => this.write({ type: 'end-of-candidates' }));
    agent.on('statechange', (state, previous, reason) => this.stateChanged(state, previous, reason));
    agent.on('selectedpairchange', (component, pair) => {
      this.write({
        type: 'selected', component, local: formatCandidate(pair.local), remote: formatCandidate(pair.remote),
        ...(pair.rttMs !== undefined && { rttMs: Math.round(pair.rttMs * 1000) / 1000 }),
      });
      this.log(`selected pair (component ${component}): ${pairText(pair)}`);
      if (this.connected) this.trySend(component);
    });
    agent.on('data', (component, data, from) => {
      this.write({ type: 'received', component, data: data.toString('utf8') });
      this.log(`received ${data.length} bytes on component ${component} from ${hostPort(from)}`);
      this.received.add(component);
      this.maybeFinish();
    });
    agent.on('rolechange', (r, reason) => this.log(`role is now ${r} (${reason})`));
    agent.on('stunresult', (r) => this.log(`STUN ${hostPort(r.server)}: ${r.mapped ? `mapped ${hostPort(r.mapped)}` : r.error ?? 'no answer'}`));
    agent.on('relay', (r) => this.log(`TURN ${r.uri}: ${r.state}${r.relayed ? ` relayed ${hostPort(r.relayed)}` : ''}${r.reason ? ` (${r.reason})` : ''}`));
    agent.on('warning', (w) => this.out.warn(w.message));
  }

  private stateChanged(state: IceState, previous: IceState, reason: string): void {
    this.write({ type: 'state', state, at: this.clock.ms() });
    this.log(`iceState ${previous} -> ${state} (${reason})`);
    if (state === 'connected' || state === 'completed') {
      if (!this.connected) {
        this.connected = true;
        for (let c = 1; c <= this.cfg.components; c++) this.trySend(c);
      }
      this.maybeFinish();
    } else if (state === 'failed') {
      void this.finish(false, `ICE failed: ${reason}`);
    }
  }

  // ---- stdin -> agent ----

  private readStdin(): void {
    // With --server, the lines come from the server's answer instead of stdin.
    const { serverUrl, components, sendText } = this.cfg;
    const input = serverUrl === undefined
      ? process.stdin
      : serverSignalling(serverUrl, this.agent, components, sendText !== undefined, (why) => void this.finish(false, why));
    this.rl = createInterface({ input, crlfDelay: Infinity });
    this.rl.on('line', (raw) => this.line(raw));
    this.rl.on('close', () => {
      this.stdinClosed = true;
      this.log('stdin closed');
      this.maybeFinish();
    });
  }

  private apply(what: string, action: () => void): void {
    if (this.finished) return;
    try {
      action();
    } catch (err) {
      this.out.warn(`ignored ${what}: ${(err as Error).message}`);
    }
  }

  private line(raw: string): void {
    const lineNo = ++this.lines;
    const line = raw.trim();
    if (line === '' || this.finished) return;
    const parsed = parseIncoming(line);
    if (!parsed.ok) return this.out.warn(`stdin line ${lineNo}: ${parsed.error}`);
    const m = parsed.value;
    if (m.kind === 'params') return this.params(m, lineNo);
    if (m.kind === 'candidate') return this.whenParams(() => this.apply(`candidate on stdin line ${lineNo}`, () => this.agent.addRemoteCandidate(m.candidate)));
    if (m.kind === 'end-of-candidates') return this.whenParams(() => this.apply('end-of-candidates', () => this.agent.addRemoteCandidate(null)));
    if (m.kind === 'done') this.log(`the other side is done: ${m.ok ? 'ok' : 'failed'}${m.reason ? `, ${m.reason}` : ''}`);
  }

  private whenParams(action: () => void): void {
    if (this.paramsSeen) action();
    else this.pending.push(action);
  }

  private params(m: Extract<Incoming, { kind: 'params' }>, lineNo: number): void {
    // A later params line with new credentials is an ICE restart by the other side (RFC 8839 §4.4.1.1.2).
    if (this.paramsSeen) this.log(`params again (stdin line ${lineNo}): new ones are an ICE restart by the other side`);
    this.paramsSeen = true;
    this.peerSends = m.sends;
    const { components } = this.cfg;
    if (m.components !== undefined && m.components !== components) {
      this.out.warn(`the other side has ${m.components} component${m.components === 1 ? '' : 's'}, this side ${components}`);
    }
    this.apply('params', () => this.agent.setRemoteParameters({ ufrag: m.ufrag, pwd: m.pwd, lite: m.lite }));
    for (const p of this.pending.splice(0)) p();
    this.maybeFinish();
  }
}
