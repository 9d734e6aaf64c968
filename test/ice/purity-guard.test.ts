// The core is sans-IO (ARCHITECTURE.md): lib/stun and lib/ice never touch sockets,
// timers, the wall clock, randomness or the console, and respect the layering.
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/ice/: the sources are three levels up.
const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));

// Built from pieces so these words never appear literally in a scanned file.
const FORBIDDEN = new RegExp(
  ['\\bdgr' + 'am\\b', 'setTime' + 'out', 'setInter' + 'val', 'Date\\.n' + 'ow', 'performance\\.n' + 'ow', 'Math\\.ran' + 'dom', 'conso' + 'le\\.'].join('|'),
);
const IMPORT_SPEC = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** file:line for each forbidden mention (comments included: the rule is lexical). */
function findForbidden(files: readonly string[]): string[] {
  const hits: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (FORBIDDEN.test(line)) hits.push(`${relative(LIB, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

/** Imports from `file` that resolve into one of the banned lib folders/modules. */
function bannedImports(files: readonly string[], banned: readonly string[]): string[] {
  const hits: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_SPEC)) {
      const spec = m[1] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const rel = relative(LIB, target).split(sep).join('/');
      const top = rel.split('/')[0] ?? '';
      if (banned.some((b) => top === b || top === `${b}.js` || top === `${b}.ts`)) {
        const line = text.slice(0, m.index).split('\n').length;
        hits.push(`${relative(LIB, file)}:${line}: imports '${spec}'`);
      }
    }
  }
  return hits;
}

describe('purity guard (lib/stun, lib/ice are sans-IO)', () => {
  const stun = tsFiles(join(LIB, 'stun'));
  const ice = tsFiles(join(LIB, 'ice'));

  it('finds the sources', () => {
    expect(stun.length).to.be.greaterThan(0);
    expect(ice.length).to.be.greaterThan(0);
  });

  it('never mentions sockets, timers, the clock, randomness or the console', () => {
    const hits = findForbidden([...stun, ...ice]);
    expect(hits, `forbidden in the pure core:\n${hits.join('\n')}`).to.deep.equal([]);
  });

  it('lib/stun imports nothing from ice, net or session', () => {
    const hits = bannedImports(stun, ['ice', 'net', 'session']);
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });

  it('lib/ice imports nothing from net or session', () => {
    const hits = bannedImports(ice, ['net', 'session']);
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });
});
