/**
 * Regenerates fixtures/captures/: real datagrams from a loopback exchange between two
 * IceAgents (observed by wrapping the real UDP endpoint factory, so every byte is
 * what the agents put on the wire), plus a few built with our encoder the way
 * Chrome and STUN servers build them.
 *
 *   node dist/test/fuzz/capture.js [outDir]
 *
 * Credentials are fixed (see fixtures/captures/README.md) so a fuzzer can re-sign
 * mutated messages; transaction ids, tie-breakers and ports differ on each run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IceAgent } from '../../lib/ice-agent.js';
import { udpEndpointFactory, type EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { bindingResponse, errorResponse } from '../../lib/stun/binding-responder.js';
import { shortTermKey } from '../../lib/stun/integrity.js';
import { METHOD_BINDING } from '../../lib/stun/constants.js';
import { chromeCheck } from '../support/chrome-check.js';
import { CAPTURE_CREDENTIALS as C } from './captures.js';
import { signalGathered } from '../support/signalling.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, '..', '..', '..', 'fixtures', 'captures');

interface Seen { readonly who: string; readonly data: Buffer }
const seen: Seen[] = [];
const observing = (who: string): EndpointFactory => async (address, handlers, range) => {
  const e = await udpEndpointFactory(address, handlers, range);
  return { local: e.local, close: () => e.close(), send: (to, data) => { seen.push({ who, data: Buffer.from(data) }); e.send(to, data); } };
};

const a = new IceAgent({ role: 'controlling', addresses: ['127.0.0.1'], includeLoopback: true, ufrag: C.a.ufrag, pwd: C.a.pwd, endpointFactory: observing('A') });
const b = new IceAgent({ role: 'controlled', addresses: ['127.0.0.1'], includeLoopback: true, ufrag: C.b.ufrag, pwd: C.b.pwd, endpointFactory: observing('B') });
await Promise.all([a.gather(), b.gather()]);
signalGathered(a, b);
await Promise.all([a.waitFor(['connected', 'completed'], 5000), b.waitFor(['connected', 'completed'], 5000)]);
await new Promise((r) => setTimeout(r, 300));
a.send(1, Buffer.from('application data from A'));
await new Promise((r) => setTimeout(r, 100));
await Promise.all([a.close(), b.close()]);

const files = new Map<string, Buffer>();
const keep = (name: string, data: Buffer): void => { if (!files.has(name)) files.set(name, data); };
for (const s of seen) {
  const r = decodeMessage(s.data);
  if (!r.ok) { keep(`data-from-${s.who}.bin`, s.data); continue; }
  const m = r.message;
  const has = (t: string): boolean => m.attributes.some((x) => x.type === t);
  const role = has('ICE-CONTROLLING') ? 'controlling' : 'controlled';
  if (m.cls === 'request') keep(`check-${role}${has('USE-CANDIDATE') ? '-use-candidate' : ''}.bin`, s.data);
  else if (m.cls === 'success') keep(`check-success-from-${s.who}.bin`, s.data);
  else if (m.cls === 'error') keep(`check-error-from-${s.who}.bin`, s.data);
}

// Built with our encoder, Chrome-style (0xC057 GOOG-NETWORK-INFO) and server-style.
const tid = Buffer.from('4a1c9b5f6d2e8a7b3c0f1e2d', 'hex');
keep('chrome-check-c057.bin', chromeCheck({ username: `${C.a.ufrag}:${C.b.ufrag}`, pwd: C.a.pwd, role: 'controlled', transactionId: tid }));
keep('chrome-check-c057-use-candidate.bin', chromeCheck({ username: `${C.b.ufrag}:${C.a.ufrag}`, pwd: C.b.pwd, role: 'controlling', useCandidate: true, transactionId: tid }));
const req = decodeMessage(files.get('chrome-check-c057.bin')!);
if (req.ok) {
  keep('stun-server-response.bin', bindingResponse(req.message, { address: '198.51.100.7', port: 61234, family: 4 }, { software: 'ice-probe' })!);
  keep('error-487-signed.bin', errorResponse(req.message, 487, 'Role Conflict', { integrityKey: shortTermKey(C.a.pwd) }));
  keep('error-420-unknown.bin', errorResponse(req.message, 420, 'Unknown Attribute', { integrityKey: shortTermKey(C.a.pwd), unknown: [0x7f01] }));
  keep('error-401-unsigned.bin', errorResponse(req.message, 401, 'Unauthorized'));
}
keep('binding-indication.bin', encodeMessage({ method: METHOD_BINDING, cls: 'indication', transactionId: tid, attributes: [] }, { fingerprint: true }));
keep('binding-request-plain.bin', encodeMessage({ method: METHOD_BINDING, cls: 'request', transactionId: tid, attributes: [] }, { fingerprint: true }));

mkdirSync(outDir, { recursive: true });
for (const [name, data] of files) writeFileSync(join(outDir, name), data);
console.log(`captured ${seen.length} datagrams; wrote ${files.size} files to ${outDir}:\n  ${[...files.keys()].sort().join('\n  ')}`);
