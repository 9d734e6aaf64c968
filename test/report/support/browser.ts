/**
 * Headless Chromium for report tests, over the CDP pipe helper of the interop
 * tests. The helper answers commands; the events this module needs (network
 * requests, console messages, load) are read from the same pipe by a second
 * listener. Chromium resolves no host name here (--host-resolver-rules), so
 * even a report that tried to load something could not reach the network.
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable } from 'node:stream';
import { CdpPipe } from '../../interop/support/cdp-pipe.js';

export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND', '--hide-scrollbars',
];

/** Why the browser tests cannot run here, or undefined. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM} is not installed (apt-get install -y chromium, or set $CHROMIUM)`;
  }
}

interface CdpEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly sessionId?: string;
}

export interface PageLoad {
  /** Every URL the page asked for, the document's own included. */
  readonly requests: string[];
  /** Console messages and log entries at level error or warning, and uncaught exceptions. */
  readonly problems: string[];
}

export class ReportBrowser {
  private readonly events: CdpEvent[] = [];
  private readonly waiters: { match: (e: CdpEvent) => boolean; resolve: (e: CdpEvent) => void }[] = [];

  private constructor(private readonly cdp: CdpPipe, private readonly profile: string, readonly session: string) {}

  static async open(): Promise<ReportBrowser> {
    const profile = mkdtempSync(join(tmpdir(), `ice-report-${process.pid}-`));
    const cdp = CdpPipe.launch(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank']);
    try {
      const session = await cdp.attachToPage();
      const browser = new ReportBrowser(cdp, profile, session);
      browser.tap(cdp.child.stdio[4] as Readable);
      for (const domain of ['Page', 'Network', 'Runtime', 'Log']) await cdp.send(`${domain}.enable`, {}, session);
      await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false }, session);
      return browser;
    } catch (err) {
      await cdp.close();
      rmSync(profile, { recursive: true, force: true });
      throw err;
    }
  }

  /** Opens `file` (file://) and resolves after its load event, with what it requested and complained about. */
  async load(file: string): Promise<PageLoad> {
    const from = this.events.length;
    const loaded = this.next((e) => e.method === 'Page.loadEventFired');
    await this.cdp.send('Page.navigate', { url: pathToFileURL(file).href }, this.session);
    await loaded;
    // Console and network events of the load come before loadEventFired on the same pipe; one more round trip settles late ones.
    await this.cdp.evaluate(this.session, 'document.readyState');
    const seen = this.events.slice(from).filter((e) => e.sessionId === this.session);
    return {
      requests: seen.filter((e) => e.method === 'Network.requestWillBeSent').map((e) => String((e.params['request'] as { url?: string } | undefined)?.url)),
      problems: seen.flatMap(problem),
    };
  }

  evaluate<T>(expression: string): Promise<T> {
    return this.cdp.evaluate<T>(this.session, expression);
  }

  /** A PNG of the whole page at 1280 px wide. */
  async screenshot(): Promise<Buffer> {
    const metrics = (await this.cdp.send('Page.getLayoutMetrics', {}, this.session)) as { cssContentSize: { width: number; height: number } };
    const { width, height } = metrics.cssContentSize;
    const shot = (await this.cdp.send('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: Math.ceil(width), height: Math.ceil(height), scale: 1 },
    }, this.session)) as { data: string };
    return Buffer.from(shot.data, 'base64');
  }

  /** The page printed (A4 landscape from the report's print CSS). */
  async pdf(): Promise<Buffer> {
    const r = (await this.cdp.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: true }, this.session)) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  async close(): Promise<void> {
    await this.cdp.close();
    rmSync(this.profile, { recursive: true, force: true });
  }

  private next(match: (e: CdpEvent) => boolean): Promise<CdpEvent> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private tap(input: Readable): void {
    let buffered = '';
    input.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        const msg = JSON.parse(buffered.slice(0, end)) as Partial<CdpEvent> & { id?: number };
        buffered = buffered.slice(end + 1);
        if (msg.id !== undefined || msg.method === undefined) continue;
        const e: CdpEvent = { method: msg.method, params: msg.params ?? {}, ...(msg.sessionId !== undefined && { sessionId: msg.sessionId }) };
        this.events.push(e);
        for (const w of this.waiters.filter((x) => x.match(e))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    });
  }
}

function problem(e: CdpEvent): string[] {
  const p = e.params;
  if (e.method === 'Runtime.exceptionThrown') return [`exception: ${JSON.stringify(p['exceptionDetails'])}`];
  if (e.method === 'Runtime.consoleAPICalled' && (p['type'] === 'error' || p['type'] === 'warning')) return [`console.${String(p['type'])}: ${JSON.stringify(p['args'])}`];
  const entry = p['entry'] as { level?: string; text?: string; source?: string } | undefined;
  if (e.method === 'Log.entryAdded' && (entry?.level === 'error' || entry?.level === 'warning')) return [`log ${entry.source}: ${entry.text}`];
  return [];
}

/** Writes `html` to a fresh temporary file and returns its path (the caller removes the directory). */
export function tempHtml(html: string, name = 'report.html'): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `ice-report-${process.pid}-`));
  const file = join(dir, name);
  writeFileSync(file, html);
  return { file, dir };
}
