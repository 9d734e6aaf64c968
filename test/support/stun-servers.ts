/**
 * STUN servers on loopback for real-socket tests: node-stun (RFC 3489, a package nobody here
 * wrote), our own Binding responder, and a server that never answers.
 */
import type * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { bindUdp, closeSocket, LOOPBACK } from './udp.js';
import { stunServerReply } from './stun-reply.js';

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

/** node-stun on 127.0.0.1:P (primary) and 127.0.0.2:P+1 (secondary), P random in 40000-60000, retried if taken. */
export async function startNodeStun(): Promise<LocalStunServer> {
  const stun = require('node-stun') as { createServer(cfg: object): NodeStunServer };
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = randomInt(40000, 60000);
    const server = stun.createServer({ primary: { host: LOOPBACK, port }, secondary: { host: '127.0.0.2', port: port + 1 } });
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
        host: LOOPBACK,
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

/** Our own RFC 8489 Binding responder (lib/stun bindingResponse) on a socket bound to `address`. */
export async function startBindingResponder(opts: { readonly address?: string; readonly software?: string } = {}): Promise<LocalStunServer> {
  const s = await bindUdp(opts.address ?? LOOPBACK);
  let count = 0;
  s.on('message', (datagram, rinfo) => {
    count++;
    const out = stunServerReply(datagram, { address: rinfo.address, port: rinfo.port, family: 4 }, opts.software === undefined ? {} : { software: opts.software });
    if (out) s.send(out, rinfo.port, rinfo.address);
  });
  return { host: s.address().address, port: s.address().port, received: () => count, close: () => closeSocket(s) };
}

/** A bound socket on `address` that counts what it receives and never answers. */
export async function startSilentServer(address = LOOPBACK): Promise<LocalStunServer> {
  const s = await bindUdp(address);
  let count = 0;
  s.on('message', () => count++);
  return { host: s.address().address, port: s.address().port, received: () => count, close: () => closeSocket(s) };
}
