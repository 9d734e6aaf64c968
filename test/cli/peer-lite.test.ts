// ice-probe peer --lite: its params line says "lite": true; a full peer facing it controls.
import { expect } from 'chai';
import { Proc, killAll, parseJsonLines, run } from './helpers.js';

function relay(from: Proc, to: Proc): void {
  from.onLine((line) => {
    if (to.child.stdin.writable) to.child.stdin.write(line + '\n');
  });
  void from.exited.then(() => to.child.stdin.end());
}

describe('ice-probe peer --lite', function () {
  this.timeout(30_000);
  afterEach(killAll);

  it('a lite peer and a full peer joined by a relay: lite is controlled, the full one switches to controlling, data both ways', async () => {
    const common = ['peer', '--host', '127.0.0.1', '--timeout', '15'];
    const full = new Proc([...common, '--role', 'controlled', '--send', 'from full', '--verbose']);
    const lite = new Proc([...common, '--lite', '--send', 'from lite']);
    relay(full, lite);
    relay(lite, full);
    const [ef, el] = await Promise.all([full.wait(20_000), lite.wait(20_000)]);
    expect(ef.code, full.stderr).to.equal(0);
    expect(el.code, lite.stderr).to.equal(0);
    const liteMsgs = parseJsonLines(lite.lines);
    expect(liteMsgs[0]).to.include({ type: 'params', lite: true, role: 'controlled' });
    expect(liteMsgs.find((m) => m['type'] === 'received')).to.deep.equal({ type: 'received', component: 1, data: 'from full' });
    const fullMsgs = parseJsonLines(full.lines);
    expect(fullMsgs[0]).to.not.have.property('lite');
    expect(fullMsgs.find((m) => m['type'] === 'received')).to.deep.equal({ type: 'received', component: 1, data: 'from lite' });
    // Facing a lite peer, the full one takes the controlling role (RFC 8445 §6.1.1).
    expect(full.stderr).to.match(/role is now controlling \(the peer is ICE-lite/);
  });

  it('--lite with --role controlling or --stun is a usage error (exit 2)', async () => {
    for (const extra of [['--role', 'controlling'], ['--stun', '127.0.0.1:3478']]) {
      const r = await run(['peer', '--lite', ...extra]);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/--lite: an ICE-lite agent is controlled/);
    }
  });
});
