import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { isStunDatagram, looksLikeClassicStun } from '../../lib/stun/demux.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import type { StunMessage } from '../../lib/stun/types.js';
import { mustDecode } from '../support/stun-bytes.js';
import { startBindingResponder, startNodeStun, type LocalStunServer } from '../support/stun-servers.js';
import { bindUdp, closeSocket, nextMessage } from '../support/udp.js';

/** Sends `req` to host:port and resolves with the first datagram back, decoded. */
async function exchange(sock: Socket, req: Buffer, host: string, port: number): Promise<{ raw: Buffer; msg: StunMessage }> {
  const reply = nextMessage(sock, () => true, 'response', 2000);
  sock.send(req, port, host);
  const raw = await reply;
  return { raw, msg: mustDecode(raw) };
}

describe('stun: loopback over real sockets', function () {
  this.timeout(10000);
  const sockets: Socket[] = [];
  const servers: LocalStunServer[] = [];
  let nodeStun: LocalStunServer | undefined;

  after(async () => {
    await Promise.all(sockets.map(closeSocket));
    await Promise.all(servers.map((s) => s.close()));
  });

  it('node-stun (RFC 3489 server): modern request -> our decoder reads our own address', async () => {
    nodeStun = await startNodeStun();
    servers.push(nodeStun);
    const client = await bindUdp();
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
    const client = await bindUdp();
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
    const server = await startBindingResponder({ software: 'ice-agent test' });
    servers.push(server);
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const client = await bindUdp(host);
      sockets.push(client);
      const tid = randomBytes(12);
      const req = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: tid, attributes: [] }, { fingerprint: true });
      const { raw, msg } = await exchange(client, req, server.host, server.port);
      expect(isStunDatagram(raw)).to.equal(true);
      expect(msg.transactionId.equals(tid)).to.equal(true);
      expect(getAttribute(msg, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal({ address: host, port: client.address().port, family: 4 });
      expect(getAttribute(msg, 'SOFTWARE')?.value).to.equal('ice-agent test');
      expect(getAttribute(msg, 'FINGERPRINT')).to.not.equal(undefined);
    }
  });
});
