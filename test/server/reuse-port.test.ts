/**
 * Why IceServer workers get a port each instead of one SO_REUSEPORT group (README "Server mode"):
 * the kernel hands each datagram to a socket of the group by a hash of its 4-tuple, so the checks
 * a client sends from its several candidates (different source ports) land on processes that do
 * not hold its agent. Shown with two servers sharing a port in this process (as two workers
 * would) and one client checking from 32 source ports; skipped where Node has no dgram reusePort.
 */
import { expect } from 'chai';
import type { Socket } from 'node:dgram';
import { IceServer, REUSE_PORT_WARNING, reusePortSupport } from '../../lib/server/index.js';
import { IceError } from '../../lib/util/errors.js';
import { bindUdp as rawSocket, closeSocket } from '../support/udp.js';
import { LOOPBACK, checkFor, portOf, until } from './support.js';

describe('IceServer reusePort: offered only where Node has it, and misroutes a client\'s candidates', function () {
  this.timeout(20_000);
  const support = reusePortSupport();

  it('knows which Node versions have dgram reusePort (22.12+, 23.1+)', () => {
    for (const v of ['20.20.2', '22.11.0', '23.0.0', '21.7.3']) expect(reusePortSupport(v).supported, v).to.equal(false);
    for (const v of ['22.12.0', '22.20.1', '23.1.0', '24.0.0', '25.1.0']) expect(reusePortSupport(v).supported, v).to.equal(true);
    expect(reusePortSupport('20.20.2').reason).to.match(/needs Node >= 22\.12 or >= 23\.1/);
  });

  it('without support, reusePort: true is refused with ERR_UNSUPPORTED (never silently ignored)', async function () {
    if (support.supported) return this.skip();
    let err: unknown;
    try { await (await IceServer.listen({ address: LOOPBACK, reusePort: true })).close(); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(IceError).with.property('code', 'ERR_UNSUPPORTED');
    expect((err as Error).message).to.match(/reusePort/);
  });

  it('with support: two servers share a port; one client\'s checks from 32 source ports reach both, so some miss its agent', async function () {
    if (!support.supported) {
      console.log(`      skipped: ${support.reason}`);
      return this.skip();
    }
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => void warnings.push(w.code ?? '');
    process.on('warning', onWarning);
    const a = await IceServer.listen({ address: LOOPBACK, reusePort: true });
    const b = await IceServer.listen({ address: LOOPBACK, port: portOf(a), reusePort: true });
    const sockets: Socket[] = [];
    try {
      const agent = a.createAgent();
      await agent.gather();
      agent.setRemoteParameters({ ufrag: 'clnt', pwd: 'clientPasswordclientPassword' });
      for (let i = 0; i < 32; i++) sockets.push(await rawSocket());
      for (const s of sockets) s.send(checkFor(agent, { useCandidate: false }), portOf(a), LOOPBACK);
      const seen = (): number => a.stats().sockets[0]!.received + b.stats().sockets[0]!.received;
      await until(() => seen() === 32, 'both servers to read the 32 checks (loopback delivers them all or the test times out)');
      const onB = b.stats().router.counters.drops['unknown-ufrag'];
      console.log(`      the kernel gave ${32 - onB} checks to the agent's server and ${onB} to the other`);
      expect(onB, 'checks hashed to the server without the agent, dropped as unknown ufrags').to.be.greaterThan(0);
      expect(a.stats().router.counters.routedByUfrag).to.equal(32 - onB);
      await until(() => warnings.length > 0, 'the process warning');
      expect(warnings).to.include('WARN_REUSE_PORT');
      expect(REUSE_PORT_WARNING).to.match(/4-tuple/);
    } finally {
      process.off('warning', onWarning);
      await Promise.all(sockets.map(closeSocket));
      await a.close();
      await b.close();
    }
  });
});
