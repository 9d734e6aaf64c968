// A fresh process pays for its first connection: V8 compiles each function on first call and Node
// loads parts of dgram and crypto lazily. warmUp() pays that ahead of time, while the application
// waits for the other side (signalling): a connection between two pure cores in memory (checks,
// HMAC, CRC-32, codec, selection) and one datagram from a loopback socket to itself (bind, send,
// receive). Nothing leaves the machine, nothing is sent to anyone else.
import * as dgram from 'node:dgram';
import { IceAgentCore } from '../ice/agent-core.js';
import { formatCandidate, parseCandidate } from '../ice/candidate-sdp.js';
import type { HostBinding } from '../ice/transport.js';
import { cryptoRandom } from '../util/random.js';

let warming: Promise<void> | undefined;

/** Once per process: resolves when the first connection's code paths ran once. Never rejects. */
export function warmUp(): Promise<void> {
  warming ??= (async () => {
    coreSession();
    await selfSend().catch(() => undefined);
  })();
  return warming;
}

const host = (port: number): HostBinding => ({ component: 1, socket: port, base: { address: '127.0.0.1', port, family: 4 }, interfaceRank: 0 });

/** Two cores connect over an in-memory wire: everything a first check, its answer and a selection run. */
function coreSession(): void {
  const a = new IceAgentCore({ random: cryptoRandom, role: 'controlling' });
  const b = new IceAgentCore({ random: cryptoRandom, role: 'controlled' });
  const ends = [[a, b, host(1)], [b, a, host(2)]] as const;
  for (const [x, , h] of ends) x.startGathering(0, [h]);
  for (const [x, y] of ends) {
    const { ufrag, pwd } = x.localParameters;
    y.setRemoteCredentials(0, ufrag, pwd);
    for (const c of x.localCandidateList) y.addRemoteCandidate(0, parseCandidate(formatCandidate(c)));
    y.endOfRemoteCandidates(0);
  }
  for (let round = 0; round < 8 && !(connected(a) && connected(b)); round++) {
    for (const [x, y, h] of ends) {
      const to = h.socket === 1 ? 2 : 1;
      for (let t = x.pollTransmit(); t; t = x.pollTransmit()) y.handlePacket(round, to, h.base, t.data);
      while (x.pollEvent());
    }
  }
  a.close();
  b.close();
}

const connected = (c: IceAgentCore): boolean => c.state === 'connected' || c.state === 'completed';

/** One datagram from a loopback socket to itself; bounded by a short timer (a lost datagram is fine). */
function selfSend(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const done = (): void => {
      clearTimeout(timer);
      socket.close(() => resolve());
    };
    const timer = setTimeout(done, 100);
    timer.unref();
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.once('message', done);
    socket.bind(0, '127.0.0.1', () => socket.send(Buffer.from([0x80]), socket.address().port, '127.0.0.1'));
  });
}
