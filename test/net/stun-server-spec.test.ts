import { expect } from 'chai';
import { parseStunServer, resolveStunServer, DEFAULT_STUN_PORT, type LookupFn } from '../../lib/net/stun-server-spec.js';
import { IceError } from '../../lib/util/errors.js';
import { rejection } from '../support/rejection.js';

describe('net/stun-server-spec', () => {
  describe('parseStunServer', () => {
    const ok: Array<[string, string, number]> = [
      ['stun.example.org:3479', 'stun.example.org', 3479],
      ['stun.example.org', 'stun.example.org', DEFAULT_STUN_PORT],
      ['localhost', 'localhost', 3478],
      ['1.2.3.4:3478', '1.2.3.4', 3478],
      ['1.2.3.4', '1.2.3.4', 3478],
      ['[::1]:3478', '::1', 3478],
      ['[2001:db8::1]:19302', '2001:db8::1', 19302],
      ['[::1]', '::1', 3478],
      ['::1', '::1', 3478],
      ['2001:db8::1', '2001:db8::1', 3478],
      ['stun:stun.example.org:19302', 'stun.example.org', 19302],
      ['stun:[2001:db8::1]:3479', '2001:db8::1', 3479],
      ['stun:[::1]', '::1', 3478],
      ['stun:::1', '::1', 3478],
      ['stun:stun.example.org', 'stun.example.org', 3478],
      ['STUN:host', 'host', 3478],
      ['stun://host:1', 'host', 1],
      ['stun:3478', 'stun', 3478], // a host named "stun", not a scheme
      ['  host:65535  ', 'host', 65535],
      ['my_host-1.local.', 'my_host-1.local.', 3478],
    ];
    for (const [spec, host, port] of ok) {
      it(`accepts ${JSON.stringify(spec)}`, () => {
        expect(parseStunServer(spec)).to.deep.equal({ host, port });
      });
    }

    const bad: Array<[string, RegExp]> = [
      ['', /empty/],
      ['   ', /empty/],
      ['host:', /port "" is not a number/],
      ['host:0', /port 0 is outside/],
      ['host:65536', /port 65536 is outside/],
      ['host:99999999', /not a number/],
      ['host:-1', /not a number/],
      ['host:abc', /not a number/],
      ['host:12x', /not a number/],
      [':3478', /empty host/],
      ['2001:db8::1:3478x', /need brackets/],
      ['a:b:c', /need brackets/],
      ['[::1', /missing "\]"/],
      ['[1.2.3.4]:3478', /not an IPv6 address/],
      ['[::1]3478', /unexpected "3478"/],
      ['[::1]:', /port "" is not a number/],
      ['[::1]:0', /outside/],
      ['stun:', /no host/],
      ['stun:host?transport=udp', /no query/],
      ['stun:host:bad', /not a number/],
      ['bad host', /not a host name/],
      ['h@st:1', /not a host name/],
      ['stuns:host', /stuns: is not a plain STUN server/],
      ['turn:host:3478', /turn: is not a plain STUN server .*TURN servers go in iceServers/],
      ['turns:host', /turns: is not a plain STUN server/],
      ['TURN:host', /turn: is not a plain STUN server/],
    ];
    for (const [spec, why] of bad) {
      it(`rejects ${JSON.stringify(spec)}`, () => {
        let caught: unknown;
        try {
          parseStunServer(spec);
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(IceError);
        expect((caught as IceError).code).to.equal('ERR_INVALID_ARGUMENT');
        expect((caught as IceError).message).to.match(why);
      });
    }
  });

  describe('resolveStunServer', () => {
    const never: LookupFn = () => Promise.reject(new Error('DNS must not be used for literals'));

    it('returns IP literals without DNS', async () => {
      expect(await resolveStunServer({ host: '192.0.2.1', port: 3478 }, undefined, never)).to.deep.equal({
        address: '192.0.2.1', port: 3478, family: 4,
      });
      expect(await resolveStunServer({ host: '::1', port: 9 }, 6, never)).to.deep.equal({ address: '::1', port: 9, family: 6 });
    });

    it('rejects a literal of the wrong family', async () => {
      const err = await rejection(resolveStunServer({ host: '::1', port: 1 }, 4, never));
      expect(err.code).to.equal('ERR_STUN_SERVER');
    });

    it('resolves names through the injected lookup, passing the family', async () => {
      const calls: Array<[string, number]> = [];
      const fake: LookupFn = async (host, o) => {
        calls.push([host, o.family]);
        return { address: '198.51.100.7', family: 4 };
      };
      expect(await resolveStunServer({ host: 'stun.test', port: 3479 }, 4, fake)).to.deep.equal({
        address: '198.51.100.7', port: 3479, family: 4,
      });
      await resolveStunServer({ host: 'stun.test', port: 3479 }, undefined, fake);
      expect(calls).to.deep.equal([['stun.test', 4], ['stun.test', 0]]);
    });

    it('turns ENOTFOUND into IceError ERR_STUN_SERVER', async () => {
      const fake: LookupFn = () =>
        Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nx.test'), { code: 'ENOTFOUND' }));
      const err = await rejection(resolveStunServer({ host: 'nx.test', port: 3478 }, undefined, fake));
      expect(err.code).to.equal('ERR_STUN_SERVER');
      expect(err.message).to.equal('cannot resolve nx.test: ENOTFOUND');
      expect((err.cause as { code?: string }).code).to.equal('ENOTFOUND');
    });

    it('rejects an answer of the wrong family', async () => {
      const fake: LookupFn = async () => ({ address: '::1', family: 6 });
      const err = await rejection(resolveStunServer({ host: 'x.test', port: 1 }, 4, fake));
      expect(err.code).to.equal('ERR_STUN_SERVER');
    });

    it('resolves localhost through the real resolver', async () => {
      const got = await resolveStunServer({ host: 'localhost', port: 3478 });
      expect(['127.0.0.1', '::1']).to.include(got.address);
      expect(got.port).to.equal(3478);
      expect(got.family).to.equal(got.address === '::1' ? 6 : 4);
    });
  });
});
