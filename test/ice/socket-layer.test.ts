// The socket-layer seam (lib/ice/transport.ts SocketLayer): how a TURN allocation plugs into the
// core. A toy layer here frames every datagram with a 4-byte "TUNL" header and says goodbye on close.
import { expect } from 'chai';
import type { LayerInbound, Route, SocketId, SocketLayer, Transmit } from '../../lib/ice/transport.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { Sim, connectPair, signalAndComplete } from '../support/sim.js';

const TAG = Buffer.from('TUNL');

class Tunnel implements SocketLayer {
  closed = false;
  wrappedOut = 0;
  private goodbye: Transmit | undefined;
  private closeAt: number | undefined;

  outbound(_now: number, t: Transmit): Transmit | undefined {
    this.wrappedOut++;
    return { ...t, data: Buffer.concat([TAG, t.data]) };
  }

  inbound(_now: number, socket: SocketId, from: TransportAddress, data: Buffer): LayerInbound {
    if (data.length < 4 || !data.subarray(0, 4).equals(TAG)) return { kind: 'consumed' };
    return { kind: 'unwrapped', socket, from, data: data.subarray(4) };
  }

  route(_now: number, r: Route): Route | undefined {
    return { ...r, header: TAG };
  }

  pollTransmit(): Transmit | undefined {
    const t = this.goodbye;
    this.goodbye = undefined;
    return t;
  }

  nextDeadline(): number | undefined {
    return this.closeAt;
  }

  handleTimeout(now: number): void {
    if (this.closeAt !== undefined && now >= this.closeAt) this.closed = true;
  }

  close(now: number): void {
    this.goodbye = { socket: 5000, to: { address: '10.0.0.2', port: 5000, family: 4 }, data: Buffer.from('TUNLbye') };
    this.closeAt = now + 500;
  }
}

describe('IceAgentCore: socket layers (the seam TURN uses)', () => {
  it('every packet goes out framed, comes in unwrapped, and the data route carries the frame as a header', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    const tunnels = [a, b].map((x) => x.core.attachLayer(() => new Tunnel()));
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const onWire = sim.wire.filter((w) => !w.dropped);
    expect(onWire.length).to.be.greaterThan(0);
    expect(onWire.every((w) => w.data.subarray(0, 4).equals(TAG)), 'every datagram framed').to.equal(true);
    expect(tunnels.every((t) => t.wrappedOut > 0)).to.equal(true);
    expect(a.core.route(1)?.header).to.deep.equal(TAG);
    expect(sim.sendData(a, 1, Buffer.from('hello'))).to.equal(true);
    sim.run(sim.now + 10);
    expect(b.data.map((d) => String(d.data)), 'delivered without the frame').to.deep.equal(['hello']);
  });

  it('a closing layer may still send, and the core is drained only when the layer is done', () => {
    const sim = new Sim();
    const [a, b] = connectPair(sim, ['10.0.0.1'], ['10.0.0.2']);
    a.core.attachLayer(() => new Tunnel());
    b.core.attachLayer(() => new Tunnel());
    expect(signalAndComplete(sim, a, b)).to.equal(true);
    const before = sim.wire.length;
    a.core.close();
    expect(a.core.drained).to.equal(false);
    sim.drain();
    expect(sim.wire.slice(before).map((w) => String(w.data))).to.deep.equal(['TUNLbye']);
    sim.run(sim.now + 1000);
    expect(a.core.drained).to.equal(true);
    expect(a.core.pollTimeout()).to.equal(undefined);
  });
});
