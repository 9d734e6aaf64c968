/**
 * coturn (Debian's `turnserver`) in a test's "public" namespace, for the NAT matrix rows that need
 * a relay: it listens and relays on the namespace's own address (no loopback peers involved).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUdpPort } from './netns.js';

export const TURN_PORT = 3479;
export const TURN_USER = 'alice';
export const TURN_PASS = 'alicepass';
const TURNSERVER = '/usr/bin/turnserver';

/** Why coturn cannot run here, or undefined. */
export function coturnMissingNs(): string | undefined {
  return spawnSync(TURNSERVER, ['--version']).error ? `${TURNSERVER} is not installed (Debian package coturn)` : undefined;
}

export interface NsCoturn {
  readonly child: ChildProcess;
  readonly log: () => string;
  /** How the server ended before stop(), if it did (a crash shows here), else undefined. */
  readonly exitStatus: () => string | undefined;
  stop(): void;
}

/** Starts coturn on `address` in `ns` (relay ports 49160-49200) and waits until it listens. */
export async function startCoturnInNs(ns: string, address: string): Promise<NsCoturn> {
  const dir = mkdtempSync(join(tmpdir(), 'turn-ns-'));
  const args = ['netns', 'exec', ns, TURNSERVER, '-n', `--listening-ip=${address}`, `--relay-ip=${address}`, `--listening-port=${TURN_PORT}`,
    '--min-port=49160', '--max-port=49200', '--realm=ice-agent.test', '--lt-cred-mech', `--user=${TURN_USER}:${TURN_PASS}`, '--fingerprint',
    '--no-multicast-peers', '--no-cli', '--no-tls', '--no-dtls', `--userdb=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`,
    '--log-file=stdout', '--simple-log', '--verbose',
    // The sites' private addresses are blackholed in the public namespace: a relayed send there fails
    // with EINVAL, and coturn 4.6 then closes the whole allocation ("closed (2nd stage), reason: general").
    // Refuse them up front, as operators do for private ranges: CreatePermission gets 403 for those peers,
    // and only the pairs to them fail.
    '--denied-peer-ip=100.64.0.0-100.127.255.255'];
  const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => { lines.push(...chunk.toString().split('\n')); if (lines.length > 200) lines.splice(0, lines.length - 200); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let stopping = false;
  const exitStatus = (): string | undefined => {
    if (stopping || (child.exitCode === null && child.signalCode === null)) return undefined;
    return child.exitCode !== null ? `exit code ${child.exitCode}` : `signal ${child.signalCode}`;
  };
  const stop = (): void => {
    stopping = true;
    if (child.pid !== undefined && child.exitCode === null) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForUdpPort(ns, TURN_PORT, 15_000);
  } catch (err) {
    stop();
    throw new Error(`${(err as Error).message}\n${lines.join('\n')}`);
  }
  return { child, log: () => lines.join('\n'), exitStatus, stop };
}
