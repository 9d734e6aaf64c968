import * as net from 'node:net';
import * as tls from 'node:tls';
import type { TransportAddress } from '../stun/types.js';
import { channelDataPadding } from '../turn/channel-data.js';
import { StreamFramer } from '../turn/stream-framer.js';
import type { DatagramSender } from './transport.js';

/** A peer that stops reading: past this many bytes waiting in the socket, datagrams are dropped (UDP semantics). */
const MAX_BUFFERED = 1 << 20;
/** Give up connecting after this long (the kernel would wait minutes for a silent SYN). */
const CONNECT_TIMEOUT_MS = 10_000;

export interface StreamOptions {
  readonly server: TransportAddress;
  readonly tls: boolean;
  /** TLS: the name the certificate must match (an IP literal is checked against the IP SANs). */
  readonly hostname: string;
  /** TLS: trust these certificates (PEM) instead of the system store; for a test's self-signed server. */
  readonly ca?: readonly (string | Buffer)[] | undefined;
}

export interface StreamHandlers {
  /** One whole message from the server (STUN or ChannelData with its padding; the core bounds the payload). */
  frame(data: Buffer): void;
  closed(detail: string): void;
}

/** The 4-byte ChannelData header for this datagram: the route's template with LENGTH filled in. */
export function channelHeader(template: Buffer, length: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h[0] = template[0]!;
  h[1] = template[1]!;
  h.writeUInt16BE(length, 2);
  return h;
}

/** A ChannelData header (first byte 0x40-0x4F, RFC 7983) rather than some other framing. */
export function isChannelHeader(header: Buffer | undefined): header is Buffer {
  return header !== undefined && header.length === 4 && header[0]! >= 0x40 && header[0]! <= 0x4f;
}

/**
 * A TURN client connection over TCP or TLS (RFC 8656 §3.1, §12.5): messages are framed by
 * StreamFramer on the way in; ChannelData goes out padded to 4 (LENGTH excludes the padding).
 */
export class TurnStream implements DatagramSender {
  dropped = 0;
  private closedFor: string | undefined;

  private constructor(private readonly socket: net.Socket, readonly local: TransportAddress) {}

  /** Connects (TLS: verifies the certificate); rejects with a message that says why. */
  static connect(o: StreamOptions, handlers: StreamHandlers): Promise<TurnStream> {
    const { address: host, port } = o.server;
    const sni = net.isIP(o.hostname) === 0 ? o.hostname : undefined;
    const socket = o.tls
      ? tls.connect({ host, port, ...(sni !== undefined && { servername: sni }), ...(o.ca && { ca: [...o.ca] }) })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(new Error(`${o.tls ? 'TLS' : 'TCP'} connection to ${host}:${port} failed: ${err.message}`));
      };
      socket.once('error', fail);
      socket.once(o.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        const local: TransportAddress = { address: socket.localAddress ?? '', port: socket.localPort ?? 0, family: o.server.family };
        const stream = new TurnStream(socket, local);
        stream.wire(handlers);
        resolve(stream);
      });
    });
  }

  private wire(h: StreamHandlers): void {
    const framer = new StreamFramer();
    this.socket.on('data', (chunk: Buffer) => {
      const r = framer.push(chunk);
      for (const f of r.frames) h.frame(f);
      // Out of sync: there is no way to find the next frame (RFC 8656 §12.5). Close.
      if (r.error) this.socket.destroy(new Error(`framing error (${r.error})`));
    });
    this.socket.on('error', (err) => (this.closedFor ??= err.message));
    this.socket.on('close', () => h.closed(this.closedFor ?? 'connection closed by the server'));
  }

  /** One message: STUN as it is, ChannelData with this datagram's LENGTH and zero padding to 4. */
  send(_to: TransportAddress, data: Buffer, header?: Buffer): void {
    const s = this.socket;
    if (s.destroyed || s.writableLength > MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    if (!isChannelHeader(header)) {
      s.write(header === undefined ? data : Buffer.concat([header, data]));
      return;
    }
    const pad = channelDataPadding(data.length);
    s.cork();
    s.write(channelHeader(header, data.length));
    s.write(data);
    if (pad.length > 0) s.write(pad);
    s.uncork();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }
}
