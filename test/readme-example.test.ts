import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The README's usage example is run as a user would: `import { IceAgent } from 'ice-agent'`. */
describe('README usage example', () => {
  it('runs and prints the output the README shows', async function () {
    this.timeout(20_000);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the library'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    const shown = /Output:\s*```\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code, 'js block').to.be.a('string');
    expect(shown, 'output block').to.be.a('string');
    expect(code!.split('\n').filter((l) => l.trim()).length).to.be.below(30);
    const dir = mkdtempSync(join(tmpdir(), 'ice-readme-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'ice-agent'), 'dir');
      writeFileSync(join(dir, 'example.mjs'), code!);
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'example.mjs')], { timeout: 15_000 });
      // Both agents run concurrently: compare each agent's own sequence and the reply.
      const lines = (s: string, who: string): string[] => s.split('\n').filter((l) => l.startsWith(who));
      for (const who of ['a:', 'b:', 'echo']) expect(lines(stdout, who)).to.deep.equal(lines(shown!, who));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
