// What `npm pack` ships, and that the packed tarball works when installed the way users install it.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface PackageJson {
  version: string;
  engines: { node: string };
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  scripts: Record<string, string>;
}

describe('api: the npm package', function () {
  this.timeout(60_000);
  let pkg: PackageJson;
  let files: string[];

  before(async () => {
    pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
    // --ignore-scripts: list what the current build would ship, without building again.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
    files = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
  });

  it('ships the built library, the CLI, their types, README, LICENSE and package.json', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/bin/ice-probe.js']) {
      expect(files, f).to.include(f);
    }
    // Every entry point package.json names is in the tarball.
    const entries = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => [e.types, e.default])];
    for (const e of entries) expect(files, e).to.include(e.replace(/^\.\//, ''));
  });

  it('ships no tests, fixtures, benchmarks, TypeScript sources or source maps', () => {
    const unwanted = files.filter((f) =>
      /^(dist\/(test|bench)\/|fixtures\/|test\/|bench\/|lib\/|bin\/|\.ci\/)/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.endsWith('.map'));
    expect(unwanted).to.deep.equal([]);
    const outside = files.filter((f) => !/^(dist\/(lib|bin)\/|README\.md$|LICENSE$|package\.json$)/.test(f));
    expect(outside).to.deep.equal([]);
  });

  it('LICENSE is the MIT licence package.json declares', async () => {
    expect((JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license).to.equal('MIT');
    expect(await readFile(join(ROOT, 'LICENSE'), 'utf8')).to.match(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });

  it('builds on prepare (git installs, checkouts without dist/) and engines names the floor CI tests', async () => {
    expect(pkg.scripts['prepare']).to.equal('npm run build');
    const ci = await readFile(join(ROOT, '.ci/run'), 'utf8');
    const floor = /^FLOOR_NODE=(\d+\.\d+\.\d+)$/m.exec(ci)?.[1];
    expect(floor, 'FLOOR_NODE in .ci/run').to.be.a('string');
    // zlib.crc32 arrived in 20.15.0 and 22.2.0 (not in 21).
    expect(pkg.engines.node).to.equal(`^${floor} || >=22.2.0`);
  });

  it('the packed tarball installs into a fresh project and its entry points and CLI work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ice-agent-pack-'));
    try {
      const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
      const tarball = join(dir, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
      const app = join(dir, 'app');
      await mkdir(app);
      await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
      // No runtime dependencies, so nothing comes from the registry.
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app });
      const script = [
        "import { IceAgent, IceError } from 'ice-agent';",
        "import { encodeMessage } from 'ice-agent/stun';",
        "import { IceAgentCore } from 'ice-agent/core';",
        "const a = new IceAgent({ addresses: ['127.0.0.1'] });",
        'await a.gather();',
        "console.log(typeof encodeMessage, typeof IceAgentCore, a.localCandidates[0].type, new IceError('ERR_TIMEOUT', 'x').code);",
        'await a.close();',
      ].join('\n');
      const { stdout: out } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
      expect(out).to.equal('function function host ERR_TIMEOUT\n');
      const { stdout: version } = await run(join(app, 'node_modules/.bin/ice-probe'), ['--version'], { cwd: app });
      expect(version).to.equal(`${pkg.version}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
