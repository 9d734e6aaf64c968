// The TURN server double (test/turn/support) on a real UDP socket on 127.0.0.1, to provoke what
// coturn will not do on demand (437, 486, 300) against the CLI. It answers the client only:
// what it would relay to peers is dropped (the CLI tests need no peer).
import * as dgram from 'node:dgram';
import type { TransportAddress } from '../../../lib/stun/types.js';
import { TurnServerDouble, type DoubleOptions } from '../../turn/support/turn-server-double.js';

export class UdpTurnDouble {
  private constructor(private readonly socket: dgram.Socket, readonly double: TurnServerDouble, readonly address: TransportAddress) {}

  static async start(o: Partial<DoubleOptions> = {}): Promise<UdpTurnDouble> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const address: TransportAddress = { address: '127.0.0.1', port: socket.address().port, family: 4 };
    const double = new TurnServerDouble({ address, relayIp: '127.0.0.1', realm: 'double.test', users: { alice: 'alicepass' }, ...o });
    const t0 = performance.now();
    socket.on('message', (data, rinfo) => {
      double.receive(performance.now() - t0, { address: rinfo.address, port: rinfo.port, family: 4 }, data);
      for (let p = double.poll(); p; p = double.poll()) {
        if (p.from.port === address.port) socket.send(p.data, p.to.port, p.to.address);
      }
    });
    return new UdpTurnDouble(socket, double, address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
