/**
 * Reproducer (found by the NAT matrix): a datagram handed to `IceAgent.send()`
 * just before `close()` is silently lost. node:dgram resolves the destination on
 * the next tick, and UdpEndpoint.close() closes the socket synchronously, so the
 * queued send never reaches the kernel (its callback never runs, no counter moves).
 * `ice-probe peer` does exactly this: when it is connected and has already received
 * the other side's text, it sends its own text and finishes at once, so the other
 * side never gets it, waits for data, and ends in consent failure.
 */
import { expect } from 'chai';
import type { IceAgent } from '../../lib/ice-agent.js';
import { connectedPair, exchange } from '../support/loopback-agents.js';
import { until } from '../support/waits.js';

describe('system: close() after send()', function () {
  this.timeout(15_000);
  let a: IceAgent | undefined;
  let b: IceAgent | undefined;
  afterEach(async () => {
    await a?.close();
    await b?.close();
  });

  it('delivers a datagram sent right before close()', async () => {
    ({ a, b } = await connectedPair());
    await exchange(a, b, 'warm-up'); // the route works
    const got: string[] = [];
    b.on('data', (_c, d) => void got.push(d.toString()));
    a.send(1, Buffer.from('last words'));
    await a.close();
    // Lost, it never arrives: the wait fails with what b got instead.
    await until(() => got.includes('last words'), 'the datagram sent just before close()', 5000, () => JSON.stringify(got));
    expect(got, 'the datagram sent just before close()').to.include('last words');
  });
});
