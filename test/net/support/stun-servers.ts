/**
 * STUN servers on loopback for gathering tests: node-stun (RFC 3489, a package
 * nobody here wrote), our own Binding responder, and a server that never answers.
 */
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { bindingResponse } from '../../../lib/stun/binding-responder.js';
import { decodeMessage } from '../../../lib/stun/decode.js';

const require = createRequire(import.meta.url);

export interface LocalStunServer {
  readonly host: string;
  readonly port: number;
  /** Datagrams received so far. */
  readonly received: () => number;
  close(): Promise<void>;
}

interface NodeStunServer {
  listen(): void;
  close(): void;
  on(event: 'log', fn: (e: { level: string; message: string }) => void): void;
  _sockets: dgram.Socket[]; // private in node-stun; read only to count traffic and catch bind errors
}

function closeSocket(s: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

/** node-stun on 127.0.0.1:P (primary) and 127.0.0.2:P+1 (secondary), P random in 40000-60000, retried if taken. */
export async function startNodeStun(): Promise<LocalStunServer> {
  const stun = require('node-stun') as { createServer(cfg: object): NodeStunServer };
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = randomInt(40000, 60000);
    const server = stun.createServer({ primary: { host: '127.0.0.1', port }, secondary: { host: '127.0.0.2', port: port + 1 } });
    let listening = 0;
    const ready = new Promise<boolean>((resolve) => {
      server.on('log', (e) => {
        if (/listening on/.test(e.message) && ++listening === 4) resolve(true);
      });
      server.listen();
      for (const s of server._sockets) s.once('error', () => resolve(false));
    });
    if (await ready) {
      const sockets = [...server._sockets];
      let count = 0;
      for (const s of sockets) s.on('message', () => count++);
      return {
        host: '127.0.0.1',
        port,
        received: () => count,
        close: async () => {
          const closed = sockets.map((s) => once(s, 'close'));
          server.close();
          await Promise.all(closed);
        },
      };
    }
    for (const s of server._sockets) await closeSocket(s);
  }
  throw new Error('could not bind node-stun on loopback');
}

async function bindLoopback(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

/** Our own RFC 8489 Binding responder (lib/stun bindingResponse) on a socket bound to 127.0.0.1. */
export async function startBindingResponder(): Promise<LocalStunServer> {
  const s = await bindLoopback();
  let count = 0;
  s.on('message', (datagram, rinfo) => {
    count++;
    const r = decodeMessage(datagram);
    if (!r.ok) return;
    const out = bindingResponse(r.message, { address: rinfo.address, port: rinfo.port, family: 4 });
    if (out) s.send(out, rinfo.port, rinfo.address);
  });
  return { host: '127.0.0.1', port: s.address().port, received: () => count, close: () => closeSocket(s) };
}

/** A bound socket on 127.0.0.1 that counts requests and never answers. */
export async function startSilentServer(): Promise<LocalStunServer> {
  const s = await bindLoopback();
  let count = 0;
  s.on('message', () => count++);
  return { host: '127.0.0.1', port: s.address().port, received: () => count, close: () => closeSocket(s) };
}
