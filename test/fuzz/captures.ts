/** The captured seed datagrams in fixtures/captures/ and the credentials they were made with. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAPTURE_CREDENTIALS = {
  a: { ufrag: 'fuzzA', pwd: 'fuzzApasswordfuzzApassw' },
  b: { ufrag: 'fuzzB', pwd: 'fuzzBpasswordfuzzBpassw' },
} as const;

const here = dirname(fileURLToPath(import.meta.url));
// dist/test/fuzz -> fixtures/captures
export const CAPTURES_DIR = join(here, '..', '..', '..', 'fixtures', 'captures');

export function loadCaptures(dir = CAPTURES_DIR): { name: string; data: Buffer }[] {
  const names = readdirSync(dir).filter((n) => n.endsWith('.bin')).sort();
  if (names.length === 0) throw new Error(`no captures in ${dir}: run node dist/test/fuzz/capture.js`);
  return names.map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}
