import { expect } from 'chai';
import { IceAgent, type IceWarning } from '../../lib/index.js';
import { udpEndpointFactory, type DatagramEndpoint, type EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import type { UdpEndpointHandlers } from '../../lib/net/udp-socket.js';
import { nextData } from '../support/waits.js';
import { wire } from '../support/signalling.js';

/** Real loopback sockets, with a handle on each one's error callback to inject a socket failure. */
function recordingFactory(): { factory: EndpointFactory; sockets: { endpoint: DatagramEndpoint; handlers: UdpEndpointHandlers }[] } {
  const sockets: { endpoint: DatagramEndpoint; handlers: UdpEndpointHandlers }[] = [];
  const factory: EndpointFactory = async (address, handlers, range) => {
    const endpoint = await udpEndpointFactory(address, handlers, range);
    sockets.push({ endpoint, handlers });
    return endpoint;
  };
  return { factory, sockets };
}

describe('IceAgent: a socket error', () => {
  it('is reported, retires the socket, and traffic moves to another host socket', async function () {
    this.timeout(20_000);
    const rec = recordingFactory();
    const a = new IceAgent({ addresses: ['127.0.0.1', '127.0.0.2'], role: 'controlling', endpointFactory: rec.factory });
    const b = new IceAgent({ addresses: ['127.0.0.1'], role: 'controlled' });
    const warnings: IceWarning[] = [];
    a.on('warning', (w) => warnings.push(w));
    try {
      wire(a, b);
      await Promise.all([a.gather(), b.gather()]);
      await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
      const before = a.getSelectedPair(1)!.local.base;
      const broken = rec.sockets.find((s) => s.endpoint.local.port === before.port && s.endpoint.local.address === before.address)!;
      broken.handlers.onError?.(new Error('simulated EBADF'), 'socket');
      expect(warnings.map((w) => w.code)).to.include('ERR_SOCKET');
      expect(a.iceState).to.equal('disconnected');
      expect(() => a.send(1, Buffer.from('x'))).to.throw().with.property('code', 'ERR_NO_SELECTED_PAIR');
      await a.waitFor(['completed'], 5000);
      const after = a.getSelectedPair(1)!.local.base;
      expect(after.address).to.not.equal(before.address);
      const got = nextData(b, 1, 5000);
      a.send(1, Buffer.from('over the other socket'));
      expect(String((await got).data)).to.equal('over the other socket');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
