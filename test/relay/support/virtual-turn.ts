// The TURN server double (test/turn/support) on the in-memory network of test/net/support: one
// endpoint for the server, one per relayed address, all on virtual time.
import type { TransportAddress } from '../../../lib/stun/types.js';
import type { VirtualNetwork } from '../../support/virtual-net.js';
import { TurnServerDouble, type DoubleOptions } from '../../turn/support/turn-server-double.js';

type Endpoint = Awaited<ReturnType<VirtualNetwork['endpointFactory']>>;

export class VirtualTurn {
  readonly double: TurnServerDouble;
  private server: Endpoint | undefined;
  private readonly relays = new Map<string, Promise<Endpoint>>();

  private constructor(private readonly net: VirtualNetwork, o: Partial<DoubleOptions> & { address: TransportAddress; relayIp: string }) {
    this.double = new TurnServerDouble({ realm: 'virtual.test', users: { alice: 'alicepass' }, ...o });
  }

  /** A TURN server at `address` relaying from `relayIp` (both become virtual hosts). */
  static async start(net: VirtualNetwork, o: Partial<DoubleOptions> & { address: TransportAddress; relayIp: string }): Promise<VirtualTurn> {
    const t = new VirtualTurn(net, o);
    net.addHost(o.address.address);
    if (o.relayIp !== o.address.address) net.addHost(o.relayIp);
    const { port } = o.address;
    t.server = await net.endpointFactory(o.address.address, {
      onMessage: (data, from) => {
        t.double.receive(net.scheduler.now(), from, data);
        // A new allocation's relayed address listens at once (peers may send as soon as they are permitted).
        const a = t.double.allocationOf(from);
        void (a ? t.relayEndpoint(a.relayed) : Promise.resolve()).then(() => t.pump());
      },
    }, { min: port, max: port });
    return t;
  }

  private relayEndpoint(relayed: TransportAddress): Promise<Endpoint> {
    const key = `${relayed.address}:${relayed.port}`;
    let e = this.relays.get(key);
    if (!e) {
      e = this.net.endpointFactory(relayed.address, {
        onMessage: (data, from) => {
          this.double.receiveFromPeer(this.net.scheduler.now(), from, relayed, data);
          void this.pump();
        },
      }, { min: relayed.port, max: relayed.port });
      this.relays.set(key, e);
    }
    return e;
  }

  /** Sends what the double produced: from the server's endpoint, or from a relayed address's. */
  private async pump(): Promise<void> {
    for (let p = this.double.poll(); p; p = this.double.poll()) {
      const fromServer = p.from.address === this.double.address.address && p.from.port === this.double.address.port;
      const endpoint = fromServer ? this.server! : await this.relayEndpoint(p.from);
      endpoint.send(p.to, p.data);
    }
  }
}
