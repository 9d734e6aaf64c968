/**
 * Runs `ice-probe` processes inside namespaces and relays their JSON Lines
 * signalling: every params/candidate/end-of-candidates line one peer writes is
 * copied to the other peer's stdin. Records what each side reports, with the
 * time (ms since the peers were spawned) at which the relay read it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/test/system/support -> dist/bin/ice-probe.js */
export const REAL_PROBE = join(here, '..', '..', '..', 'bin', 'ice-probe.js');

/** The CLI under test: ICE_PROBE if set, else the built dist/bin/ice-probe.js; undefined if neither exists. */
export function probePath(): string | undefined {
  const path = process.env['ICE_PROBE'] ?? REAL_PROBE;
  return existsSync(path) ? path : undefined;
}

/** Every child this process started, so a signal handler can kill them by pid. */
export const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const c of children) {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
  children.clear();
}

/** Runs ice-probe inside namespace `ns` (`ip netns exec`), or in this namespace when `ns` is undefined. */
export function spawnInNs(ns: string | undefined, args: readonly string[]): ChildProcess {
  const probe = probePath();
  if (probe === undefined) throw new Error(`ice-probe is not built (${REAL_PROBE})`);
  const argv = [process.execPath, probe, ...args];
  const child = spawn(ns === undefined ? argv[0]! : 'ip', ns === undefined ? argv.slice(1) : ['netns', 'exec', ns, ...argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdin?.on('error', () => { /* peer exited: writes to its stdin fail, that is fine */ });
  return child;
}

export interface ProbeLine {
  readonly type: string;
  readonly [k: string]: unknown;
}

export interface PeerRecord {
  readonly name: string;
  readonly lines: { readonly t: number; readonly line: ProbeLine }[];
  /** t: relay clock (ms since spawn); at: the probe's own clock (ms since it started), when it reports one. */
  readonly states: { readonly t: number; readonly at: number | undefined; readonly state: string }[];
  selected: { readonly t: number; readonly local: string; readonly remote: string } | undefined;
  received: string[];
  done: { readonly t: number; readonly ok: boolean; readonly reason: string } | undefined;
  exitCode: number | null | undefined;
  stderr: string;
  sentEndOfCandidates: boolean;
}

const SIGNALLING = new Set(['params', 'candidate', 'end-of-candidates']);

/**
 * Starts both peers, relays signalling between them and resolves when both have
 * exited (or `deadlineMs` passed: then they are killed).
 */
export async function runPair(
  a: { ns: string | undefined; args: readonly string[] },
  b: { ns: string | undefined; args: readonly string[] },
  deadlineMs: number,
  opts: { readonly closeStdinsWhenConnected?: boolean; /** Hold A's signalling lines this long before B gets them. */ readonly delayAtoBMs?: number } = {},
): Promise<{ a: PeerRecord; b: PeerRecord; killed: boolean }> {
  const t0 = Date.now();
  const procs = [spawnInNs(a.ns, a.args), spawnInNs(b.ns, b.args)] as const;
  const records: PeerRecord[] = ['A', 'B'].map((name) => ({
    name, lines: [], states: [], selected: undefined, received: [], done: undefined, exitCode: undefined, stderr: '', sentEndOfCandidates: false,
  }));
  const exits = procs.map((p, i) => {
    const rec = records[i]!;
    const other = procs[1 - i]!;
    p.stderr?.on('data', (d: Buffer) => { if (rec.stderr.length < 20000) rec.stderr += d.toString(); });
    const rl = createInterface({ input: p.stdout! });
    rl.on('line', (text) => {
      const t = Date.now() - t0;
      let line: ProbeLine;
      try {
        line = JSON.parse(text) as ProbeLine;
      } catch {
        rec.stderr += `[non-JSON stdout] ${text}\n`;
        return;
      }
      rec.lines.push({ t, line });
      if (SIGNALLING.has(line.type)) {
        if (line.type === 'end-of-candidates') rec.sentEndOfCandidates = true;
        const forward = (): void => { if (other.exitCode === null && other.stdin?.writable) other.stdin.write(`${text}\n`); };
        if (i === 0 && opts.delayAtoBMs) setTimeout(forward, opts.delayAtoBMs);
        else forward();
      } else if (line.type === 'state') {
        rec.states.push({ t, at: typeof line['at'] === 'number' ? line['at'] : undefined, state: String(line['state']) });
        // ice-probe finishes 1 s after its stdin closes once connected: with loss, a `--send`
        // datagram may never arrive, so the relay ends the run once both sides are connected.
        const up = (r: PeerRecord): boolean => r.states.some((s) => s.state === 'connected' || s.state === 'completed');
        if (opts.closeStdinsWhenConnected && records.every(up)) for (const q of procs) q.stdin?.end();
      }
      else if (line.type === 'selected') rec.selected = { t, local: String(line['local']), remote: String(line['remote']) };
      else if (line.type === 'received') rec.received.push(String(line['data']));
      else if (line.type === 'done') rec.done = { t, ok: line['ok'] === true, reason: String(line['reason'] ?? '') };
    });
    return new Promise<void>((resolve) => {
      p.once('exit', (code) => {
        rec.exitCode = code;
        // The other side will get nothing more from this one.
        resolve();
      });
    });
  });
  let killed = false;
  const deadline = setTimeout(() => {
    killed = true;
    for (const p of procs) if (p.pid !== undefined && p.exitCode === null) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  }, deadlineMs);
  await Promise.all(exits);
  clearTimeout(deadline);
  return { a: records[0]!, b: records[1]!, killed };
}

/** `candidate:... typ host ...` -> 'host'. */
export function candidateType(line: string | undefined): string {
  return /\btyp (\S+)/.exec(line ?? '')?.[1] ?? '?';
}
