/**
 * `ice-probe serve`: an echo endpoint on one UDP port, ICE-lite by default. Sessions are offered
 * over a small HTTP API (bin/serve-http.ts); every datagram a session receives is sent back on its
 * component. With --workers N, one process per worker, each on its own port (bin/serve-cluster.ts).
 */
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { IceServer, type PeerAddress } from '../lib/server/index.js';
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { hostPort } from './format.js';
import { jsonLine, type Output } from './output.js';
import { ClusterHost, WORKER_ENV, forkWorkers, serveWorker, workerEvent, type WorkerMessage } from './serve-cluster.js';
import { startHttp, type SessionHost } from './serve-http.js';
import { EchoSessions, type ServeCounters, type SessionEvent } from './serve-sessions.js';
import { ServeStatus } from './serve-status.js';

interface ServeOptions {
  readonly addresses: string[];
  readonly port: number;
  readonly announce: string[];
  readonly lite: boolean;
  readonly components: number;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly workers: number;
  readonly idleTimeoutMs: number;
  readonly json: boolean;
  readonly verbose: boolean;
}

const NOTES = `HTTP API (JSON):
  POST   /session       {"ufrag","pwd","candidates":["candidate:..."],"lite"?,"components"?}
                        -> 201 {"ufrag","pwd","lite","components","candidates","session"}
  DELETE /session/ID    ends a session (ID: the "session" of the answer, URL-encoded)
  GET    /stats         the counters
A client: ice-probe peer --server http://127.0.0.1:PORT --send hello   (or curl: README "Server mode").
Sessions end when deleted, when ICE fails, or when not connected within --idle-timeout.
Live counters on a terminal (not with NO_COLOR or TERM=dumb); --json prints events and a stats line
every 5 s. SIGINT or SIGTERM stops it cleanly (exit 0).`;

function options(args: ParsedArgs): ServeOptions {
  args.exclusive('lite', 'full');
  const addresses = args.ips('address');
  return {
    addresses: addresses.length > 0 ? addresses : ['127.0.0.1'],
    port: args.int('port', 0, 0, 65535),
    announce: args.ips('announce'),
    lite: !args.flag('full'),
    components: args.int('components', 1, 1, 2),
    httpHost: args.ip('http-host', '127.0.0.1'),
    httpPort: args.int('http', 0, 0, 65535),
    workers: args.int('workers', 1, 1, 64),
    idleTimeoutMs: args.seconds('idle-timeout', 30),
    json: args.flag('json'),
    verbose: args.flag('verbose'),
  };
}

/** One IceServer: worker `worker` of several (its own port), or the only one. */
function listen(o: ServeOptions, worker: number | undefined, onUnknown: (ufrag: string, from: PeerAddress) => void): Promise<IceServer> {
  return IceServer.listen({
    address: o.addresses, announcedAddress: o.announce, lite: o.lite, components: o.components,
    port: o.port === 0 ? 0 : o.port + (worker ?? 0) * o.components,
    ...(worker !== undefined && { worker }),
    onUnknownUfrag: onUnknown,
  });
}

async function runWorker(o: ServeOptions, k: number): Promise<number> {
  const emit = workerEvent(k);
  const server = await listen(o, k, (ufrag, from) => emit({ event: 'unknown-ufrag', ufrag, from: hostPort(from) }));
  const sessions = new EchoSessions(server, o.idleTimeoutMs, emit);
  // The primary stops the workers; a terminal's Ctrl-C reaches every process of the group.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  return new Promise<number>((resolve) => {
    serveWorker(k, sessions, server.candidateAddresses.map(hostPort), async () => {
      await sessions.closeAll();
      await server.close();
      setImmediate(() => {
        cluster.worker?.disconnect();
        resolve(0);
      });
    });
  });
}

interface Running {
  readonly host: SessionHost;
  readonly udp: readonly string[];
  stop(): Promise<void>;
}

async function startLocal(o: ServeOptions, onEvent: (e: SessionEvent) => void): Promise<Running> {
  const server = await listen(o, undefined, (ufrag, from) => onEvent({ event: 'unknown-ufrag', ufrag, from: hostPort(from) }));
  const sessions = new EchoSessions(server, o.idleTimeoutMs, onEvent);
  const host: SessionHost = {
    create: (offer) => sessions.create(offer),
    close: (id) => sessions.close(id),
    counters: () => Promise.resolve(sessions.counters()),
  };
  return { host, udp: server.candidateAddresses.map(hostPort), stop: async () => { await sessions.closeAll(); await server.close(); } };
}

async function startCluster(o: ServeOptions, onEvent: (e: SessionEvent) => void): Promise<Running> {
  const udp: string[][] = [];
  const workers = await forkWorkers(
    o.workers,
    (m) => (udp[m.worker] = [...m.addresses]),
    (m: WorkerMessage & { type: 'event' }) => onEvent(m.event),
  );
  const host = new ClusterHost(workers);
  return { host, udp: udp.flat(), stop: () => host.stop() };
}

