/** The two agents of `ice-probe selftest`, joined by direct signalling, and the timeline they print. */
import { IceAgent, type IceAgentOptions, type IceState } from '../lib/index.js';
import { candidateFields, candidateShort, hostPort, pairText, relatedOf } from './format.js';
import { Clock, jsonLine, type Output } from './output.js';

export class SelftestSession {
  readonly clock = new Clock();
  readonly a: IceAgent;
  readonly b: IceAgent;
  private readonly names: Map<IceAgent, string>;
  private readonly received: Map<IceAgent, Set<number>>;
  private allReceived!: () => void;
  /** Resolves once every component of both agents received a datagram. */
  readonly exchanged = new Promise<void>((resolve) => (this.allReceived = resolve));

  constructor(private readonly out: Output, private readonly json: boolean, private readonly verbose: boolean, options: IceAgentOptions, private readonly components: number) {
    this.a = new IceAgent({ ...options, role: 'controlling' });
    this.b = new IceAgent({ ...options, role: 'controlled' });
    this.names = new Map([[this.a, 'A'], [this.b, 'B']]);
    this.received = new Map([[this.a, new Set()], [this.b, new Set()]]);
  }

  /** One timeline line (or JSON object): ms since start, who, what. */
  event(name: string, who: string, text: string, fields: Record<string, unknown>): void {
    const s = this.out.style;
    const at = this.clock.ms();
    if (this.json) this.out.line(jsonLine({ event: name, at, ...(who !== '' && { agent: who }), ...fields }));
    else this.out.line(`${s.dim(at.toFixed(1).padStart(8) + ' ms')}  ${who === '' ? '  ' : s.bold(who.padEnd(2))} ${text}`);
  }

  /** Signalling from `self` to `other`, and the timeline of `self`. */
  wire(self: IceAgent, other: IceAgent): void {
    const who = this.names.get(self)!;
    const s = this.out.style;
    self.on('candidate', (c, sdp) => {
      const related = c.relatedAddress !== undefined ? ` raddr ${relatedOf(c)}` : '';
      this.event('candidate', who, `candidate ${candidateShort(c)}  comp ${c.component} prio ${c.priority}${related}`, { ...candidateFields(c), candidate: sdp });
      other.addRemoteCandidate(sdp);
    });
    self.on('endofcandidates', () => {
      this.event('end-of-candidates', who, 'end of candidates', {});
      other.addRemoteCandidate(null);
    });
    self.on('stunresult', (r) => {
      const what = r.mapped ? `mapped address ${hostPort(r.mapped)}` : `failed: ${r.error ?? 'no answer'}`;
      this.event('stun-result', who, `STUN ${hostPort(r.server)} from ${hostPort(r.base)}: ${what}`, { server: hostPort(r.server), base: hostPort(r.base), mapped: r.mapped ? hostPort(r.mapped) : null, error: r.error ?? null });
    });
    self.on('relay', (r) => {
      const what = r.state === 'allocated' ? `relayed ${hostPort(r.relayed!)} in ${(r.allocateMs ?? 0).toFixed(1)} ms` : `${r.state}${r.reason ? `: ${r.reason}` : ''}`;
      this.event('turn', who, `TURN ${r.uri}: ${what}`, { uri: r.uri, state: r.state, relayed: r.relayed ? hostPort(r.relayed) : null, reason: r.reason ?? null });
    });
    self.on('statechange', (state, previous, reason) => {
      const colour = state === 'failed' ? s.red : state === 'connected' || state === 'completed' ? s.green : s.yellow;
      this.event('state', who, `iceState ${previous} -> ${colour(state)} (${reason})`, { state, previous, reason });
    });
    self.on('data', (component, data, from) => {
      const text = data.toString('utf8');
      this.event('received', who, `received "${text}" on component ${component} from ${hostPort(from)}`, { component, data: text, from: hostPort(from) });
      this.received.get(self)!.add(component);
      if ([...this.received.values()].every((set) => set.size === this.components)) this.allReceived();
    });
    self.on('warning', (w) => this.verbose && this.event('warning', who, s.yellow(`warning: ${w.message}`), { code: w.code, message: w.message }));
  }

  /** Gather, signal, connect: resolves when both are connected; `deadline` rejects first on a timeout. */
  async connect(deadline: Promise<never>): Promise<number> {
    const { a, b } = this;
    this.wire(a, b);
    this.wire(b, a);
    this.out.startStatus(() => `${this.clock.ms().toFixed(0)} ms  A ${a.iceState}, B ${b.iceState}`);
    a.setRemoteParameters(b.localParameters);
    b.setRemoteParameters(a.localParameters);
    const states: IceState[] = ['connected', 'completed'];
    await Promise.race([Promise.all([a.gather(), b.gather(), a.waitFor(states), b.waitFor(states)]), deadline]);
    return this.clock.ms();
  }

  /** Prints each selected pair, sends one datagram each way on every component, waits for them. */
  async exchange(deadline: Promise<never>): Promise<number | undefined> {
    for (const [self, who] of this.names) {
      for (let c = 1; c <= this.components; c++) {
        const pair = self.getSelectedPair(c);
        if (!pair) throw new Error(`agent ${who} has no selected pair on component ${c}`);
        this.event('selected', who, `selected pair (component ${c}): ${pairText(pair)}`, {
          component: c, local: hostPort(pair.local), localType: pair.local.type, remote: hostPort(pair.remote), rttMs: pair.rttMs ?? null,
        });
      }
    }
    for (let c = 1; c <= this.components; c++) {
      this.a.send(c, Buffer.from(`hello from A on component ${c}`));
      this.b.send(c, Buffer.from(`hello from B on component ${c}`));
    }
    await Promise.race([this.exchanged, deadline]);
    const rtts = [...this.names.keys()].flatMap((x) => Array.from({ length: this.components }, (_, i) => x.getSelectedPair(i + 1)?.rttMs)).filter((r): r is number => r !== undefined);
    return rtts.length > 0 ? Math.max(...rtts) : undefined;
  }

  close(): Promise<unknown> {
    return Promise.all([this.a.close(), this.b.close()]);
  }
}
