// ICE restart across two processes, with the natural signalling code, started by either side.
import { expect } from 'chai';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./support/restart-peer.js', import.meta.url));

interface Peer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: Record<string, string>[];
  readonly exit: Promise<number | null>;
}

function start(args: string[]): Peer {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  const lines: Record<string, string>[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, exit };
}

/** Every line one side writes goes to the other's stdin. */
function relay(from: Peer, to: Peer): void {
  createInterface({ input: from.child.stdout }).on('line', (line) => {
    from.lines.push(JSON.parse(line) as Record<string, string>);
    if (to.child.stdin.writable) to.child.stdin.write(line + '\n');
  });
}

describe('system: ICE restart between two processes', function () {
  this.timeout(30_000);

  for (const restarter of ['controlling', 'controlled'] as const) {
    it(`both reach completed again after a restart by the ${restarter} process`, async () => {
      const a = start(['controlling', ...(restarter === 'controlling' ? ['--restart'] : [])]);
      const b = start(['controlled', ...(restarter === 'controlled' ? ['--restart'] : [])]);
      relay(a, b);
      relay(b, a);
      const [ca, cb] = await Promise.all([a.exit, b.exit]);
      const summary = (p: Peer): string => p.lines.map((l) => (l['type'] === 'state' ? l['state'] : l['type'])).join(' ');
      expect(ca, `A: ${summary(a)}`).to.equal(0);
      expect(cb, `B: ${summary(b)}`).to.equal(0);
      for (const p of [a, b]) {
        const went = p.lines.filter((l) => l['type'] === 'state' && l['state'] !== 'closed').map((l) => l['state']);
        expect(went, summary(p)).to.deep.equal(['checking', 'connected', 'completed', 'starting', 'checking', 'connected', 'completed']);
        const params = p.lines.filter((l) => l['type'] === 'params');
        expect(params, 'one params line per generation').to.have.length(2);
        expect(params[1]!['ufrag']).to.not.equal(params[0]!['ufrag']);
      }
    });
  }
});