function describeEvent(e: SessionEvent): string {
  if (e.event === 'session') return `session ${e.session} for client ${e.client}`;
  if (e.event === 'connected') return `session ${e.session} connected from ${e.remote}`;
  if (e.event === 'unknown-ufrag') return `check for unknown ufrag ${e.ufrag} from ${e.from} dropped`;
  return `session ${e.session} closed: ${e.why}`;
}

async function runPrimary(o: ServeOptions, out: Output): Promise<number> {
  const print = (e: SessionEvent): void => {
    if (o.json) out.line(jsonLine(e));
    else if (o.verbose) out.note(describeEvent(e));
  };
  let running: Running;
  let http: Server;
  try {
    running = o.workers > 1 ? await startCluster(o, print) : await startLocal(o, print);
    http = await startHttp(running.host, o.httpHost, o.httpPort);
  } catch (err) {
    out.note(out.errStyle.red(`ice-probe serve: ${(err as Error).message}`));
    return 1;
  }
  const httpAt = http.address() as { address: string; port: number };
  const url = `http://${hostPort(httpAt)}`;
  const mode = `${o.lite ? 'ICE-lite' : 'full ICE'}, ${o.components} component${o.components === 1 ? '' : 's'}, ${o.workers} worker${o.workers === 1 ? '' : 's'}`;
  if (o.json) out.line(jsonLine({ event: 'listening', udp: running.udp, http: url, lite: o.lite, components: o.components, workers: o.workers }));
  else out.line(`listening on udp ${running.udp.join(' ')} (${mode}); sessions: POST ${url}/session`);
  const status = new ServeStatus(() => running.host.counters(), out, o.json, running.udp[0] ?? '');
  status.start();
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void (async () => {
        const last = await status.stop();
        http.closeAllConnections();
        await new Promise<void>((r) => http.close(() => r()));
        await running.stop();
        printStopped(out, o.json, signal, last);
        resolve(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function printStopped(out: Output, json: boolean, signal: NodeJS.Signals, c: ServeCounters | undefined): void {
  if (json) return out.line(jsonLine({ event: 'stopped', signal, ...c }));
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  const counters = c ? `: ${n(c.opened, 'session')}, ${c.connected} connected, ${n(c.echoed, 'datagram')} echoed, ${n(c.unknownUfrag, 'unknown-ufrag drop')}` : '';
  out.line(`stopped by ${signal}${counters}`);
}

export const serveCommand: Command = {
  spec: {
    name: 'serve',
    brief: 'an ICE echo endpoint: many sessions on one UDP port (ICE-lite by default), signalled over HTTP',
    usage: 'ice-probe serve [--address IP]... [--port N] [--announce IP]... [--lite|--full] [--components N] [--http PORT] [--http-host IP] [--workers N] [--idle-timeout S] [--json] [--verbose]',
    summary: 'An echo endpoint: ICE sessions on one UDP port (IceServer), each sending back every datagram it receives.',
    options: {
      address: { type: 'string', multiple: true, arg: 'IP', help: 'address to bind, one per family (default 127.0.0.1; 0.0.0.0 or :: with --announce)' },
      port: { type: 'string', arg: 'N', help: 'UDP port (default 0: any free port); worker k uses N + k' },
      announce: { type: 'string', multiple: true, arg: 'IP', help: 'public address of a 1:1 NAT (cloud instance): candidates carry it' },
      lite: { type: 'boolean', help: 'ICE-lite sessions (the default)' },
      full: { type: 'boolean', help: 'full ICE sessions (controlled; they check too, paced across the port)' },
      components: { type: 'string', arg: 'N', help: '1 (default) or 2: a port per component' },
      http: { type: 'string', arg: 'PORT', help: 'HTTP port of the session API (default 0: any free port)' },
      'http-host': { type: 'string', arg: 'IP', help: 'HTTP address (default 127.0.0.1)' },
      workers: { type: 'string', arg: 'N', help: 'processes, each with its own UDP port (default 1)' },
      'idle-timeout': { type: 'string', arg: 'S', help: 'end a session not connected after S seconds (default 30)' },
      json: { type: 'boolean', help: 'print JSON lines' },
      verbose: { type: 'boolean', short: 'v', help: 'log sessions to stderr' },
      help: HELP_OPTION,
    },
    notes: NOTES,
  },

  run(args: ParsedArgs, out: Output): Promise<number> {
    const o = options(args);
    const worker = process.env[WORKER_ENV];
    if (cluster.isWorker && worker !== undefined) return runWorker(o, Number(worker));
    return runPrimary(o, out);
  },
};
