// Reading STUN datagrams in assertions.
import { expect } from 'chai';
import { decodeMessage } from '../../lib/stun/decode.js';
import { getAttribute } from '../../lib/stun/get-attribute.js';
import type { StunMessage } from '../../lib/stun/types.js';

/** The decoded STUN message in a datagram, or undefined for non-STUN or malformed bytes. */
export function stunOf(data: Buffer): StunMessage | undefined {
  const d = decodeMessage(data);
  return d.ok ? d.message : undefined;
}

/** Decodes, or fails the test with the reason. */
export function mustDecode(data: Buffer): StunMessage {
  const r = decodeMessage(data);
  if (!r.ok) expect.fail(`undecodable: ${r.reason} ${r.detail ?? ''}`);
  return r.message;
}

/** Error code of a STUN error response, or undefined. */
export function errorCodeOf(data: Buffer): number | undefined {
  const m = stunOf(data);
  return m?.cls === 'error' ? getAttribute(m, 'ERROR-CODE')?.value.code : undefined;
}
