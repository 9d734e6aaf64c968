/**
 * `npm run report:screenshot`: writes docs/report-selftest.png (the picture in the
 * README) the way the browser test makes its screenshot. Needs Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReportBrowser, chromiumMissing } from './support/browser.js';
import { pngSize } from './support/real-runs.js';
import { selftestScreenshot } from './support/screenshot.js';

const target = fileURLToPath(new URL('../../../docs/report-selftest.png', import.meta.url));

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'ice-report-shot-'));
  const browser = await ReportBrowser.open();
  try {
    const { load, png } = await selftestScreenshot(browser, dir);
    if (load.problems.length > 0 || load.requests.length !== 1) throw new Error(`page problems: ${JSON.stringify(load)}`);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, png);
    const { width, height } = pngSize(png);
    process.stdout.write(`wrote ${target} (${width}x${height}, ${png.length} bytes)\n`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`report:screenshot: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
