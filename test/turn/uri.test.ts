import { expect } from 'chai';
import { parseIceServerUri } from '../../lib/turn/uri.js';
import { IceError } from '../../lib/util/errors.js';

function fails(uri: string, fragment: string): void {
  try {
    parseIceServerUri(uri);
  } catch (err) {
    expect(err).to.be.instanceOf(IceError);
    expect((err as IceError).code).to.equal('ERR_INVALID_ARGUMENT');
    expect((err as IceError).message).to.include(`'${uri}'`).and.to.include(fragment);
    return;
  }
  expect.fail(`${uri} parsed`);
}

describe('turn: STUN/TURN URI parser (RFC 7064, RFC 7065)', () => {
  it('turn: with a name, default port 3478 and transport UDP', () => {
    expect(parseIceServerUri('turn:turn.Example.org')).to.deep.equal({
      scheme: 'turn', host: 'turn.example.org', hostKind: 'name', port: 3478, transport: 'udp', uri: 'turn:turn.Example.org',
    });
  });

  it('turns: defaults to port 5349 and TLS over TCP', () => {
    const u = parseIceServerUri('turns:192.0.2.7');
    expect([u.scheme, u.host, u.hostKind, u.port, u.transport]).to.deep.equal(['turns', '192.0.2.7', 'ipv4', 5349, 'tls']);
  });

  it('explicit port and ?transport=tcp / udp; the scheme and the transport value are case-insensitive', () => {
    expect(parseIceServerUri('turn:127.0.0.1:3479?transport=tcp')).to.include({ port: 3479, transport: 'tcp' });
    expect(parseIceServerUri('TURN:127.0.0.1:1?transport=UDP')).to.include({ scheme: 'turn', port: 1, transport: 'udp' });
    expect(parseIceServerUri('turns:a.b:443?transport=tcp')).to.include({ port: 443, transport: 'tls' });
  });

  it('bracketed IPv6 literals, with and without a port', () => {
    expect(parseIceServerUri('turn:[2001:DB8::1]:3480')).to.include({ host: '2001:db8::1', hostKind: 'ipv6', port: 3480 });
    expect(parseIceServerUri('stun:[::1]')).to.include({ host: '::1', hostKind: 'ipv6', port: 3478, transport: 'udp' });
  });

  it('stun: is UDP, stuns: is TLS on 5349', () => {
    expect(parseIceServerUri('stun:stun.example.net')).to.include({ scheme: 'stun', port: 3478, transport: 'udp' });
    expect(parseIceServerUri('stuns:stun.example.net')).to.include({ scheme: 'stuns', port: 5349, transport: 'tls' });
  });

  it('rejects malformed URIs with a typed error that names the URI', () => {
    fails('http://example.org', 'scheme');
    fails('turn', 'scheme');
    fails('turn:', 'missing host');
    fails('turn://example.org', '//');
    fails('turn:user@example.org', 'user info');
    fails('turn:example.org/path', 'path');
    fails('turn:example.org:0', 'out of range');
    fails('turn:example.org:65536', 'out of range');
    fails('turn:example.org:abc', 'bad port');
    fails('turn:example.org:', 'bad port');
    fails('turn:256.1.1.1', 'IPv4');
    fails('turn:1.2.3', 'IPv4');
    fails('turn:[::1', 'unterminated');
    fails('turn:[::g]', 'IPv6');
    fails('turn:[fe80::1%eth0]', 'IPv6');
    fails('turn:[::1]x', 'junk');
    fails('turn:::1', 'host');
    fails('turn:exa mple.org', 'host name');
    fails('turn:a..b', 'host name');
    fails('turn:example.org?transport=sctp', "unknown transport 'sctp'");
    fails('turn:example.org?foo=bar', 'only query');
    fails('turns:example.org?transport=udp', 'DTLS');
    fails('stun:example.org?transport=udp', 'no query');
  });
});
