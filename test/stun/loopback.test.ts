import { createSocket, type Socket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { bindingResponse } from '../../lib/stun/binding-responder.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { isStunDatagram, looksLikeClassicStun } from '../../lib/stun/demux.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import type { StunMessage } from '../../lib/stun/types.js';

const require = createRequire(import.meta.url);

interface NodeStunServer {
  listen(): void;
  close(): void;
  on(event: 'log', fn: (e: { level: string; message: string }) => void): void;
  _sockets: Socket[]; // private in node-stun; read only to attach error handlers
}

async function bindUdp(address: string): Promise<Socket> {
  const s = createSocket('udp4');
  s.bind(0, address);
  await once(s, 'listening');
  return s;
}

/** Send `req` to host:port and resolve with the first datagram back (decoded), or fail after 2 s. */
function exchange(sock: Socket, req: Buffer, host: string, port: number): Promise<{ raw: Buffer; msg: StunMessage }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.off('message', onMessage); reject(new Error('no response in 2 s')); }, 2000);
    function onMessage(raw: Buffer): void {
      clearTimeout(timer);
      sock.off('message', onMessage);
      const r = decodeMessage(raw);
      if (r.ok) resolve({ raw, msg: r.message });
      else reject(new Error(`undecodable response: ${r.reason}`));
    }
    sock.on('message', onMessage);
    sock.send(req, port, host);
  });
}

/** Start node-stun on 127.0.0.1:P / 127.0.0.2:P+1 with a random P, retrying on a taken port. */
async function startNodeStun(): Promise<{ server: NodeStunServer; port: number }> {
  const stun = require('node-stun') as { createServer(cfg: object): NodeStunServer };
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = randomInt(40000, 60000);
    const server = stun.createServer({ primary: { host: '127.0.0.1', port }, secondary: { host: '127.0.0.2', port: port + 1 } });
    let listening = 0;
    const ready = new Promise<boolean>((resolve) => {
      server.on('log', (e) => { if (/listening on/.test(e.message) && ++listening === 4) resolve(true); });
      server.listen();
      for (const s of server._sockets) s.once('error', () => resolve(false));
    });
    if (await ready) return { server, port };
    try { server.close(); } catch { /* a socket that failed to bind cannot report its address */ }
  }
  throw new Error('could not bind node-stun');
}

describe('stun: loopback over real sockets', function () {
  this.timeout(10000);
  const sockets: Socket[] = [];
  let nodeStun: { server: NodeStunServer; port: number } | undefined;

  after(() => {
    for (const s of sockets) s.close();
    nodeStun?.server.close();
  });

  it('node-stun (RFC 3489 server): modern request -> our decoder reads our own address', async () => {
    nodeStun = await startNodeStun();
    const client = await bindUdp('127.0.0.1');
    sockets.push(client);
    const tid = randomBytes(12);
    const req = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: tid, attributes: [] }, { fingerprint: true });
    const { raw, msg } = await exchange(client, req, '127.0.0.1', nodeStun.port);
    // node-stun treats cookie + id as its 16-byte id and echoes it, so the reply looks modern.
    expect(isStunDatagram(raw)).to.equal(true);
    expect(msg.classic).to.equal(false);
    expect(msg.cls).to.equal('success');
    expect(msg.transactionId.equals(tid)).to.equal(true);
    expect(msg.unknownRequired).to.deep.equal([]); // SOURCE-/CHANGED-ADDRESS are known
    expect(getAttribute(msg, 'MAPPED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: client.address().port, family: 4 });
    expect(getAttribute(msg, 'SOURCE-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: nodeStun.port, family: 4 });
    expect(getAttribute(msg, 'CHANGED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.2', port: nodeStun.port + 1, family: 4 });
  });

  it('node-stun: classic RFC 3489 request (16-byte id, no cookie) -> classic reply', async () => {
    expect(nodeStun).to.not.equal(undefined);
    const client = await bindUdp('127.0.0.1');
    sockets.push(client);
    const id16 = randomBytes(16);
    id16.writeUInt32BE(0x01020304, 0); // never the magic cookie
    const req = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00]), id16]);
    const { raw, msg } = await exchange(client, req, '127.0.0.1', nodeStun!.port);
    expect(looksLikeClassicStun(raw)).to.equal(true);
    expect(isStunDatagram(raw)).to.equal(false);
    expect(msg.classic).to.equal(true);
    expect(msg.classicTransactionId?.equals(id16)).to.equal(true);
    expect(getAttribute(msg, 'MAPPED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: client.address().port, family: 4 });
  });

  it('our bindingResponse on a socket: XOR-MAPPED-ADDRESS from 127.0.0.2 and 127.0.0.1 clients', async () => {
    const server = await bindUdp('127.0.0.1');
    sockets.push(server);
    server.on('message', (datagram, rinfo) => {
      const r = decodeMessage(datagram);
      if (!r.ok) return;
      const out = bindingResponse(r.message, { address: rinfo.address, port: rinfo.port, family: 4 }, { software: 'ice-agent test' });
      if (out) server.send(out, rinfo.port, rinfo.address);
    });
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const client = await bindUdp(host);
      sockets.push(client);
      const tid = randomBytes(12);
      const req = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: tid, attributes: [] }, { fingerprint: true });
      const { raw, msg } = await exchange(client, req, '127.0.0.1', server.address().port);
      expect(isStunDatagram(raw)).to.equal(true);
      expect(msg.transactionId.equals(tid)).to.equal(true);
      expect(getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal({ address: host, port: client.address().port, family: 4 });
      expect(getAttribute(msg, 'SOFTWARE')?.value).to.equal('ice-agent test');
      expect(getAttribute(msg, 'FINGERPRINT')).to.not.equal(undefined);
    }
  });
});
