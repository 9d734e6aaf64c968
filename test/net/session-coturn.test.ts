// Gathering against coturn (Debian's `coturn`, a full RFC 5389/8489 STUN/TURN server nobody here wrote), on loopback.
import { expect } from 'chai';
import { IceAgent } from '../../lib/index.js';
import { coturnMissing, startCoturn, type Coturn } from '../support/coturn.js';

describe('IceAgent: gathering against coturn', function () {
  this.timeout(20_000);
  let server: Coturn | undefined;
  let port = 0;

  before(async function () {
    const missing = coturnMissing();
    if (missing) {
      console.log(`      (skipped: ${missing}; .ci/run installs Debian's coturn)`);
      return this.skip();
    }
    server = await startCoturn({ auth: 'static', extra: ['--stun-only'] });
    port = server.port;
  });

  after(async () => {
    await server?.stop();
  });

  it('learns a srflx candidate per host socket, based on that socket', async () => {
    const agent = new IceAgent({ addresses: ['127.0.0.1'], components: 2, stunServers: [`127.0.0.1:${port}`] });
    const results: { base: string; mapped?: string; error?: string }[] = [];
    agent.on('stunresult', (r) => results.push({ base: `${r.base.port}`, ...(r.mapped && { mapped: `${r.mapped.port}` }), ...(r.error && { error: r.error }) }));
    try {
      await agent.gather();
      const hosts = agent.localCandidates.filter((c) => c.type === 'host');
      const srflx = agent.localCandidates.filter((c) => c.type === 'srflx');
      expect(hosts).to.have.length(2);
      expect(srflx).to.have.length(2);
      for (const s of srflx) {
        const host = hosts.find((h) => h.component === s.component)!;
        expect([s.address, s.port]).to.deep.equal([host.address, host.port]); // no NAT on loopback
        expect([s.relatedAddress, s.relatedPort]).to.deep.equal([host.address, host.port]);
        expect(s.base).to.deep.equal(host.base);
      }
      expect(results.every((r) => r.mapped === r.base && r.error === undefined)).to.equal(true);
    } finally {
      await agent.close();
    }
  });
});
