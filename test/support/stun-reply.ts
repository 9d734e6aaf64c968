// What every test STUN server (simulated, virtual or on a socket) answers: lib/stun's Binding responder.
import { bindingResponse } from '../../lib/stun/binding-responder.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import type { TransportAddress } from '../../lib/stun/types.js';

/** Where the simulated and virtual networks put their STUN server (RFC 2544 benchmarking range). */
export const STUN_SERVER: TransportAddress = { address: '198.18.0.1', port: 3478, family: 4 };

/** The answer to a datagram from `from`, or undefined (not a decodable Binding request). */
export function stunServerReply(data: Buffer, from: TransportAddress, opts: { readonly software?: string } = {}): Buffer | undefined {
  const r = decodeMessage(data);
  return r.ok ? bindingResponse(r.message, from, opts) : undefined;
}
