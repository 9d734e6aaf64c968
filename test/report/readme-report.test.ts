// The README's Reports example, run as a user would: `import ... from 'ice-agent/report'`
// through the package's exports, two agents on loopback, both files written.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readRecord } from '../../lib/report/read-record.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('README Reports example', () => {
  it('runs through the ice-agent/report export and writes a report of two connected agents', async function () {
    this.timeout(20_000);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Reports')))?.[1];
    expect(code).to.include("from 'ice-agent/report'");
    const dir = mkdtempSync(join(tmpdir(), 'ice-readme-report-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'ice-agent'), 'dir');
      writeFileSync(join(dir, 'example.mjs'), code!);
      await promisify(execFile)(process.execPath, ['example.mjs'], { cwd: dir, timeout: 15_000 });
      const record = readRecord(readFileSync(join(dir, 'run.json'), 'utf8'));
      expect(record.run.verdict).to.deep.equal({ ok: true, reason: 'both connected' });
      expect(record.agents.map((a) => a.label)).to.deep.equal(['A', 'B']);
      const html = readFileSync(join(dir, 'run.html'), 'utf8');
      expect(html).to.include('data-verdict="ok"');
      expect(html).to.match(/data-candidate="host 127\.0\.0\.1:\d+"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
