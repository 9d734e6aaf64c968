// The protocol is pure, the world is injected (ARCHITECTURE.md): the sans-IO folders never touch
// sockets, timers, the clock, randomness or the console, and each imports only from the layers
// below it. One guard for every pure folder, read from the sources.
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/: the sources are two levels up.
const LIB = fileURLToPath(new URL('../../lib/', import.meta.url));

/**
 * Mentions that mean I/O, time or randomness, comments included (the rule is lexical). Built
 * from pieces so that these words never appear literally in a file that the guard scans.
 */
const FORBIDDEN = [
  ['dgr', 'am'], ['setTime', 'out'], ['setInter', 'val'], ['setImme', 'diate'], ['queueMicro', 'task'], ['process.next', 'Tick'],
  ['Date', '.now'], ['new Da', 'te'], ['performance', '.now'], ['hrti', 'me'], ['Math', '.random'], ['con', 'sole'],
].map((p) => p.join(''));

/** lib/util modules that are themselves pure: errors, the RandomSource interface (and its seeded source), the deadline heap, the FIFO, IP families. */
const PURE_UTIL = ['util/errors', 'util/random', 'util/deadline-heap', 'util/fifo', 'util/ip-family'];

interface PureFolder {
  readonly name: string;
  readonly files: readonly string[];
  /** At least this many sources (so that a moved folder cannot make the guard pass on nothing). */
  readonly atLeast: number;
  /** What relative imports may resolve to: a lib folder (`stun`) or a module (`util/errors`). */
  readonly mayImport: readonly string[];
  /** node: built-ins it may import (pure ones: hashing, CRC, address parsing). */
  readonly builtins: readonly string[];
  /** Further forbidden words. */
  readonly alsoForbidden?: readonly string[];
  /** Files allowed a word of FORBIDDEN, and why. */
  readonly exceptions?: Readonly<Record<string, { readonly word: string; readonly why: string }>>;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const folder = (name: string): string[] => tsFiles(join(LIB, name));

const PURE: readonly PureFolder[] = [
  { name: 'lib/stun', files: folder('stun'), atLeast: 9, mayImport: ['stun', ...PURE_UTIL], builtins: ['node:crypto', 'node:zlib'] },
  { name: 'lib/ice', files: folder('ice'), atLeast: 20, mayImport: ['ice', 'stun', ...PURE_UTIL], builtins: ['node:crypto', 'node:zlib', 'node:net'] },
  { name: 'lib/turn', files: folder('turn'), atLeast: 11, mayImport: ['turn', 'stun', ...PURE_UTIL], builtins: ['node:crypto', 'node:zlib'] },
  { name: 'lib/mux', files: folder('mux'), atLeast: 6, mayImport: ['mux', 'stun', ...PURE_UTIL], builtins: [] },
  { name: 'lib/util/deadline-heap.ts', files: [join(LIB, 'util', 'deadline-heap.ts')], atLeast: 1, mayImport: ['util/errors'], builtins: [] },
  { name: 'lib/util/fifo.ts', files: [join(LIB, 'util', 'fifo.ts')], atLeast: 1, mayImport: [], builtins: [] },
  { name: 'lib/util/ip-family.ts', files: [join(LIB, 'util', 'ip-family.ts')], atLeast: 1, mayImport: [], builtins: ['node:net'] },
  {
    // The outer bound; which file may import what is pinned down below.
    name: 'lib/report',
    files: folder('report'),
    atLeast: 11,
    mayImport: ['report', 'ice', 'stun', 'util/errors', 'util/clock', 'ice-agent'],
    builtins: [],
    alsoForbidden: ['node' + ':'],
    exceptions: { 'recorder.ts': { word: 'new Da' + 'te', why: 'stamps a record with the wall-clock time its run started' } },
  },
];

/** `file:line: text` for each forbidden mention. */
function forbiddenMentions(f: PureFolder): string[] {
  const words = [...FORBIDDEN, ...(f.alsoForbidden ?? [])];
  return f.files.flatMap((file) => {
    const allowed = f.exceptions?.[basename(file)]?.word;
    return readFileSync(file, 'utf8').split('\n').flatMap((line, i) =>
      words.some((w) => w !== allowed && line.includes(w)) ? [`${relative(LIB, file)}:${i + 1}: ${line.trim()}`] : []);
  });
}

// import ... from 'x'; export {...} / * from 'x'; import 'x'; import('x')
const IMPORT_SPECS = [
  /^import\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^export\s*(?:type\s*)?(?:\*|\{)[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
  /^import\s*['"]([^'"]+)['"]/gm,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module `file` imports: `node:x` as is, relative ones as their lib path without extension (`stun/types`). */
function importsOf(file: string): { spec: string; target: string; line: number }[] {
  const text = readFileSync(file, 'utf8');
  const found = IMPORT_SPECS.flatMap((re) => [...text.matchAll(re)]).sort((x, y) => x.index - y.index);
  return found.map((m) => {
    const spec = m[1]!;
    const target = spec.startsWith('.') ? relative(LIB, resolve(dirname(file), spec)).split(sep).join('/').replace(/\.(js|ts)$/, '') : spec;
    return { spec, target, line: text.slice(0, m.index).split('\n').length };
  });
}

/** Imports of `f`'s files that its layer does not allow. */
function layeringViolations(f: PureFolder): string[] {
  const allowed = (target: string): boolean =>
    f.builtins.includes(target) || f.mayImport.some((m) => target === m || target.startsWith(`${m}/`));
  return f.files.flatMap((file) => importsOf(file)
    .filter((i) => !allowed(i.target))
    .map((i) => `${relative(LIB, file)}:${i.line}: imports '${i.spec}'`));
}

describe('purity guard: the sans-IO folders', () => {
  for (const f of PURE) {
    describe(f.name, () => {
      it(`finds its sources (at least ${f.atLeast})`, () => {
        expect(f.files.length).to.be.at.least(f.atLeast);
      });

      it('never mentions sockets, timers, the clock, randomness or the console', () => {
        const hits = forbiddenMentions(f);
        expect(hits, `forbidden in ${f.name}:\n${hits.join('\n')}`).to.deep.equal([]);
      });

      it(`imports only ${[...f.mayImport, ...f.builtins].join(', ')}`, () => {
        const hits = layeringViolations(f);
        expect(hits, hits.join('\n')).to.deep.equal([]);
      });
    });
  }

  describe('lib/report/recorder.ts (the adapter to live agents)', () => {
    const file = join(LIB, 'report', 'recorder.ts');

    it('imports from outside lib/report only the agent events (as a type), the clock interface and errors', () => {
      const outside = importsOf(file).filter((i) => !i.target.startsWith('report/')).map((i) => i.spec);
      expect(outside).to.deep.equal(['../ice-agent.js', '../util/clock.js', '../util/errors.js']);
      expect(readFileSync(file, 'utf8')).to.include("import type { IceAgentEvents } from '../ice-agent.js'");
    });

    it('the rest of lib/report imports nothing outside it but types from lib/ice and lib/stun (convert.ts) and errors (read-record.ts)', () => {
      for (const f of folder('report').filter((x) => basename(x) !== 'recorder.ts')) {
        const lines = readFileSync(f, 'utf8').split('\n');
        const outsideImports = importsOf(f).filter((i) => !i.target.startsWith('report/'));
        const outside = outsideImports.map((i) => i.spec);
        if (basename(f) === 'convert.ts') {
          expect(outside.every((o) => /^\.\.\/(ice|stun)\//.test(o)), f).to.equal(true);
          for (const i of outsideImports) expect(lines[i.line - 1], `${f}:${i.line} imports types only`).to.match(/^import type /);
        } else if (basename(f) === 'read-record.ts') expect(outside).to.deep.equal(['../util/errors.js']);
        else expect(outside, f).to.deep.equal([]);
      }
    });
  });
});
