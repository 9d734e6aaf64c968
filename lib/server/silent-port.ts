import type { DatagramSender } from '../driver/transport.js';
import { stunClassOf } from '../mux/index.js';
import type { TransportAddress } from '../stun/types.js';

const MESSAGE_INTEGRITY = 0x0008;
const MESSAGE_INTEGRITY_SHA256 = 0x001c;

/** An error response without MESSAGE-INTEGRITY: the answer to a request that did not authenticate. Never throws. */
export function isUnsignedError(data: Buffer): boolean {
  if (stunClassOf(data) !== 'error') return false;
  for (let pos = 20; pos + 4 <= data.length; ) {
    const code = (data[pos]! << 8) | data[pos + 1]!;
    if (code === MESSAGE_INTEGRITY || code === MESSAGE_INTEGRITY_SHA256) return false;
    pos += 4 + ((((data[pos + 2]! << 8) | data[pos + 3]!) + 3) & ~3);
  }
  return true;
}

/**
 * The shared port answers no request that failed authentication. A stand-alone agent answers a
 * check with a bad MESSAGE-INTEGRITY with an unsigned 401 (RFC 8489 §9.1.3, as Chrome does); on
 * a shared port that would tell a scanner which ufrags exist (unknown ones are dropped silently
 * by the router) and reflect traffic to spoofed sources. Data (first byte > 3) and signed STUN
 * pass with one byte test.
 */
export class SilentPortSender implements DatagramSender {
  /** Unsigned error responses not sent. */
  silenced = 0;

  constructor(private readonly socket: DatagramSender) {}

  send(to: TransportAddress, data: Buffer, header?: Buffer): void {
    if (header === undefined && data.length > 0 && data[0]! <= 3 && isUnsignedError(data)) {
      this.silenced++;
      return;
    }
    this.socket.send(to, data, header);
  }
}
