/**
 * Reports of real runs of the built CLI on 127.0.0.1: a selftest, and a peer
 * whose other side never answers (a UDP socket that only counts what arrives).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRecord } from '../../../lib/report/read-record.js';
import type { IceRecord } from '../../../lib/report/record.js';
import { Proc, run } from '../../cli/helpers.js';
import { startSilentServer } from '../../support/stun-servers.js';

export interface ReportRun {
  readonly code: number | null;
  readonly html: string;
  readonly json: string;
  readonly record: IceRecord;
  readonly output: string;
}

function outcome(code: number | null, html: string, json: string, output: string): ReportRun {
  return { code, html, json, record: readRecord(readFileSync(json, 'utf8')), output };
}

/** `ice-probe selftest --report DIR/NAME.html --report-json DIR/NAME.json`. */
export async function selftestReport(dir: string, name = 'selftest', extra: readonly string[] = []): Promise<ReportRun> {
  const html = join(dir, `${name}.html`);
  const json = join(dir, `${name}.json`);
  const r = await run(['selftest', '--report', html, '--report-json', json, ...extra], {}, 30_000);
  return outcome(r.code, html, json, r.stdout + r.stderr);
}

/** `ice-probe peer --timeout S --report ...` given one candidate: a socket that never answers. */
export async function silentPeerReport(dir: string, timeoutS = 2): Promise<ReportRun & { readonly datagramsToSilentPeer: number }> {
  const html = join(dir, 'silent-peer.html');
  const json = join(dir, 'silent-peer.json');
  const silent = await startSilentServer();
  try {
    const p = new Proc(['peer', '--host', '127.0.0.1', '--timeout', String(timeoutS), '--report', html, '--report-json', json]);
    const line = (m: object): boolean => p.child.stdin.write(JSON.stringify(m) + '\n');
    line({ type: 'params', ufrag: 'silentufrag', pwd: 'silentpasswordsilentpassword' });
    line({ type: 'candidate', component: 1, candidate: `candidate:1 1 udp 2130706431 127.0.0.1 ${silent.port} typ host` });
    line({ type: 'end-of-candidates' });
    const { code } = await p.wait(timeoutS * 1000 + 15_000);
    return { ...outcome(code, html, json, p.stdout + p.stderr), datagramsToSilentPeer: silent.received() };
  } finally {
    await silent.close();
  }
}

/** Width and height from a PNG's IHDR chunk (throws if it is not a PNG). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('latin1', 1, 4) !== 'PNG' || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
