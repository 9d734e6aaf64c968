// The client side of bench/server.ts, in its own process: one UDP socket per simulated client
// (the router keys data by source address), each sending its agent's checks, pre-encoded
// (Chrome's layout, signed with the agent's password) so that the generator spends its time
// sending, not hashing.
import * as dgram from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { encodeMessage } from '../lib/stun/encode.js';
import { shortTermKey } from '../lib/stun/integrity.js';
import { METHOD_BINDING } from '../lib/stun/constants.js';
import { CLIENT, benchPwd, benchUfrag, serveRequests } from './server-ipc.js';

interface Client {
  readonly socket: dgram.Socket;
  readonly port: number;
  /** With USE-CANDIDATE (the nomination); `consent` without (RFC 7675 consent / keepalive). */
  readonly nominate: Buffer;
  readonly consent: Buffer;
  answered: boolean;
}

/** Where agents live: `count` agents of `worker` on `port`. */
interface Target {
  readonly port: number;
  readonly worker: number;
  readonly count: number;
}

let clients: Client[] = [];
let received = 0;
/** Called on every response (the closed loop of the load phase). */
let onResponse: (() => void) | undefined;

function check(ufrag: string, pwd: string, useCandidate: boolean): Buffer {
  return encodeMessage({
    method: METHOD_BINDING, cls: 'request', transactionId: randomBytes(12),
    attributes: [
      { type: 'USERNAME', value: `${ufrag}:${CLIENT.ufrag}` },
      { type: 'ICE-CONTROLLING', value: 0x1234_5678_9abc_def0n },
      ...(useCandidate ? [{ type: 'USE-CANDIDATE' as const }] : []),
      { type: 'PRIORITY', value: 1853824767 },
    ],
  }, { integrityKey: shortTermKey(pwd), fingerprint: true });
}

async function open(args: Record<string, unknown>): Promise<number> {
  const targets = args['targets'] as Target[];
  for (const t of targets) {
    for (let i = 0; i < t.count; i++) {
      const socket = dgram.createSocket('udp4');
      socket.bind(0, '127.0.0.1');
      await once(socket, 'listening');
      const client: Client = {
        socket, port: t.port, answered: false,
        nominate: check(benchUfrag(t.worker, i), benchPwd(i), true),
        consent: check(benchUfrag(t.worker, i), benchPwd(i), false),
      };
      socket.on('message', () => {
        received++;
        client.answered = true;
        onResponse?.();
      });
      clients.push(client);
    }
  }
  return clients.length;
}

/**
 * Every client nominates its agent, `window` at a time (one more sent per response); clients left
 * unanswered (lost datagrams) are sent again in the next sweep. Resolves when all are answered.
 */
async function connect(args: Record<string, unknown>): Promise<number> {
  const window = Number(args['window'] ?? 256);
  const t0 = performance.now();
  for (let pending = clients.filter((c) => !c.answered); pending.length > 0; pending = clients.filter((c) => !c.answered)) {
    let next = 0;
    const sendNext = (): void => {
      if (next >= pending.length) return;
      const c = pending[next++]!;
      c.socket.send(c.nominate, c.port, '127.0.0.1');
    };
    onResponse = sendNext;
    for (let i = 0; i < window; i++) sendNext();
    // Until the sweep is sent and answered, or nothing comes back for 100 ms (losses): then sweep again.
    for (let last = received, quiet = 0; quiet < 20; ) {
      await new Promise((r) => setTimeout(r, 5));
      if (next >= pending.length && pending.every((c) => c.answered)) break;
      quiet = received === last ? quiet + 1 : 0;
      last = received;
    }
    onResponse = undefined;
  }
  return performance.now() - t0;
}

/** A closed loop: `window` checks in flight, one sent per response; refilled when losses starve it. */
async function load(args: Record<string, unknown>): Promise<{ sent: number; received: number; ms: number }> {
  const ms = Number(args['ms']);
  const window = Number(args['window'] ?? 256);
  let next = 0;
  let sent = 0;
  const r0 = received;
  const sendOne = (): void => {
    const c = clients[next]!;
    next = (next + 1) % clients.length;
    sent++;
    c.socket.send(c.consent, c.port, '127.0.0.1');
  };
  const t0 = performance.now();
  onResponse = sendOne;
  for (let i = 0; i < window; i++) sendOne();
  let last = received;
  while (performance.now() - t0 < ms) {
    await new Promise((r) => setTimeout(r, 20));
    // Nothing came back for a tick: datagrams were lost; refill the window.
    if (received === last) for (let i = 0; i < window; i++) sendOne();
    last = received;
  }
  onResponse = undefined;
  return { sent, received: received - r0, ms: performance.now() - t0 };
}

/** Consent checks at `perSecond`, spread evenly (every client once per n / perSecond seconds). */
async function idle(args: Record<string, unknown>): Promise<{ sent: number; received: number }> {
  const ms = Number(args['ms']);
  const perSecond = Number(args['perSecond']);
  const tickMs = 10;
  let next = 0;
  let sent = 0;
  const r0 = received;
  const t0 = performance.now();
  for (let elapsed = 0; elapsed < ms; elapsed = performance.now() - t0) {
    const due = (perSecond * elapsed) / 1000;
    for (; sent < due; sent++) {
      const c = clients[next]!;
      next = (next + 1) % clients.length;
      c.socket.send(c.consent, c.port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  return { sent, received: received - r0 };
}

async function closeAll(): Promise<boolean> {
  await Promise.all(clients.map((c) => new Promise<void>((r) => c.socket.close(() => r()))));
  clients = [];
  return true;
}

serveRequests(async (op, args) => {
  switch (op) {
    case 'open': return open(args);
    case 'connect': return connect(args);
    case 'load': return load(args);
    case 'idle': return idle(args);
    case 'close': return closeAll();
    default: throw new Error(`unknown request ${op}`);
  }
});
