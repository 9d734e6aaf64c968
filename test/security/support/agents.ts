// SHIM for branches written before test/support existed: import from test/support
// (loopback-agents.ts, udp.ts, attacker.ts, chrome-check.ts, stun-bytes.ts) instead. The lead deletes
// this file once every branch is merged.
import type { Socket } from 'node:dgram';
import type { IceAgent } from '../../../lib/ice-agent.js';
import type { TransportAddress } from '../../../lib/stun/types.js';
import { nextData as nextDelivered, pace } from '../../support/waits.js';

export { connectedPair, exchange, hostOf, loopbackAgent } from '../../support/loopback-agents.js';
export { bindUdp as rawSocket, closeSocket, LOOPBACK } from '../../support/udp.js';
export { snapshot } from '../../support/attacker.js';
export { chromeCheck, GOOG_NETWORK_INFO, type ChromeCheckOptions } from '../../support/chrome-check.js';
export { mustDecode as decodeOrThrow } from '../../support/stun-bytes.js';

/** The first 'data' payload `to` delivers, as text. */
export function nextData(to: IceAgent, timeoutMs = 2000): Promise<string> {
  return nextDelivered(to, undefined, timeoutMs).then((d) => d.data.toString());
}

/** @deprecated waits `waitMs` to see what came back: use sendAndCollect(socket, data, agent) from test/support/attacker.ts. */
export async function sendAndCollect(s: Socket, data: Buffer, to: TransportAddress, waitMs = 250): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const on = (m: Buffer): void => void got.push(m);
  s.on('message', on);
  s.send(data, to.port, to.address);
  await pace(waitMs);
  s.off('message', on);
  return got;
}

/** @deprecated never wait to see that nothing happened: wait on a counter or a round trip. */
export const sleep = pace;
