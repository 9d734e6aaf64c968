// NO_COLOR and TERM=dumb turn off the live status line as well as the colours.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { Output, useColor, useLiveStatus } from '../../bin/output.js';
import { CLI } from './helpers.js';

/** A stand-in for a terminal stream: records what is written. */
function fakeTty(): NodeJS.WritableStream & { isTTY: boolean; columns: number; written: string } {
  const s = { isTTY: true, columns: 80, written: '', write: (chunk: string) => ((s.written += chunk), true) };
  return s as unknown as NodeJS.WritableStream & { isTTY: boolean; columns: number; written: string };
}

const CASES: [string, NodeJS.ProcessEnv, boolean][] = [
  ['a terminal', { TERM: 'xterm-256color' }, true],
  ['NO_COLOR=1', { TERM: 'xterm-256color', NO_COLOR: '1' }, false],
  ['TERM=dumb', { TERM: 'dumb' }, false],
  ['NO_COLOR empty (unset, per no-color.org)', { TERM: 'xterm', NO_COLOR: '' }, true],
];

describe('ice-probe live status line', () => {
  for (const [what, env, live] of CASES) {
    it(`${what}: ${live ? 'colours and a status line' : 'no colours, no status line, plain lines'}`, () => {
      const out = fakeTty();
      const err = fakeTty();
      expect(useColor(err, env)).to.equal(live);
      expect(useLiveStatus(err, env)).to.equal(live);
      const o = new Output(out, err, env);
      o.startStatus(() => 'gathering: 0 candidates');
      o.note('a diagnostic');
      o.stopStatus();
      expect(err.written.includes('gathering: 0 candidates')).to.equal(live);
      expect(err.written.includes('\x1b[')).to.equal(live);
      if (!live) expect(err.written).to.equal('a diagnostic\n');
    });
  }

  describe('end to end, in a pseudo-terminal (script(1))', function () {
    this.timeout(10_000);
    let hasScript = true;
    before(() => {
      try {
        execFileSync('script', ['--version'], { stdio: 'ignore' });
      } catch {
        hasScript = false;
      }
    });

    const inPty = (env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} gather --address 127.0.0.1 --timeout 2`;
        const p = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        p.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
        p.on('close', (code) => resolve({ code, output }));
      });

    for (const [what, env, live] of CASES.slice(0, 3)) {
      it(`${what}: ${live ? 'the status line is drawn' : 'no escape sequence at all'}`, async function () {
        if (!hasScript) return this.skip(); // util-linux script(1) not installed
        const env2: NodeJS.ProcessEnv = { ...env };
        if (!('NO_COLOR' in env)) env2['NO_COLOR'] = '';
        const r = await inPty(env2);
        expect(r.code, r.output).to.equal(0);
        expect(r.output).to.match(/1 candidate in [\d.]+ ms, gathering complete/);
        expect(r.output.includes('\r\x1b[2K'), 'status line').to.equal(live);
        expect(r.output.includes('\x1b['), 'any escape sequence').to.equal(live);
      });
    }
  });
});
