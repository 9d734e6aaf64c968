/**
 * Application data is only delivered from a remote address that authenticated
 * itself on the component (a check or a response carrying the credentials).
 * Anything else sent to a host candidate is dropped and counted (drops.unprovenData).
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import type { IceAgent } from '../../lib/ice-agent.js';
import { chromeCheck } from '../support/chrome-check.js';
import { closeSocket, bindUdp } from '../support/udp.js';
import { connectedPair, exchange, hostOf } from '../support/loopback-agents.js';
import { until } from '../support/waits.js';

describe('security: data from unproven addresses', function () {
  this.timeout(20_000);
  let a: IceAgent;
  let b: IceAgent;
  let stranger: Socket;
  const delivered: string[] = [];

  before(async () => {
    ({ a, b } = await connectedPair());
    await exchange(a, b, 'genuine');
    b.on('data', (_c, d) => void delivered.push(d.toString('latin1')));
    stranger = await bindUdp();
  });
  after(async () => {
    await closeSocket(stranger);
    await a.close();
    await b.close();
  });

  it('datagrams from an address that never authenticated are not delivered', async () => {
    const n = b.drops.unprovenData;
    const payloads = [
      Buffer.from('injected application data'),
      Buffer.from([0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0]), // looks like RTP
      Buffer.from([0x17, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // looks like DTLS
      Buffer.from([0x00, 0x01, 0x00, 0x03, 1, 2, 3]), // first byte 0..3 but not STUN
    ];
    for (const p of payloads) stranger.send(p, hostOf(b).port, '127.0.0.1');
    // Every payload ends up either delivered or counted: wait until all are accounted for.
    await until(() => delivered.length + b.drops.unprovenData - n >= payloads.length, 'the payloads to be handled', 10_000,
      () => `delivered ${delivered.length}, unprovenData +${b.drops.unprovenData - n}, drops ${JSON.stringify(b.drops)}`);
    expect(delivered, "no 'data' event").to.deep.equal([]);
    // None of them passes the RFC 7983 STUN demux (the last has no magic cookie): all are data.
    expect(b.drops.unprovenData - n).to.equal(payloads.length);
  });

  it('a failed authentication attempt does not prove the address', async () => {
    const bad = chromeCheck({ username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, pwd: 'wrongpasswordwrongpassword', role: 'controlling' });
    const unauthenticated = b.drops.unauthenticated;
    stranger.send(bad, hostOf(b).port, '127.0.0.1');
    await until(() => b.drops.unauthenticated > unauthenticated, 'the bad check to be counted');
    const n = b.drops.unprovenData;
    stranger.send(Buffer.from('now let me in'), hostOf(b).port, '127.0.0.1');
    await until(() => delivered.length > 0 || b.drops.unprovenData > n, 'the data to be handled');
    expect(delivered).to.deep.equal([]);
    expect(b.drops.unprovenData).to.equal(n + 1);
  });

  it('(control) the genuine peer still gets through', async () => {
    await exchange(a, b, 'genuine again');
  });
});
