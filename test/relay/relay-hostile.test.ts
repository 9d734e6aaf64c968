// Hostile input at the TURN layer of a connected relay-only agent: forged answers, ChannelData
// for unknown channels or with lying lengths, Data indications from peers without permission,
// datagrams that claim to be the server's but come from elsewhere. Each is dropped and counted;
// nothing is thrown, nothing reaches the application, the relay keeps working.
import { expect } from 'chai';
import { PACKET_DROPPED, PACKET_STUN } from '../../lib/ice/agent-core.js';
import { encodeMessage } from '../../lib/stun/encode.js';
import { METHOD_ALLOCATE, METHOD_CREATE_PERMISSION, METHOD_DATA, METHOD_REFRESH } from '../../lib/stun/constants.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { channelDataHeader } from '../../lib/turn/channel-data.js';
import { natOfKind } from '../support/nat.js';
import { RELAY_IP, RelayWorld, TURN, turnServer, type WorldAgent } from './support/relay-world.js';

const tid = (n: number): Buffer => Buffer.alloc(12, n);

function connected(policy: 'relay' | 'all'): { w: RelayWorld; a: WorldAgent; b: WorldAgent; client: number } {
  const w = new RelayWorld();
  w.addServer();
  const relay = { servers: [turnServer()], policy };
  const a = w.addAgent('a', { ip: '10.0.1.2', role: 'controlling', hosts: policy === 'all', relay });
  const b = w.addAgent('b', { ip: '10.0.2.2', role: 'controlled', hosts: false, relay: { ...relay, policy: 'relay' }, nat: natOfKind('symmetric', '198.18.0.3') });
  w.gather(a);
  w.gather(b);
  w.trickle(a, b);
  if (!w.run(20_000, () => w.connected(a, b))) throw new Error('not connected');
  w.run(w.now + 3000);
  const open = a.commands.find((c) => c.kind === 'open');
  return { w, a, b, client: open!.socket };
}

function hostile(): { name: string; from: TransportAddress; data: Buffer; counter: string }[] {
  const fromServer = TURN;
  const notServer: TransportAddress = { ...TURN, port: TURN.port + 1 };
  const channelData = (n: number, len: number, body: number): Buffer => {
    const h = channelDataHeader(n, 0);
    h.writeUInt16BE(len, 2);
    return Buffer.concat([h, Buffer.alloc(body, 7)]);
  };
  const dataIndication = (peer: TransportAddress): Buffer => encodeMessage({
    method: METHOD_DATA, cls: 'indication', transactionId: tid(9),
    attributes: [{ type: 'XOR-PEER-ADDRESS', value: peer }, { type: 'DATA', value: Buffer.from('forged') }],
  });
  return [
    { name: 'a forged Allocate success (unknown transaction)', from: fromServer, counter: 'unknown-transaction',
      data: encodeMessage({ method: METHOD_ALLOCATE, cls: 'success', transactionId: tid(1), attributes: [{ type: 'XOR-RELAYED-ADDRESS', value: { address: '6.6.6.6', port: 6, family: 4 } }] }) },
    { name: 'a forged Refresh error', from: fromServer, counter: 'unknown-transaction',
      data: encodeMessage({ method: METHOD_REFRESH, cls: 'error', transactionId: tid(2), attributes: [{ type: 'ERROR-CODE', value: { code: 437, reason: 'x' } }] }) },
    { name: 'a forged CreatePermission 403', from: fromServer, counter: 'unknown-transaction',
      data: encodeMessage({ method: METHOD_CREATE_PERMISSION, cls: 'error', transactionId: tid(3), attributes: [{ type: 'ERROR-CODE', value: { code: 403, reason: 'x' } }] }) },
    { name: 'ChannelData for a channel never bound', from: fromServer, counter: 'unknown-channel', data: channelData(0x4abc, 8, 8) },
    { name: 'ChannelData whose LENGTH exceeds the datagram', from: fromServer, counter: 'malformed', data: channelData(0x4000, 900, 8) },
    { name: 'ChannelData of a reserved number (0x5000+ is not TURN, RFC 7983)', from: fromServer, counter: 'malformed', data: channelData(0x4fff, 4, 4).fill(0x50, 0, 1) },
    { name: 'a Data indication from a peer without a permission', from: fromServer, counter: 'not-permitted', data: dataIndication({ address: '203.0.113.66', port: 9, family: 4 }) },
    { name: 'a Data indication without XOR-PEER-ADDRESS', from: fromServer, counter: 'not-permitted',
      data: encodeMessage({ method: METHOD_DATA, cls: 'indication', transactionId: tid(4), attributes: [{ type: 'DATA', value: Buffer.from('x') }] }) },
    { name: "ChannelData on the bound channel but from the server's address with another port", from: notServer, counter: 'not-from-server', data: channelData(0x4000, 5, 5) },
    { name: 'a Data indication from an address that is not the server', from: { address: '198.18.0.99', port: 3478, family: 4 }, counter: 'not-from-server', data: dataIndication({ address: RELAY_IP, port: 49153, family: 4 }) },
  ];
}

describe('relay: hostile input at the TURN layer', () => {
  for (const h of hostile()) {
    it(`${h.name}: dropped and counted (${h.counter}), nothing delivered`, () => {
      const { w, a, b, client } = connected('relay');
      const before = a.relay!.relays[0]!.drops as Record<string, number>;
      const delivered = a.data.length;
      const r = a.core.handlePacket(w.now, client, h.from, h.data);
      expect(r === PACKET_STUN || r === PACKET_DROPPED, `verdict ${r}`).to.equal(true);
      const after = a.relay!.relays[0]!.drops as Record<string, number>;
      expect(after[h.counter]! - before[h.counter]!).to.equal(1);
      expect(a.data.length).to.equal(delivered);
      // The relay still works.
      expect(w.sendData(b, 1, Buffer.from('still here'))).to.equal(true);
      w.run(w.now + 100);
      expect(a.data.map((d) => String(d.data)).at(-1)).to.equal('still here');
      expect(a.relay!.relays[0]!.state).to.equal('allocated');
    });
  }

  it('a flood of random bytes on the client socket from the server address: no throw, every datagram counted', () => {
    const { w, a, client } = connected('relay');
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    const before = Object.values(a.relay!.relays[0]!.drops).reduce((x, y) => x + y, 0);
    for (let i = 0; i < 5000; i++) {
      const data = Buffer.alloc(rand() % 120);
      for (let j = 0; j < data.length; j++) data[j] = rand() & 0xff;
      if (i % 2 === 0 && data.length > 0) data[0] = 0x40 | (data[0]! & 0x0f); // ChannelData-like
      a.core.handlePacket(w.now, client, TURN, data);
    }
    const after = Object.values(a.relay!.relays[0]!.drops).reduce((x, y) => x + y, 0);
    expect(after - before).to.equal(5000);
    expect(a.data.length).to.equal(0);
  });

  it('with a srflx on the client socket, non-server traffic goes to ICE, which drops what is not proven', () => {
    const { w, a, client } = connected('all');
    const unproven = a.core.drops.unprovenData;
    const r = a.core.handlePacket(w.now, client, { address: '203.0.113.66', port: 9, family: 4 }, Buffer.from([0x80, 1, 2, 3]));
    expect(r).to.equal(PACKET_DROPPED);
    expect(a.core.drops.unprovenData).to.equal(unproven + 1);
  });
});
