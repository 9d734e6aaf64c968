// Start and stop a real coturn (Debian's `turnserver` 4.6) on loopback for tests. Test-only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TURNSERVER = '/usr/bin/turnserver';
export const REALM = 'ice-agent.test';
export const USER = 'alice';
export const PASS = 'alicepass';
export const SECRET = 's3cret';

/** Why coturn tests cannot run here, or undefined when they can. */
export function coturnMissing(): string | undefined {
  if (spawnSync(TURNSERVER, ['--version']).error) return `${TURNSERVER} is not installed (Debian package coturn)`;
  if (spawnSync('ss', ['-V']).error) return '`ss` (iproute2) is not installed';
  return undefined;
}

export interface CoturnOptions {
  readonly auth: 'static' | 'rest';
  /** How many relay ports (default 41): clients that never delete their allocations (werift) use one each for 10 min. */
  readonly relayPortCount?: number;
  readonly tls?: boolean;
  /** Extra flags, e.g. the short timers. */
  readonly extra?: readonly string[];
}

export interface Coturn {
  readonly port: number;
  readonly tlsPort: number | undefined;
  /** PEM of the self-signed certificate the server presents (TLS only). */
  readonly certPem: Buffer | undefined;
  readonly relayPorts: { readonly min: number; readonly max: number };
  log(): string;
  /** How the server process ended, if it did (a crash shows here). */
  exitStatus(): string | undefined;
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = randomInt(20_000, 40_000);
    const udp = dgram.createSocket('udp4');
    const tcp = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
    });
    udp.close();
    await new Promise<void>((r) => (tcp.listening ? tcp.close(() => r()) : r()));
    if (ok) return port;
  }
}

function listening(proto: 'u' | 't', port: number): boolean {
  const out = spawnSync('ss', [`-Hl${proto}n`], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').some((line) => line.includes(`127.0.0.1:${port} `));
}

/** Wait until `ss` shows the ports (coturn takes a moment to open them). */
async function waitListening(checks: readonly ['u' | 't', number][], child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!checks.every(([p, port]) => listening(p, port))) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${log()}`);
    if (Date.now() > until) throw new Error(`turnserver did not listen on ${JSON.stringify(checks)} within 15 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'c.pem');
  const key = join(dir, 'k.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key };
}

export async function startCoturn(o: CoturnOptions): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'turn-test-'));
  const port = await freePort();
  const tlsPort = o.tls ? await freePort() : undefined;
  const count = o.relayPortCount ?? 41;
  const min = randomInt(50_000, 65_000 - count);
  const relayPorts = { min, max: min + count - 1 };
  const auth = o.auth === 'static' ? ['--lt-cred-mech', `--user=${USER}:${PASS}`] : ['--use-auth-secret', `--static-auth-secret=${SECRET}`];
  const tls = o.tls ? (() => { const c = makeCertificate(dir); return [`--tls-listening-port=${tlsPort}`, `--cert=${c.cert}`, `--pkey=${c.key}`]; })() : ['--no-tls'];
  const args = ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    `--min-port=${relayPorts.min}`, `--max-port=${relayPorts.max}`, `--realm=${REALM}`, ...auth, '--fingerprint',
    '--allow-loopback-peers', '--no-multicast-peers', '--no-cli', '--no-dtls', ...tls, `--userdb=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`, '--log-file=stdout', '--simple-log', '--verbose', ...(o.extra ?? [])];
  const child = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => { lines.push(...chunk.toString().split('\n')); if (lines.length > 400) lines.splice(0, lines.length - 400); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const log = (): string => lines.join('\n');
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening([['u', port], ['t', port], ...(tlsPort ? [['t', tlsPort] as ['t', number]] : [])], child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  const certPem = o.tls ? readFileSync(join(dir, 'c.pem')) : undefined;
  const exitStatus = (): string | undefined => (child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode ?? undefined);
  return { port, tlsPort, certPem, relayPorts, log, exitStatus, stop };
}
