import { expect } from 'chai';
import type * as os from 'node:os';
import { listHostAddresses, selectHostAddresses, isLoopbackAddress, isLinkLocalAddress, normalizeIp } from '../../lib/net/interfaces.js';

const v4 = (address: string, internal = false): os.NetworkInterfaceInfo => ({
  address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24`,
});
const v6 = (address: string, scopeid = 0, internal = false): os.NetworkInterfaceInfo => ({
  address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr: `${address}/64`, scopeid,
});

// Interface order matters (interfaceRank), so lo is deliberately not first.
const table = (): NodeJS.Dict<os.NetworkInterfaceInfo[]> => ({
  eth0: [v4('192.0.2.10'), v6('2001:db8::10'), v6('fe80::1', 2), v4('169.254.7.7'), v6('fec0::5', 2)],
  lo: [v4('127.0.0.1', true), v6('::1', 0, true)],
  docker0: [v4('172.17.0.1'), v6('2001:db8:1::1')],
  empty: undefined,
});

const list = (opts?: Parameters<typeof listHostAddresses>[0]): string[] =>
  listHostAddresses(opts, table).map((a) => a.address);

describe('net/interfaces', () => {
  it('defaults: global IPv4 and IPv6 in interface order, no loopback or link-local', () => {
    expect(list()).to.deep.equal(['192.0.2.10', '2001:db8::10', '172.17.0.1', '2001:db8:1::1']);
  });

  it('fills every HostAddress field, interfaceRank from table order', () => {
    const all = listHostAddresses({ includeLoopback: true, includeLinkLocal: true }, table);
    expect(all.find((a) => a.address === '172.17.0.1')).to.deep.equal({
      address: '172.17.0.1', family: 4, interfaceName: 'docker0', interfaceRank: 2, loopback: false, linkLocal: false,
    });
    expect(all.find((a) => a.address === '::1')).to.deep.equal({
      address: '::1', family: 6, interfaceName: 'lo', interfaceRank: 1, loopback: true, linkLocal: false,
    });
    expect(all.find((a) => a.address === 'fe80::1')).to.include({ family: 6, linkLocal: true, interfaceRank: 0 });
  });

  it('ipv4: false and ipv6: false', () => {
    expect(list({ ipv4: false })).to.deep.equal(['2001:db8::10', '2001:db8:1::1']);
    expect(list({ ipv6: false })).to.deep.equal(['192.0.2.10', '172.17.0.1']);
    expect(list({ ipv4: false, ipv6: false })).to.deep.equal([]);
  });

  it('includeLoopback', () => {
    expect(list({ includeLoopback: true })).to.deep.equal([
      '192.0.2.10', '2001:db8::10', '127.0.0.1', '::1', '172.17.0.1', '2001:db8:1::1',
    ]);
  });

  it('includeLinkLocal covers fe80::/10 and 169.254/16; other scoped IPv6 is always skipped', () => {
    expect(list({ includeLinkLocal: true })).to.deep.equal([
      '192.0.2.10', '2001:db8::10', 'fe80::1', '169.254.7.7', '172.17.0.1', '2001:db8:1::1',
    ]);
    expect(list({ includeLinkLocal: true, includeLoopback: true })).to.not.include('fec0::5');
  });

  it('interfaces allow-list', () => {
    expect(list({ interfaces: ['docker0'] })).to.deep.equal(['172.17.0.1', '2001:db8:1::1']);
    // Naming the loopback interface asks for loopback, as naming a loopback address does.
    expect(list({ interfaces: ['lo'] })).to.deep.equal(['127.0.0.1', '::1']);
    expect(list({ interfaces: ['lo', 'docker0'] })).to.deep.equal(['127.0.0.1', '::1', '172.17.0.1', '2001:db8:1::1']);
    expect(list({ interfaces: ['lo'], ipv6: false })).to.deep.equal(['127.0.0.1']);
    expect(list({ interfaces: ['nope'] })).to.deep.equal([]);
  });

  it('addresses allow-list keeps only those, in table order, normalising IPv6 spelling', () => {
    expect(list({ addresses: ['172.17.0.1', '2001:DB8:0::10', '198.51.100.1'] })).to.deep.equal([
      '2001:db8::10', '172.17.0.1',
    ]);
    expect(list({ addresses: [] })).to.deep.equal([]);
    expect(list({ addresses: ['not-an-ip'] })).to.deep.equal([]);
  });

  it('explicit loopback addresses beat includeLoopback: false', () => {
    expect(list({ addresses: ['127.0.0.1'] })).to.deep.equal(['127.0.0.1']);
    expect(list({ addresses: ['::1', '127.0.0.1'] })).to.deep.equal(['127.0.0.1', '::1']);
  });

  it('allows unlisted loopback addresses such as 127.0.0.2 (attached to the loopback interface)', () => {
    const got = listHostAddresses({ addresses: ['127.0.0.1', '127.0.0.2'] }, table);
    expect(got.map((a) => a.address)).to.deep.equal(['127.0.0.1', '127.0.0.2']);
    expect(got[1]).to.deep.equal({
      address: '127.0.0.2', family: 4, interfaceName: 'lo', interfaceRank: 1, loopback: true, linkLocal: false,
    });
    // Other filters still apply to it.
    expect(list({ addresses: ['127.0.0.2'], ipv4: false })).to.deep.equal([]);
    expect(list({ addresses: ['127.0.0.2'], interfaces: ['eth0'] })).to.deep.equal([]);
    // Without a loopback interface in the table it is still usable.
    const noLo = listHostAddresses({ addresses: ['127.0.0.2'] }, () => ({ eth0: [v4('192.0.2.10')] }));
    expect(noLo).to.deep.equal([
      { address: '127.0.0.2', family: 4, interfaceName: 'lo', interfaceRank: 1, loopback: true, linkLocal: false },
    ]);
  });

  it('unlisted non-loopback addresses are not invented', () => {
    expect(list({ addresses: ['192.0.2.99', '10.0.0.1'] })).to.deep.equal([]);
  });

  it('filter callback has the last word', () => {
    expect(list({ filter: (a) => a.interfaceName !== 'docker0' })).to.deep.equal(['192.0.2.10', '2001:db8::10']);
    expect(list({ addresses: ['127.0.0.2'], filter: () => false })).to.deep.equal([]);
  });

  it('the same address on two interfaces is listed once (first interface wins)', () => {
    const dup = listHostAddresses({}, () => ({ a: [v4('192.0.2.1')], b: [v4('192.0.2.1'), v4('192.0.2.2')] }));
    expect(dup.map((h) => `${h.interfaceName}/${h.address}`)).to.deep.equal(['a/192.0.2.1', 'b/192.0.2.2']);
  });

  describe('a filter value that matches nothing is reported with what the machine has', () => {
    const MACHINE = 'this machine has eth0: 192.0.2.10, 2001:db8::10, fe80::1, 169.254.7.7, fec0::5; lo: 127.0.0.1, ::1; docker0: 172.17.0.1, 2001:db8:1::1; empty: no address';
    const warnings = (opts: Parameters<typeof selectHostAddresses>[0]) => selectHostAddresses(opts, table).warnings;

    it('an interface that does not exist', () => {
      expect(warnings({ interfaces: ['docker0', 'eth7'] })).to.deep.equal([
        { code: 'ERR_FILTER_UNMATCHED', message: `interfaces entry "eth7" matched nothing: no such interface; ${MACHINE}` },
      ]);
    });

    it('an interface whose addresses the other filters all left out, each with the reason', () => {
      expect(warnings({ interfaces: ['eth0', 'docker0'], ipv6: false, filter: (a) => a.address !== '192.0.2.10' })).to.deep.equal([
        {
          code: 'ERR_FILTER_UNMATCHED',
          message: `interfaces entry "eth0" matched nothing: its addresses were all left out: 192.0.2.10 (the filter function refused it), 2001:db8::10 (ipv6 is false), fe80::1 (ipv6 is false), 169.254.7.7 (link-local, and includeLinkLocal is not set); ${MACHINE}`,
        },
      ]);
      expect(warnings({ interfaces: ['empty', 'docker0'] })[0]!.message).to.include('"empty" matched nothing: its addresses were all left out: it has none;');
    });

    it('an address that is not on this machine, and one the other filters left out', () => {
      expect(warnings({ addresses: ['192.0.2.10', '10.9.9.9', '2001:DB8::10'], ipv6: false })).to.deep.equal([
        { code: 'ERR_FILTER_UNMATCHED', message: `addresses entry "10.9.9.9" matched nothing: not an address of this machine; ${MACHINE}` },
        { code: 'ERR_FILTER_UNMATCHED', message: `addresses entry "2001:DB8::10" matched nothing: left out: 2001:db8::10 (ipv6 is false); ${MACHINE}` },
      ]);
    });

    it('nothing at all: one warning per value, then ERR_NO_ADDRESS with the machine', () => {
      expect(warnings({ interfaces: ['wlan0'], addresses: ['192.0.2.10'] }).map((w) => w.message)).to.deep.equal([
        `interfaces entry "wlan0" matched nothing: no such interface; ${MACHINE}`,
        `addresses entry "192.0.2.10" matched nothing: left out: 192.0.2.10 (its interface eth0 is not in interfaces); ${MACHINE}`,
        `no host address passes the address filters; ${MACHINE}`,
      ]);
      expect(selectHostAddresses({ ipv4: false }, () => ({})).warnings).to.deep.equal([
        { code: 'ERR_NO_ADDRESS', message: 'no host address passes the address filters; this machine has no network interfaces' },
      ]);
    });

    it('values that matched something give no warning', () => {
      expect(warnings({ interfaces: ['lo', 'eth0'], addresses: ['127.0.0.1', '192.0.2.10', '127.0.0.5'] })).to.deep.equal([]);
      expect(warnings({})).to.deep.equal([]);
    });
  });

  it('range helpers', () => {
    expect(isLoopbackAddress('127.255.0.9')).to.equal(true);
    expect(isLoopbackAddress('::1')).to.equal(true);
    expect(isLoopbackAddress('128.0.0.1')).to.equal(false);
    expect(isLoopbackAddress('nope')).to.equal(false);
    expect(isLinkLocalAddress('febf::1')).to.equal(true);
    expect(isLinkLocalAddress('fec0::1')).to.equal(false);
    expect(isLinkLocalAddress('169.254.0.1')).to.equal(true);
    expect(normalizeIp('2001:0DB8:0000::0001')).to.equal('2001:db8::1');
    expect(normalizeIp('x')).to.equal('');
  });

  it('the real table (os.networkInterfaces) yields well-formed entries', () => {
    for (const a of listHostAddresses({ includeLoopback: true })) {
      expect(a.family === 4 || a.family === 6).to.equal(true);
      expect(a.interfaceName).to.be.a('string').and.not.equal('');
    }
  });
});
