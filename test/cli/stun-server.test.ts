// ice-probe stun-server: answers Binding requests, prints where it listens, stops on signals.
import { expect } from 'chai';
import { decodeMessage, encodeMessage, getAttribute, METHOD_BINDING, newTransactionId } from '../../lib/stun/index.js';
import { cryptoRandom } from '../../lib/util/random.js';
import { bindUdp, closeSocket, nextMessage } from '../support/udp.js';
import { Proc, killAll, startStunServer } from './helpers.js';

async function ask(port: number): Promise<{ response: Buffer; local: number; id: Buffer }> {
  const socket = await bindUdp();
  try {
    const id = newTransactionId(cryptoRandom);
    const answer = nextMessage(socket, () => true, 'STUN response', 3000);
    socket.send(encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: id, attributes: [] }), port, '127.0.0.1');
    return { response: await answer, local: socket.address().port, id };
  } finally {
    await closeSocket(socket);
  }
}

describe('ice-probe stun-server', function () {
  this.timeout(20000);
  afterEach(killAll);

  it('--port 0 prints its address and answers with XOR-MAPPED-ADDRESS and MAPPED-ADDRESS', async () => {
    const { proc, port } = await startStunServer(['--verbose']);
    expect(port).to.be.greaterThan(0);
    const { response, local, id } = await ask(port);
    const decoded = decodeMessage(response);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message.cls).to.equal('success');
    expect(decoded.message.transactionId.equals(id)).to.equal(true);
    expect(getAttribute(decoded.message, 'XOR-MAPPED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: local, family: 4 });
    expect(getAttribute(decoded.message, 'MAPPED-ADDRESS')?.value).to.deep.equal({ address: '127.0.0.1', port: local, family: 4 });
    await proc.waitForLine(new RegExp(`127\\.0\\.0\\.1:${local} +Binding request +answered`));
    proc.child.kill('SIGTERM');
    expect((await proc.wait()).code).to.equal(0);
    expect(proc.stdout).to.match(/stopped by SIGTERM after 1 request\n$/);
  });

  it('exits 0 on SIGINT; --json lines parse', async () => {
    const proc = new Proc(['stun-server', '--port', '0', '--json']);
    const line = await proc.waitForLine(/listening/);
    const listening = JSON.parse(line) as { event: string; address: string; port: number };
    expect(listening).to.include({ event: 'listening', address: '127.0.0.1' });
    await ask(listening.port);
    proc.child.kill('SIGINT');
    expect((await proc.wait()).code).to.equal(0);
    expect(JSON.parse(proc.lines.at(-1)!)).to.deep.equal({ event: 'stopped', signal: 'SIGINT', requests: 1 });
  });

  it('a port already in use is a clean failure (exit 1)', async () => {
    const { port } = await startStunServer();
    const second = new Proc(['stun-server', '--port', String(port)]);
    expect((await second.wait()).code).to.equal(1);
    expect(second.stderr).to.match(/cannot listen on 127\.0\.0\.1:\d+/);
  });
});
