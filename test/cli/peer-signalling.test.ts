// ice-probe peer against a library agent that speaks only the documented protocol fields.
import { expect } from 'chai';
import { IceAgent } from '../../lib/ice-agent.js';
import { Proc, killAll, parseJsonLines } from './helpers.js';

type Msg = Record<string, unknown>;

/**
 * An in-process agent on the other end of `probe`'s stdin/stdout: it writes `params` with
 * only ufrag, pwd, role and components (no "sends"), forwards every candidate, and applies
 * every line the probe writes (a later params line included).
 */
function otherSide(probe: Proc, role: 'controlling' | 'controlled'): IceAgent {
  const agent = new IceAgent({ addresses: ['127.0.0.1'], includeLoopback: true, role });
  const write = (m: Msg): void => void probe.child.stdin.write(JSON.stringify(m) + '\n');
  const writeParams = (): void => write({ type: 'params', ...agent.localParameters, role, components: 1 });
  writeParams();
  agent.on('restart', writeParams);
  agent.on('candidate', (c, sdp) => write({ type: 'candidate', component: c.component, candidate: sdp }));
  agent.on('endofcandidates', () => write({ type: 'end-of-candidates' }));
  probe.onLine((line) => {
    const m = JSON.parse(line) as Msg;
    if (agent.iceState === 'closed') return;
    if (m['type'] === 'params') agent.setRemoteParameters({ ufrag: String(m['ufrag']), pwd: String(m['pwd']) });
    else if (m['type'] === 'candidate') agent.addRemoteCandidate(String(m['candidate']));
    else if (m['type'] === 'end-of-candidates') agent.addRemoteCandidate(null);
  });
  return agent;
}

const states = (msgs: Msg[]): unknown[] => msgs.filter((m) => m['type'] === 'state').map((m) => m['state']);

describe('ice-probe peer: protocol details other implementations rely on', function () {
  this.timeout(30_000);
  let agent: IceAgent | undefined;
  afterEach(async () => {
    await agent?.close();
    await killAll();
  });

  it('params without "sends": it waits for the other side\'s datagram, even one sent after its connected line', async () => {
    const probe = new Proc(['peer', '--role', 'controlled', '--host', '127.0.0.1', '--timeout', '10']);
    agent = otherSide(probe, 'controlling');
    // The datagram leaves only once the probe has told us it is connected.
    void probe.waitForLine(/"state":"connected"/, 10_000).then(
      () => agent!.send(1, Buffer.from('late but announced')),
      () => undefined,
    );
    await agent.gather();
    const { code } = await probe.wait(15_000);
    const msgs = parseJsonLines(probe.lines);
    expect(code, probe.stderr).to.equal(0);
    expect(msgs[0]).to.include({ type: 'params', sends: false });
    const received = msgs.findIndex((m) => m['type'] === 'received');
    expect(msgs[received], probe.stdout).to.deep.equal({ type: 'received', component: 1, data: 'late but announced' });
    expect(msgs.at(-1)).to.include({ type: 'done', ok: true });
  });

  it('a later params line is an ICE restart by the other side: new params, candidates, connected again', async () => {
    const probe = new Proc(['peer', '--role', 'controlled', '--host', '127.0.0.1', '--timeout', '15']);
    agent = otherSide(probe, 'controlling');
    await agent.gather();
    await agent.waitFor(['completed'], 10_000);
    agent.restart();
    await new Promise<void>((resolve) => agent!.once('statechange', () => resolve()));
    await agent.waitFor(['completed'], 10_000);
    agent.send(1, Buffer.from('after the restart'));
    const { code } = await probe.wait(15_000);
    const msgs = parseJsonLines(probe.lines);
    expect(code, probe.stderr).to.equal(0);
    const params = msgs.filter((m) => m['type'] === 'params');
    expect(params, probe.stdout).to.have.length(2);
    expect(params[1]!['ufrag']).to.not.equal(params[0]!['ufrag']);
    const second = msgs.indexOf(params[1]!);
    const later = msgs.slice(second);
    expect(later.some((m) => m['type'] === 'candidate' && String(m['candidate']).endsWith(` ufrag ${String(params[1]!['ufrag'])}`))).to.equal(true);
    expect(states(msgs).slice(states(msgs).lastIndexOf('starting'))).to.include('connected');
    expect(msgs.find((m) => m['type'] === 'received')).to.deep.include({ data: 'after the restart' });
    expect(msgs.at(-1)).to.include({ type: 'done', ok: true });
  });
});
