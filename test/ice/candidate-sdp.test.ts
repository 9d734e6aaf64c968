import { expect } from 'chai';
import { formatCandidate, parseCandidate } from '../../lib/ice/candidate-sdp.js';
import type { Candidate } from '../../lib/ice/candidate-types.js';
import { IceError } from '../../lib/util/errors.js';

const CHROME_SRFLX =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 52313 typ srflx raddr 10.0.0.2 rport 52313 generation 0 ufrag EsAw network-id 1 network-cost 999';
const MDNS_HOST = 'candidate:1 1 UDP 2122252543 6b0a5c9c-1d1f-4b36-93b2-8c3c1e5b6d4a.local 54400 typ host generation 0';

function expectInvalid(text: string, pattern: RegExp): void {
  try {
    parseCandidate(text);
  } catch (err) {
    expect(err).to.be.instanceOf(IceError);
    expect((err as IceError).code).to.equal('ERR_INVALID_CANDIDATE');
    expect((err as IceError).message).to.match(pattern);
    return;
  }
  expect.fail(`expected '${text}' to be rejected`);
}

function roundTrips(c: Candidate): void {
  expect(parseCandidate(formatCandidate(c))).to.deep.equal(c);
}

describe('ice/candidate-sdp (RFC 8839 §5.1)', () => {
  describe('parseCandidate', () => {
    it('parses a Chrome srflx line with extensions in order', () => {
      const c = parseCandidate(CHROME_SRFLX);
      expect(c).to.deep.equal({
        foundation: '842163049',
        component: 1,
        transport: 'udp',
        priority: 1677729535,
        address: '203.0.113.7',
        port: 52313,
        type: 'srflx',
        relatedAddress: '10.0.0.2',
        relatedPort: 52313,
        extensions: [
          ['generation', '0'],
          ['ufrag', 'EsAw'],
          ['network-id', '1'],
          ['network-cost', '999'],
        ],
      });
      expect(formatCandidate(c)).to.equal(CHROME_SRFLX);
    });

    it('keeps an mDNS host name unresolved and lower-cases UDP', () => {
      const c = parseCandidate(MDNS_HOST);
      expect(c.address).to.equal('6b0a5c9c-1d1f-4b36-93b2-8c3c1e5b6d4a.local');
      expect(c.transport).to.equal('udp');
      expect(c.type).to.equal('host');
      expect(c.priority).to.equal(2122252543);
      expect(c).to.not.have.property('relatedAddress');
      expect(c.extensions).to.deep.equal([['generation', '0']]);
      expect(formatCandidate(c)).to.equal(MDNS_HOST.replace('UDP', 'udp'));
    });

    it('accepts a=candidate:, candidate: and bare bodies', () => {
      const bare = CHROME_SRFLX.slice('candidate:'.length);
      expect(parseCandidate(`a=${CHROME_SRFLX}`)).to.deep.equal(parseCandidate(CHROME_SRFLX));
      expect(parseCandidate(bare)).to.deep.equal(parseCandidate(CHROME_SRFLX));
    });

    it('tolerates extra whitespace and a trailing CRLF', () => {
      const messy = `  a=candidate:1   1\tudp  2122252543 10.0.0.1  9  typ   host  generation 0 \r\n`;
      const c = parseCandidate(messy);
      expect(c.address).to.equal('10.0.0.1');
      expect(c.extensions).to.deep.equal([['generation', '0']]);
    });

    it('parses IPv6 and normalizes the literal', () => {
      const c = parseCandidate('candidate:2 1 udp 2122262783 2001:DB8:0:0::7 50000 typ host generation 0 network-id 2');
      expect(c.address).to.equal('2001:db8::7');
      roundTrips(c);
    });

    it('parses a relay candidate', () => {
      const c = parseCandidate('candidate:3 1 udp 41885439 198.51.100.9 3478 typ relay raddr 203.0.113.7 rport 52313 generation 0');
      expect(c.type).to.equal('relay');
      expect(c.relatedAddress).to.equal('203.0.113.7');
      expect(c.relatedPort).to.equal(52313);
      roundTrips(c);
    });

    it('parses TCP candidates with tcptype (RFC 6544)', () => {
      const active = parseCandidate('candidate:4 1 TCP 1518280447 10.0.0.2 9 typ host tcptype active generation 0');
      expect(active.transport).to.equal('tcp');
      expect(active.tcpType).to.equal('active');
      expect(active.port).to.equal(9);
      roundTrips(active);
      const passive = parseCandidate('candidate:5 2 tcp 1518280446 10.0.0.2 0 typ host tcptype passive');
      expect(passive.tcpType).to.equal('passive');
      expect(passive.component).to.equal(2);
      expect(passive.port).to.equal(0);
      expect(parseCandidate('candidate:6 1 tcp 1 10.0.0.2 9 typ srflx raddr 10.0.0.1 rport 9 tcptype so').tcpType).to.equal('so');
    });

    it('accepts the grammar extremes', () => {
      const c = parseCandidate(`candidate:${'a+/Z'.repeat(8)} 256 udp 4294967295 example.com 65535 typ prflx`);
      expect(c.foundation).to.have.length(32);
      expect(c.component).to.equal(256);
      expect(c.priority).to.equal(4294967295);
      expect(c.address).to.equal('example.com');
      expect(c.type).to.equal('prflx');
      expect(parseCandidate('candidate:x 1 udp 1 1.2.3.4 1 TYP HOST').type).to.equal('host');
    });

    it('keeps unknown extensions verbatim, in order', () => {
      const c = parseCandidate('candidate:1 1 udp 1 1.2.3.4 1 typ host zeta Q foo bar generation 1');
      expect(c.extensions).to.deep.equal([['zeta', 'Q'], ['foo', 'bar'], ['generation', '1']]);
      roundTrips(c);
    });

    describe('errors', () => {
      const ok = ['candidate:1', '1', 'udp', '100', '1.2.3.4', '5000', 'typ', 'host'];
      const withField = (i: number, v: string): string => ok.map((t, j) => (j === i ? v : t)).join(' ');

      it('non-string input', () => expectInvalid(42 as unknown as string, /not a string/));
      it('too long', () => expectInvalid(`${ok.join(' ')} x ${'y'.repeat(1100)}`, /more than 1024/));
      it('too few fields', () => expectInvalid('candidate:1 1 udp 100 1.2.3.4 5000 typ', /7 fields/));
      it('empty', () => expectInvalid('', /0 fields/));
      it('foundation too long', () => expectInvalid(withField(0, `candidate:${'a'.repeat(33)}`), /foundation/));
      it('foundation bad chars', () => expectInvalid(withField(0, 'candidate:a-b'), /foundation 'a-b'/));
      it('component not a number', () => expectInvalid(withField(1, 'x'), /component 'x' is not a number/));
      it('component 0', () => expectInvalid(withField(1, '0'), /component 0 is out of range/));
      it('component 257', () => expectInvalid(withField(1, '257'), /component 257 is out of range/));
      it('component too many digits', () => expectInvalid(withField(1, '0001'), /component '0001' has more than 3 digits/));
      it('transport not UDP/TCP', () => expectInvalid(withField(2, 'sctp'), /transport 'sctp' is not UDP or TCP/));
      it('priority not a number', () => expectInvalid(withField(3, 'abc'), /candidate priority 'abc' is not a number/));
      it('priority negative', () => expectInvalid(withField(3, '-1'), /priority '-1' is not a number/));
      it('priority 0', () => expectInvalid(withField(3, '0'), /priority 0 is out of range/));
      it('priority 2^32', () => expectInvalid(withField(3, '4294967296'), /priority 4294967296 is out of range/));
      it('priority too many digits', () => expectInvalid(withField(3, '00000000001'), /more than 10 digits/));
      it('bad IPv6', () => expectInvalid(withField(4, '2001:db8:::1'), /address '2001:db8:::1' is not a valid IPv6/));
      it('bad IPv4-looking name', () => expectInvalid(withField(4, '1.2.3.256'), /address '1.2.3.256' is not an IP address or host name/));
      it('bad host name', () => expectInvalid(withField(4, 'bad_name.local'), /address 'bad_name.local'/));
      it('port not a number', () => expectInvalid(withField(5, 'p'), /port 'p' is not a number/));
      it('port 65536', () => expectInvalid(withField(5, '65536'), /port 65536 is out of range/));
      it('missing typ keyword', () => expectInvalid(withField(6, 'type'), /'type' where 'typ' is expected/));
      it('unknown candidate type', () => expectInvalid(withField(7, 'stun'), /type 'stun' is not host/));
      it('extension without value', () => expectInvalid(`${ok.join(' ')} generation`, /extension 'generation' has no value/));
      it('bad raddr', () => expectInvalid(`${ok.join(' ')} raddr 1:2:3 rport 1`, /raddr '1:2:3'/));
      it('bad rport', () => expectInvalid(`${ok.join(' ')} raddr 1.2.3.4 rport 70000`, /rport 70000 is out of range/));
      it('duplicate raddr', () => expectInvalid(`${ok.join(' ')} raddr 1.2.3.4 raddr 1.2.3.5`, /raddr twice/));
      it('duplicate rport', () => expectInvalid(`${ok.join(' ')} rport 1 rport 2`, /rport twice/));
      it('tcptype on UDP', () => expectInvalid(`${ok.join(' ')} tcptype active`, /tcptype but its transport is UDP/));
      it('unknown tcptype', () => expectInvalid(`${withField(2, 'tcp')} tcptype sideways`, /tcptype 'sideways'/));
      it('duplicate tcptype', () => expectInvalid(`${withField(2, 'tcp')} tcptype active tcptype so`, /tcptype twice/));
      it('TCP without tcptype', () => expectInvalid(withField(2, 'tcp'), /TCP candidate has no tcptype/));
      it('extension name not a token', () => expectInvalid(`${ok.join(' ')} a"b c`, /extension name 'a"b'/));
      it('extension value not printable ASCII', () => expectInvalid(`${ok.join(' ')} ufrag caf\u00e9`, /not printable ASCII/));
    });
  });

  describe('formatCandidate', () => {
    it('writes the fixed part, raddr/rport, tcptype and extensions', () => {
      const c: Candidate = {
        foundation: 'abc',
        component: 1,
        transport: 'tcp',
        priority: 1518280447,
        address: '10.0.0.2',
        port: 9,
        type: 'srflx',
        relatedAddress: '10.0.0.1',
        relatedPort: 9,
        tcpType: 'active',
        extensions: [['generation', '0']],
      };
      expect(formatCandidate(c)).to.equal(
        'candidate:abc 1 tcp 1518280447 10.0.0.2 9 typ srflx raddr 10.0.0.1 rport 9 tcptype active generation 0',
      );
      roundTrips(c);
    });
    it('refuses to write what it would not parse', () => {
      const bad: Candidate = {
        foundation: 'a-b',
        component: 1,
        transport: 'udp',
        priority: 1,
        address: '1.2.3.4',
        port: 1,
        type: 'host',
        extensions: [],
      };
      expect(() => formatCandidate(bad)).to.throw(IceError, /foundation/);
      expect(() => formatCandidate({ ...bad, foundation: 'ok', priority: 0 })).to.throw(IceError, /priority 0/);
    });
  });
});
