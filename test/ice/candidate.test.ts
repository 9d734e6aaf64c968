import { expect } from 'chai';
import {
  TYPE_PREFERENCE,
  addressFamily,
  addressKey,
  candidateFoundation,
  candidatePriority,
  localPreference,
  normalizeAddress,
  sameTransportAddress,
} from '../../lib/ice/candidate.js';
import { pairPriority } from '../../lib/ice/pair-priority.js';
import { IceError } from '../../lib/util/errors.js';

function expectIceError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(IceError);
    expect((err as IceError).code).to.equal(code);
    expect((err as IceError).message).to.match(pattern);
    return;
  }
  expect.fail('expected an IceError');
}

describe('ice/candidate', () => {
  describe('TYPE_PREFERENCE (RFC 8445 §5.1.2.2)', () => {
    it('has the recommended values', () => {
      expect(TYPE_PREFERENCE).to.deep.equal({ host: 126, prflx: 110, srflx: 100, relay: 0 });
    });
  });

  describe('candidatePriority (RFC 8445 §5.1.2.1)', () => {
    it('computes the formula', () => {
      expect(candidatePriority('host', 65535, 1)).to.equal(2130706431);
      expect(candidatePriority('srflx', 65535, 1)).to.equal(1694498815);
      expect(candidatePriority('relay', 0, 256)).to.equal(0);
      expect(candidatePriority('prflx', 1000, 2)).to.equal(110 * 2 ** 24 + 1000 * 256 + 254);
    });
    it('is a non-negative 32-bit integer at every extreme', () => {
      for (const type of ['host', 'prflx', 'srflx', 'relay'] as const) {
        for (const [lp, comp] of [[0, 256], [65535, 1], [32768, 128]] as const) {
          const p = candidatePriority(type, lp, comp);
          expect(Number.isInteger(p)).to.equal(true);
          expect(p).to.be.within(0, 2 ** 32 - 1);
          expect(p).to.equal(TYPE_PREFERENCE[type] * 2 ** 24 + lp * 2 ** 8 + 256 - comp);
        }
      }
    });
    it('reproduces priorities seen from Chrome', () => {
      expect(candidatePriority('srflx', 30, 1)).to.equal(1677729535);
      expect(candidatePriority('host', 32512, 1)).to.equal(2122252543);
    });
    it('rejects bad arguments', () => {
      expectIceError(() => candidatePriority('host', 65536, 1), 'ERR_INVALID_ARGUMENT', /local preference/);
      expectIceError(() => candidatePriority('host', -1, 1), 'ERR_INVALID_ARGUMENT', /local preference/);
      expectIceError(() => candidatePriority('host', 1.5, 1), 'ERR_INVALID_ARGUMENT', /local preference/);
      expectIceError(() => candidatePriority('host', 1, 0), 'ERR_INVALID_ARGUMENT', /component/);
      expectIceError(() => candidatePriority('host', 1, 257), 'ERR_INVALID_ARGUMENT', /component/);
      expectIceError(() => candidatePriority('bogus' as 'host', 1, 1), 'ERR_INVALID_ARGUMENT', /type 'bogus'/);
    });
  });

  describe('localPreference (RFC 8421)', () => {
    it('prefers IPv6 global over IPv4 over other IPv6 over loopback/link-local', () => {
      const v6 = localPreference('2001:db8::1', 5);
      const v4 = localPreference('192.168.1.2', 0);
      const ula = localPreference('fd00::1', 0);
      const ll = localPreference('fe80::1', 0);
      const lo = localPreference('127.0.0.1', 0);
      expect(v6).to.be.greaterThan(v4);
      expect(v4).to.be.greaterThan(ula);
      expect(ula).to.be.greaterThan(ll);
      expect(localPreference('169.254.1.1', 0)).to.equal(lo);
      expect(localPreference('::1', 0)).to.equal(lo);
      expect(localPreference('abc.local', 0)).to.equal(lo);
    });
    it('prefers lower interface rank within a family', () => {
      expect(localPreference('10.0.0.1', 0)).to.be.greaterThan(localPreference('10.0.0.2', 1));
      expect(localPreference('2001:db8::1', 0)).to.equal(65535);
      expect(localPreference('127.0.0.1', 16383)).to.equal(0);
    });
    it('gives distinct values in 0..65535 across families and ranks', () => {
      const seen = new Set<number>();
      for (const a of ['2001:db8::1', '10.0.0.1', 'fd00::1', '127.0.0.1']) {
        for (const r of [0, 1, 2, 3, 100, 16383]) {
          const v = localPreference(a, r);
          expect(v).to.be.within(0, 65535);
          expect(seen.has(v)).to.equal(false);
          seen.add(v);
        }
      }
    });
    it('rejects bad ranks', () => {
      expectIceError(() => localPreference('10.0.0.1', -1), 'ERR_INVALID_ARGUMENT', /interface rank/);
      expectIceError(() => localPreference('10.0.0.1', 16384), 'ERR_INVALID_ARGUMENT', /interface rank/);
      expectIceError(() => localPreference('10.0.0.1', 0.5), 'ERR_INVALID_ARGUMENT', /interface rank/);
    });
  });

  describe('candidateFoundation (RFC 8445 §5.1.1.3)', () => {
    it('is a short decimal string and deterministic', () => {
      const f = candidateFoundation('host', '10.0.0.1', 'udp');
      expect(f).to.match(/^[0-9]{1,10}$/);
      expect(candidateFoundation('host', '10.0.0.1', 'udp')).to.equal(f);
    });
    it('is equal for equal type, base IP, server and transport', () => {
      expect(candidateFoundation('srflx', '10.0.0.1', 'udp', '198.51.100.1')).to.equal(
        candidateFoundation('srflx', '10.0.0.1', 'udp', '198.51.100.1'),
      );
      expect(candidateFoundation('host', '2001:DB8:0::1', 'udp')).to.equal(candidateFoundation('host', '2001:db8::1', 'udp'));
    });
    it('differs when any field differs', () => {
      const base = candidateFoundation('srflx', '10.0.0.1', 'udp', '198.51.100.1');
      expect(candidateFoundation('host', '10.0.0.1', 'udp', '198.51.100.1')).to.not.equal(base);
      expect(candidateFoundation('srflx', '10.0.0.2', 'udp', '198.51.100.1')).to.not.equal(base);
      expect(candidateFoundation('srflx', '10.0.0.1', 'tcp', '198.51.100.1')).to.not.equal(base);
      expect(candidateFoundation('srflx', '10.0.0.1', 'udp', '198.51.100.2')).to.not.equal(base);
      expect(candidateFoundation('srflx', '10.0.0.1', 'udp')).to.not.equal(base);
    });
  });

  describe('addresses', () => {
    it('addressFamily', () => {
      expect(addressFamily('1.2.3.4')).to.equal(4);
      expect(addressFamily('::1')).to.equal(6);
      expect(addressFamily('6b0a5c9c-1d1f-4b36-93b2-8c3c1e5b6d4a.local')).to.equal(0);
      expect(addressFamily('1.2.3')).to.equal(0);
    });
    it('normalizeAddress compresses and lower-cases IPv6, keeps zone ids', () => {
      expect(normalizeAddress('2001:DB8:0:0:0:0:0:1')).to.equal('2001:db8::1');
      expect(normalizeAddress('fe80:0::1%eth0')).to.equal('fe80::1%eth0');
      expect(normalizeAddress('1.2.3.4')).to.equal('1.2.3.4');
      expect(normalizeAddress('ABC.local')).to.equal('abc.local');
    });
    it('addressKey', () => {
      expect(addressKey({ address: '1.2.3.4', port: 5 })).to.equal('1.2.3.4:5');
      expect(addressKey({ address: '::1', port: 5 })).to.equal('[::1]:5');
      expect(addressKey({ address: '0:0:0:0:0:0:0:1', port: 5 })).to.equal('[::1]:5');
    });
    it('sameTransportAddress compares normalized IPv6 and ports', () => {
      expect(sameTransportAddress({ address: '2001:DB8::1', port: 9 }, { address: '2001:db8:0::1', port: 9 })).to.equal(true);
      expect(sameTransportAddress({ address: '2001:db8::1', port: 9 }, { address: '2001:db8::1', port: 10 })).to.equal(false);
      expect(sameTransportAddress({ address: '1.2.3.4', port: 9 }, { address: '1.2.3.5', port: 9 })).to.equal(false);
      expect(sameTransportAddress({ address: '::ffff:1.2.3.4', port: 9 }, { address: '1.2.3.4', port: 9 })).to.equal(false);
    });
  });
});

describe('ice/pair-priority (RFC 8445 §6.1.2.3)', () => {
  it('computes 2^32*min + 2*max + (G>D)', () => {
    expect(pairPriority(2, 1)).to.equal((1n << 32n) + 4n + 1n);
    expect(pairPriority(1, 2)).to.equal((1n << 32n) + 4n);
    expect(pairPriority(7, 7)).to.equal((7n << 32n) + 14n);
  });
  it('exceeds 2^53 without losing precision', () => {
    const g = 2130706431; // host, localPref 65535, component 1
    const d = 1694498815;
    const p = pairPriority(g, d);
    expect(p > 2n ** 53n).to.equal(true);
    expect(p).to.equal(1694498815n * 4294967296n + 4261412863n);
  });
  it('orders by the controlled/controlling asymmetry', () => {
    expect(pairPriority(100, 50) > pairPriority(50, 100)).to.equal(true);
  });
});
