/** The README picture and the browser test's screenshot come from this one function. */
import type { PageLoad, ReportBrowser } from './browser.js';
import { selftestReport, type ReportRun } from './real-runs.js';

/** A real `ice-probe selftest --report` (files in `dir`), opened in Chromium, the whole page as a 1280 px wide PNG. */
export async function selftestScreenshot(browser: ReportBrowser, dir: string): Promise<{ run: ReportRun; load: PageLoad; png: Buffer }> {
  const run = await selftestReport(dir);
  if (run.code !== 0) throw new Error(`selftest failed:\n${run.output}`);
  const load = await browser.load(run.html);
  return { run, load, png: await browser.screenshot() };
}
