/** One `ice-probe peer` run: the agent, its JSON Lines on stdout, the other side's on stdin, and when to stop. */
import { createInterface, type Interface } from 'node:readline';
import { IceAgent, IceError, formatCandidate, type IceAgentOptions, type IceState } from '../lib/index.js';
import { hostPort, pairText } from './format.js';
import { Clock, type Output } from './output.js';
import { encodeMessage, parseIncoming, type PeerMessage } from './peer-protocol.js';
import type { RunReport } from './report-option.js';

/** Longest wait after `done` for nomination to complete, so that the other side can connect too. */
const SETTLE_MS = 2000;

export interface PeerSettings {
  readonly agent: IceAgentOptions;
  readonly components: number;
  readonly sendText: string | undefined;
  readonly timeoutMs: number;
  readonly verbose: boolean;
}

/** Resolves once every component's selected pair is nominated (then both sides know it), or after `maxMs`. */
async function untilNominated(agent: IceAgent, components: number, maxMs: number): Promise<void> {
  const nominated = (): boolean => Array.from({ length: components }, (_, i) => agent.getSelectedPair(i + 1)?.nominated).every(Boolean);
  for (const until = performance.now() + maxMs; !nominated() && performance.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class PeerSession {
  readonly agent: IceAgent;
  readonly exit: Promise<number>;
  private resolveExit!: (code: number) => void;
  private readonly clock = new Clock();
  private finished = false;
  private connected = false;
  private peerSends = false;
  private paramsSeen = false;
  private stdinClosed = false;
  private grace: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly sent = new Set<number>();
  private readonly received = new Set<number>();
  /** Remote candidates that came before params. */
  private readonly pending: (() => void)[] = [];
  private rl: Interface | undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => void this.finish(false, `interrupted by ${signal}`);

  constructor(private readonly s: PeerSettings, private readonly out: Output, private readonly report: RunReport | undefined) {
    this.agent = new IceAgent(s.agent);
    report?.add(this.agent, 'peer');
    this.exit = new Promise<number>((resolve) => (this.resolveExit = resolve));
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    this.timer = setTimeout(() => void this.finish(false, this.timeoutReason()), s.timeoutMs);
  }

  log(text: string): void {
    if (this.s.verbose) this.out.note(this.out.errStyle.dim(`[peer ${this.clock.ms().toFixed(1)} ms] `) + text);
  }

  /** (A closed stdout ends the process: see the dispatcher.) Nothing after "done": it is the last line. */
  write(m: PeerMessage): void {
    if (!this.finished || m.type === 'done') this.out.line(encodeMessage(m));
  }

  private timeoutReason(): string {
    const missing = Array.from({ length: this.s.components }, (_, i) => i + 1).filter((c) => !this.received.has(c));
    const t = this.s.timeoutMs / 1000;
    return this.connected
      ? `timed out after ${t} s waiting for data on component ${missing.join(', ')}`
      : `timed out after ${t} s in state ${this.agent.iceState}${this.paramsSeen ? '' : ' (no params from the other side)'}`;
  }

  async finish(ok: boolean, reason: string): Promise<void> {
    if (this.finished) return;
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
    if (ok) await untilNominated(this.agent, this.s.components, SETTLE_MS);
    await this.agent.close(); // lets datagrams sent just before leave first
    this.report?.finish(ok, reason);
    this.resolveExit(ok ? 0 : 1);
  }

  /**
   * Connected can come before the other side's params (its checks are answered with our password
   * alone): wait for them, since they say whether data is on its way.
   */
  private maybeFinish(): void {
    if (!this.connected || this.finished || (!this.paramsSeen && !this.stdinClosed)) return;
    if (!this.peerSends) return void this.finish(true, 'connected');
    if (this.received.size >= this.s.components) return void this.finish(true, 'connected; data received on every component');
    if (this.stdinClosed) this.grace ??= setTimeout(() => void this.finish(true, 'connected; stdin closed'), 1000);
  }

  private trySend(component: number): void {
    const text = this.s.sendText;
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
    this.write({ type: 'params', ...this.agent.localParameters, role: this.agent.role, components: this.s.components, sends: this.s.sendText !== undefined });
  }

  private onState(state: IceState, previous: IceState, reason: string): void {
    this.write({ type: 'state', state, at: this.clock.ms() });
    this.log(`iceState ${previous} -> ${state} (${reason})`);
    if (state === 'connected' || state === 'completed') {
      if (!this.connected) {
        this.connected = true;
        for (let c = 1; c <= this.s.components; c++) this.trySend(c);
      }
      this.maybeFinish();
    } else if (state === 'failed') {
      void this.finish(false, `ICE failed: ${reason}`);
    }
  }

  wireAgent(): void {
    const { agent } = this;
    this.writeParams();
    agent.on('restart', (_params, by) => {
      this.log(`ICE restart (${by === 'peer' ? 'by the other side' : 'by this side'}): new params`);
      this.writeParams();
    });
    agent.on('candidate', (c, sdp) => this.write({ type: 'candidate', component: c.component, candidate: sdp }));
    agent.on('endofcandidates', () => this.write({ type: 'end-of-candidates' }));
    agent.on('statechange', (state, previous, reason) => this.onState(state, previous, reason));
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

  // ---- stdin -> agent ----

  private apply(what: string, action: () => void): void {
    if (this.finished) return;
    try {
      action();
    } catch (err) {
      this.out.warn(`ignored ${what}: ${(err as Error).message}`);
    }
  }

  private onLine(raw: string, lineNo: number): void {
    const line = raw.trim();
    if (line === '' || this.finished) return;
    const parsed = parseIncoming(line);
    if (!parsed.ok) return this.out.warn(`stdin line ${lineNo}: ${parsed.error}`);
    const m = parsed.value;
    const later = (act: () => void): void => (this.paramsSeen ? act() : void this.pending.push(act));
    switch (m.kind) {
      case 'params':
        // A later params line with new credentials is an ICE restart by the other side (RFC 8839 §4.4.1.1.2).
        if (this.paramsSeen) this.log(`params again (stdin line ${lineNo}): new ones are an ICE restart by the other side`);
        this.paramsSeen = true;
        this.peerSends = m.sends;
        if (m.components !== undefined && m.components !== this.s.components) {
          this.out.warn(`the other side has ${m.components} component${m.components === 1 ? '' : 's'}, this side ${this.s.components}`);
        }
        this.apply('params', () => this.agent.setRemoteParameters({ ufrag: m.ufrag, pwd: m.pwd }));
        for (const p of this.pending.splice(0)) p();
        return this.maybeFinish();
      case 'candidate':
        return later(() => this.apply(`candidate on stdin line ${lineNo}`, () => this.agent.addRemoteCandidate(m.candidate)));
      case 'end-of-candidates':
        return later(() => this.apply('end-of-candidates', () => this.agent.addRemoteCandidate(null)));
      case 'done':
        return this.log(`the other side is done: ${m.ok ? 'ok' : 'failed'}${m.reason ? `, ${m.reason}` : ''}`);
      case 'ignored':
        return;
    }
  }

  readStdin(): void {
    const rl = (this.rl = createInterface({ input: process.stdin, crlfDelay: Infinity }));
    let lines = 0;
    rl.on('line', (raw) => this.onLine(raw, ++lines));
    rl.on('close', () => {
      this.stdinClosed = true;
      this.log('stdin closed');
      this.maybeFinish();
    });
  }

  start(): void {
    this.out.startStatus(() => `${this.clock.ms().toFixed(0)} ms  peer (${this.agent.role}) ${this.agent.iceState}`);
    this.agent.gather().catch((err: unknown) => void this.finish(false, `gathering failed: ${(err as Error).message}`));
  }
}
