/**
 * A STUN Binding server on one UDP socket: decode with lib/stun, answer with
 * its bindingResponse (RFC 8489 XOR-MAPPED-ADDRESS + MAPPED-ADDRESS for old
 * clients, RFC 3489 requests get MAPPED-ADDRESS only). Used by `stun-server`
 * and by the embedded server of `selftest`.
 */
import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { bindingResponse, decodeMessage } from '../lib/stun/index.js';
import type { TransportAddress } from '../lib/index.js';

export interface StunRequestLog {
  readonly from: TransportAddress;
  /** 'answered', 'error 420' or why the datagram was dropped. */
  readonly outcome: string;
  readonly classic: boolean;
}

export interface StunUdpServer {
  readonly address: TransportAddress;
  readonly requests: number;
  close(): Promise<void>;
}

export interface StunServerOptions {
  readonly host: string;
  readonly port: number;
  readonly software?: string;
  readonly onRequest?: (log: StunRequestLog) => void;
}

/** An IPv4 client seen through a dual-stack socket arrives as ::ffff:a.b.c.d; answer it as IPv4. */
function sourceOf(rinfo: dgram.RemoteInfo): TransportAddress {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(rinfo.address);
  if (m) return { address: m[1]!, port: rinfo.port, family: 4 };
  return { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 6 : 4 };
}

export function startStunServer(opts: StunServerOptions): Promise<StunUdpServer> {
  const family = isIP(opts.host) === 6 ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type: family });
  let requests = 0;
  const software = opts.software;

  socket.on('message', (msg, rinfo) => {
    const from = sourceOf(rinfo);
    const decoded = decodeMessage(msg);
    if (!decoded.ok) {
      opts.onRequest?.({ from, outcome: `dropped (${decoded.reason})`, classic: false });
      return;
    }
    const reply = bindingResponse(decoded.message, from, software === undefined ? {} : { software });
    if (!reply) {
      opts.onRequest?.({ from, outcome: 'dropped (not a Binding request)', classic: decoded.message.classic });
      return;
    }
    requests++;
    socket.send(reply, rinfo.port, rinfo.address);
    const cls = reply.readUInt16BE(0) & 0x0110;
    opts.onRequest?.({ from, outcome: cls === 0x0110 ? 'error 420 (unknown attribute)' : 'answered', classic: decoded.message.classic });
  });

  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address: opts.host, port: opts.port, exclusive: true }, () => {
      socket.off('error', onError);
      // After binding, a socket error (ICMP noise on some systems) must not crash the server.
      socket.on('error', () => {});
      const a = socket.address();
      let closed: Promise<void> | undefined;
      resolve({
        address: { address: a.address, port: a.port, family: a.family === 'IPv6' ? 6 : 4 },
        get requests() {
          return requests;
        },
        close: () => (closed ??= new Promise<void>((done) => socket.close(() => done()))),
      });
    });
  });
}
