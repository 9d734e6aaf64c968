// Real sockets, loopback only (127.0.0.0/8 and ::1).
import { expect } from 'chai';
import * as dgram from 'node:dgram';
import { bindUdpSocket, UdpEndpoint, type UdpErrorKind } from '../../lib/net/udp-socket.js';
import type { TransportAddress } from '../../lib/stun/types.js';
import { IceError } from '../../lib/util/errors.js';
import { rejection } from '../support/rejection.js';
import { closeSocket } from '../support/udp.js';
import { until } from '../support/waits.js';

type Received = { data: string; from: TransportAddress };

describe('net/udp-socket', () => {
  const sockets: dgram.Socket[] = [];
  const endpoints: UdpEndpoint[] = [];

  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.close()));
    await Promise.all(sockets.splice(0).map(closeSocket));
  });

  const bind = async (address: string, ...rest: Parameters<typeof bindUdpSocket> extends [string, ...infer R] ? R : never) => {
    const s = await bindUdpSocket(address, ...rest);
    sockets.push(s);
    return s;
  };

  const endpoint = async (address: string, errors: Array<[string, UdpErrorKind]> = [], onMessage?: (d: Buffer, f: TransportAddress) => void) => {
    const inbox: Received[] = [];
    const ep = await UdpEndpoint.bind(address, {
      onMessage: onMessage ?? ((data, from) => inbox.push({ data: data.toString(), from })),
      onError: (err, kind) => errors.push([(err as { code?: string }).code ?? err.message, kind]),
    });
    endpoints.push(ep);
    return { ep, inbox, errors };
  };

  describe('bindUdpSocket', () => {
    it('binds port 0 on 127.0.0.1 without a range', async () => {
      const s = await bind('127.0.0.1');
      expect(s.address().address).to.equal('127.0.0.1');
      expect(s.address().port).to.be.greaterThan(0);
    });

    it('skips a taken port in a tiny range', async () => {
      // Find P (taken by us) with P+1 free, then ask for [P, P+1] repeatedly.
      let checked = 0;
      for (let round = 0; round < 8; round++) {
        const taken = await bind('127.0.0.1');
        const p = taken.address().port;
        if (p >= 65535) continue;
        const s = await bind('127.0.0.1', { min: p, max: p + 1 }, 2).catch(() => undefined);
        if (!s) continue; // P+1 busy elsewhere: try another P
        expect(s.address().port).to.equal(p + 1);
        checked++;
      }
      expect(checked).to.be.greaterThan(0);
    });

    it('rejects with ERR_SOCKET when a 1-port range is taken', async () => {
      const p = (await bind('127.0.0.1')).address().port;
      const err = await rejection(bindUdpSocket('127.0.0.1', { min: p, max: p }));
      expect(err.code).to.equal('ERR_SOCKET');
      expect(err.message).to.equal(`no free port in ${p}-${p} on 127.0.0.1 (EADDRINUSE)`);
    });

    it('rejects a non-local address with ERR_SOCKET (no retry)', async () => {
      // TEST-NET-1 is never configured locally: EADDRNOTAVAIL. Binding sends nothing.
      const err = await rejection(bindUdpSocket('192.0.2.123', { min: 40000, max: 40100 }));
      expect(err.code).to.equal('ERR_SOCKET');
      expect(err.message).to.match(/^cannot bind 192\.0\.2\.123:\d+: EADDRNOTAVAIL$/);
    });

    it('rejects bad arguments with ERR_INVALID_ARGUMENT', async () => {
      expect((await rejection(bindUdpSocket('localhost'))).code).to.equal('ERR_INVALID_ARGUMENT');
      expect((await rejection(bindUdpSocket('127.0.0.1', { min: 10, max: 5 }))).code).to.equal('ERR_INVALID_ARGUMENT');
      expect((await rejection(bindUdpSocket('127.0.0.1', { min: 0, max: 5 }))).code).to.equal('ERR_INVALID_ARGUMENT');
      expect((await rejection(bindUdpSocket('127.0.0.1', { min: 1, max: 70000 }))).code).to.equal('ERR_INVALID_ARGUMENT');
      expect((await rejection(bindUdpSocket('127.0.0.1', { min: 50000, max: 50010 }, 0))).code).to.equal('ERR_INVALID_ARGUMENT');
    });
  });

  describe('UdpEndpoint', () => {
    it('two endpoints on 127.0.0.1 exchange datagrams both ways', async () => {
      const a = await endpoint('127.0.0.1');
      const b = await endpoint('127.0.0.1');
      expect(a.ep.local).to.include({ address: '127.0.0.1', family: 4 });
      a.ep.send(b.ep.local, Buffer.from('ping'));
      await until(() => b.inbox.length === 1, 'b.inbox.length === 1');
      expect(b.inbox[0]).to.deep.equal({ data: 'ping', from: a.ep.local });
      b.ep.send(b.inbox[0]!.from, Buffer.from('pong'));
      await until(() => a.inbox.length === 1, 'a.inbox.length === 1');
      expect(a.inbox[0]).to.deep.equal({ data: 'pong', from: b.ep.local });
      await until(() => a.ep.counters.sent === 1 && b.ep.counters.sent === 1, 'a.ep.counters.sent === 1 && b.ep.counters.sent === 1');
      expect(a.ep.counters).to.deep.equal({ sent: 1, received: 1, sendErrors: 0, dropped: 0 });
      expect(a.errors).to.deep.equal([]);
    });

    it('datagrams sent just before close() still leave', async () => {
      const a = await endpoint('127.0.0.1');
      const b = await endpoint('127.0.0.1');
      for (let i = 0; i < 5; i++) a.ep.send(b.ep.local, Buffer.from(`last ${i}`));
      await a.ep.close();
      await until(() => b.inbox.length === 5, 'b.inbox.length === 5');
      expect(b.inbox.map((m) => m.data)).to.deep.equal([0, 1, 2, 3, 4].map((i) => `last ${i}`));
      expect(a.ep.counters.sent).to.equal(5);
      await b.ep.close();
    });

    it('127.0.0.1 and 127.0.0.2 talk (Linux serves 127/8 on lo)', async function () {
      let b;
      try {
        b = await endpoint('127.0.0.2');
      } catch (err) {
        console.log(`      skipped: cannot bind 127.0.0.2 (${(err as Error).message})`);
        this.skip();
      }
      const a = await endpoint('127.0.0.1');
      a.ep.send(b.ep.local, Buffer.from('hi'));
      await until(() => b.inbox.length === 1, 'b.inbox.length === 1');
      expect(b.inbox[0]!.from).to.deep.equal(a.ep.local);
    });

    describe('IPv6 loopback', () => {
      before(async function () {
        try {
          const probe = await bindUdpSocket('::1');
          await closeSocket(probe);
        } catch (err) {
          console.log(`      skipped: ::1 not available (${(err as Error).message})`);
          this.skip();
        }
      });

      it('two endpoints on ::1 exchange datagrams both ways', async () => {
        const a = await endpoint('::1');
        const b = await endpoint('::1');
        expect(a.ep.local).to.include({ address: '::1', family: 6 });
        a.ep.send(b.ep.local, Buffer.from('ping6'));
        await until(() => b.inbox.length === 1, 'b.inbox.length === 1');
        expect(b.inbox[0]).to.deep.equal({ data: 'ping6', from: a.ep.local });
        b.ep.send(a.ep.local, Buffer.from('pong6'));
        await until(() => a.inbox.length === 1, 'a.inbox.length === 1');
        expect(a.inbox[0]).to.deep.equal({ data: 'pong6', from: b.ep.local });
      });

      it('reports IPv4-mapped sources on a dual-stack udp6 socket as IPv4', async () => {
        const dual = await endpoint('::'); // receives only; the sender is 127.0.0.1
        const v4 = await endpoint('127.0.0.1');
        v4.ep.send({ address: '127.0.0.1', port: dual.ep.local.port, family: 4 }, Buffer.from('mapped'));
        await until(() => dual.inbox.length === 1, 'dual.inbox.length === 1');
        expect(dual.inbox[0]!.from).to.deep.equal(v4.ep.local);
      });
    });

    it('send after close is a counted no-op; close is idempotent', async () => {
      const a = await endpoint('127.0.0.1');
      const b = await endpoint('127.0.0.1');
      await a.ep.close();
      expect(a.ep.closed).to.equal(true);
      expect(() => a.ep.send(b.ep.local, Buffer.from('x'))).to.not.throw();
      expect(() => a.ep.send(a.ep.local, Buffer.from('to my own old socket'))).to.not.throw();
      expect(a.ep.counters.dropped).to.equal(2);
      await a.ep.close();
      await Promise.all([a.ep.close(), a.ep.close()]);
      // a's socket is gone, so nothing of it can still be in flight: a marker from a third socket
      // is all b gets (and its arrival gives a late error on a time to show up).
      const c = await endpoint('127.0.0.1');
      c.ep.send(b.ep.local, Buffer.from('marker'));
      await until(() => b.inbox.length > 0, 'the marker at b');
      expect(b.inbox).to.deep.equal([{ data: 'marker', from: c.ep.local }]);
      expect(a.errors).to.deep.equal([]);
    });

    it('a socket closed underneath the endpoint is noticed', async () => {
      const s = await bindUdpSocket('127.0.0.1');
      const ep = new UdpEndpoint(s, { onMessage: () => {} });
      endpoints.push(ep);
      await closeSocket(s);
      expect(ep.closed).to.equal(true);
      ep.send({ address: '127.0.0.1', port: 9, family: 4 }, Buffer.from('x'));
      expect(ep.counters.dropped).to.equal(1);
      await ep.close();
    });

    it('sending to 127.0.0.1:9 (nothing listening) does not crash', async () => {
      const a = await endpoint('127.0.0.1');
      for (let i = 0; i < 3; i++) a.ep.send({ address: '127.0.0.1', port: 9, family: 4 }, Buffer.from('discard'));
      await until(() => a.ep.counters.sent + a.ep.counters.sendErrors === 3, 'a.ep.counters.sent + a.ep.counters.sendErrors === 3');
      // A round trip through an echo after the discards: any error they caused has arrived, and a still works.
      const echo = await endpoint('127.0.0.1', [], (d, from) => echo.ep.send(from, d));
      a.ep.send(echo.ep.local, Buffer.from('still here'));
      await until(() => a.inbox.length > 0, 'the echo');
      expect(a.inbox).to.deep.equal([{ data: 'still here', from: echo.ep.local }]);
      expect(a.ep.closed).to.equal(false);
    });

    it('send errors are counted and reported, never thrown', async () => {
      const a = await endpoint('127.0.0.1');
      const b = await endpoint('127.0.0.1');
      expect(() => a.ep.send(b.ep.local, Buffer.alloc(70000))).to.not.throw(); // EMSGSIZE
      expect(() => a.ep.send({ address: '127.0.0.1', port: 0, family: 4 }, Buffer.from('x'))).to.not.throw();
      await until(() => a.ep.counters.sendErrors === 2, 'a.ep.counters.sendErrors === 2');
      expect(a.errors.map(([, kind]) => kind)).to.deep.equal(['send', 'send']);
      expect(a.errors.map(([code]) => code)).to.have.members(['EMSGSIZE', 'ERR_SOCKET_BAD_PORT']);
      // Still usable afterwards.
      a.ep.send(b.ep.local, Buffer.from('after'));
      await until(() => b.inbox.length === 1, 'b.inbox.length === 1');
    });

    it('a throwing onMessage handler is reported and the socket keeps working', async () => {
      let calls = 0;
      const errors: Array<[string, UdpErrorKind]> = [];
      const r = await endpoint('127.0.0.1', errors, () => {
        calls++;
        throw new Error('handler boom');
      });
      const s = await endpoint('127.0.0.1');
      s.ep.send(r.ep.local, Buffer.from('1'));
      s.ep.send(r.ep.local, Buffer.from('2'));
      await until(() => calls === 2, 'calls === 2');
      expect(errors).to.deep.equal([['handler boom', 'handler'], ['handler boom', 'handler']]);
      expect(r.ep.counters.received).to.equal(2);
      expect(r.ep.closed).to.equal(false);
    });

    it('a throwing onError does not escape either', async () => {
      const ep = await UdpEndpoint.bind('127.0.0.1', {
        onMessage: () => {
          throw new Error('one');
        },
        onError: () => {
          throw new Error('two');
        },
      });
      endpoints.push(ep);
      const s = await endpoint('127.0.0.1');
      s.ep.send(ep.local, Buffer.from('x'));
      await until(() => ep.counters.received === 1, 'ep.counters.received === 1');
    });

    it('refuses an unbound socket with ERR_INVALID_STATE', async () => {
      const s = dgram.createSocket('udp4');
      let caught: unknown;
      try {
        new UdpEndpoint(s, { onMessage: () => {} });
      } catch (err) {
        caught = err;
      }
      s.close();
      expect(caught).to.be.instanceOf(IceError);
      expect((caught as IceError).code).to.equal('ERR_INVALID_STATE');
    });
  });
});
