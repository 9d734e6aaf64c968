// Raw UDP sockets for real-socket tests (loopback only): bind, close, wait for a datagram.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

export const LOOPBACK = '127.0.0.1';

/** A UDP socket bound to `address` on a free port; its errors are the test's, never thrown. */
export async function bindUdp(address = LOOPBACK): Promise<Socket> {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  s.on('error', () => { /* an attacker's or a stub server's socket errors are not the test's subject */ });
  s.bind(0, address);
  await once(s, 'listening');
  return s;
}

/** Closes `s`; resolves at once if it is already closed (or never bound). */
export function closeSocket(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** True if a UDP socket can be bound on `address` (e.g. ::1 is absent when IPv6 is disabled). */
export async function canBind(address: string): Promise<boolean> {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  const ok = await new Promise<boolean>((resolve) => {
    s.once('error', () => resolve(false));
    s.once('listening', () => resolve(true));
    s.bind(0, address);
  });
  await closeSocket(s);
  return ok;
}

/** The next datagram `s` receives that `accept` takes; rejects after `timeoutMs` naming `what`. */
export function nextMessage(s: Socket, accept: (m: Buffer) => boolean = () => true, what = 'a datagram', timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off('message', on);
      reject(new Error(`no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: Buffer): void => {
      if (!accept(m)) return;
      clearTimeout(timer);
      s.off('message', on);
      resolve(m);
    };
    s.on('message', on);
  });
}
