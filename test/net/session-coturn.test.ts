// Gathering against coturn (Debian's `coturn`, a full RFC 5389/8489 STUN/TURN server nobody here wrote), on loopback.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as dgram from 'node:dgram';
import { IceAgent } from '../../lib/index.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';

const TURNSERVER = '/usr/bin/turnserver';

/** Resolves once the server answers a Binding request (it takes a moment to open its sockets). */
async function answers(port: number, timeoutMs: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  try {
    const got = new Promise<boolean>((resolve) => socket.on('message', (m) => resolve(decodeMessage(m).ok)));
    const request = encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: Buffer.alloc(12, 7), attributes: [] });
    for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
      socket.send(request, port, '127.0.0.1');
      const ok = await Promise.race([got, new Promise<false>((r) => setTimeout(() => r(false), 100))]);
      if (ok) return true;
    }
    return false;
  } finally {
    socket.close();
  }
}

describe('IceAgent: gathering against coturn', function () {
  this.timeout(20_000);
  let server: ChildProcess | undefined;
  let port = 0;

  before(async function () {
    if (spawnSync(TURNSERVER, ['--version']).error) {
      console.log(`      (skipped: ${TURNSERVER} not installed; .ci/run installs Debian's coturn)`);
      return this.skip();
    }
    port = randomInt(40_000, 60_000);
    server = spawn(TURNSERVER, ['-n', '--listening-ip=127.0.0.1', `--listening-port=${port}`, '--stun-only', '--no-tls', '--no-dtls', '--no-cli', '--no-stdout-log'], { stdio: 'ignore' });
    expect(await answers(port, 5000), 'coturn answers').to.equal(true);
  });

  after(() => {
    server?.kill('SIGKILL');
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
