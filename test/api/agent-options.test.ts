// Every IceAgent option is validated at construction (lib/agent-options.ts): one row per rule.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { IceAgent, type IceAgentOptions } from '../../lib/ice-agent.js';
import { AGENT_OPTION_NAMES } from '../../lib/agent-options.js';
import { DEFAULT_TIMERS } from '../../lib/ice/config.js';
import { IceError } from '../../lib/util/errors.js';
import { seededRandom } from '../../lib/util/random.js';
import { VirtualNetwork } from '../support/virtual-net.js';
import { VirtualScheduler } from '../support/virtual-clock.js';

/** The IceError `new IceAgent(options)` throws; fails if it does not throw one. */
function constructionError(options: unknown): IceError {
  try {
    void new IceAgent(options as IceAgentOptions);
  } catch (err) {
    expect(err).to.be.instanceOf(IceError);
    return err as IceError;
  }
  throw new Error(`accepted ${String(options)}`);
}

const noop = (): void => {};
const policy = { rtoMs: 500, maxRequests: 3, finalWaitFactor: 2 };

// [rule, options, fragments the message must contain (the option's name and the value)]
const REJECTED: [string, unknown, string[]][] = [
  ['options not an object', 'role=controlled', ['options', "'role=controlled'"]],
  ['options null', null, ['options', 'null']],
  ['unknown option, near a known one', { stunServer: ['127.0.0.1:3478'] }, ['stunServer', 'did you mean stunServers?']],
  ['unknown option, nothing near', { verbose: true }, ['verbose: unknown option', 'known: role']],
  ['unknown option, other case', { StunServers: [] }, ['StunServers', 'did you mean stunServers?']],
  ['role not a role', { role: 'master' }, ['role', "'master'"]],
  ['role in capitals', { role: 'Controlling' }, ['role', "'Controlling'"]],
  ['lite not a boolean', { lite: 'yes' }, ['lite', "'yes'"]],
  ['lite with role controlling', { lite: true, role: 'controlling' }, ['lite and role', 'always controlled']],
  ['lite with STUN servers', { lite: true, stunServers: ['127.0.0.1:3478'] }, ['lite and stunServers', 'host candidates only']],
  ['components zero', { components: 0 }, ['components', '0 (number)']],
  ['components fractional', { components: 1.5 }, ['components', '1.5']],
  ['components above 256', { components: 257 }, ['components', '257']],
  ['components as a string', { components: '2' }, ['components', "'2'"]],
  ['tieBreaker 2^64', { tieBreaker: 2n ** 64n }, ['tieBreaker', '18446744073709551616n']],
  ['tieBreaker negative', { tieBreaker: -1n }, ['tieBreaker', '-1n']],
  ['tieBreaker a plain number', { tieBreaker: 5 }, ['tieBreaker', '5 (number)']],
  ['ufrag too short', { ufrag: 'abc' }, ['ufrag', "'abc'"]],
  ['ufrag with a space', { ufrag: 'ab cd' }, ['ufrag', "'ab cd'"]],
  ['ufrag not a string', { ufrag: 1234 }, ['ufrag', '1234']],
  ['pwd too short (value not echoed)', { pwd: 'secret' }, ['pwd', 'a string of 6 characters (not shown)']],
  ['pwd with a bad character', { pwd: 'x'.repeat(21) + '!' }, ['pwd', 'a string of 22 characters (not shown)']],
  ['portRange below 1', { portRange: { min: 0, max: 10 } }, ['portRange.min', '0 (number)']],
  ['portRange above 65535', { portRange: { min: 1000, max: 70000 } }, ['portRange.max', '70000']],
  ['portRange inverted', { portRange: { min: 5000, max: 4000 } }, ['portRange', 'min <= max', 'min: 5000, max: 4000']],
  ['portRange not integers', { portRange: { min: 1000.5, max: 2000 } }, ['portRange.min', '1000.5']],
  ['portRange missing max', { portRange: { min: 1000 } }, ['portRange.max', 'required']],
  ['portRange a string', { portRange: '1000-2000' }, ['portRange', "'1000-2000'"]],
  ['timers not an object', { timers: 50 }, ['timers', '50']],
  ['timers unknown field', { timers: { taMS: 20 } }, ['timers.taMS', 'did you mean timers.taMs?']],
  ['taMs below 5', { timers: { taMs: 4 } }, ['timers.taMs', '4 (number)']],
  ['taMs NaN', { timers: { taMs: NaN } }, ['timers.taMs', 'NaN']],
  ['consentIntervalMs negative', { timers: { consentIntervalMs: -1 } }, ['timers.consentIntervalMs', '-1']],
  ['consentIntervalMs zero', { timers: { consentIntervalMs: 0 } }, ['timers.consentIntervalMs', '0 (number)']],
  ['consentTimeoutMs Infinity', { timers: { consentTimeoutMs: Infinity } }, ['timers.consentTimeoutMs', 'Infinity']],
  ['disconnectedAfterMs a string', { timers: { disconnectedAfterMs: '2500' } }, ['timers.disconnectedAfterMs', "'2500'"]],
  ['consentGridMs negative', { timers: { consentGridMs: -100 } }, ['timers.consentGridMs', '-100']],
  ['trickleGraceMs NaN', { timers: { trickleGraceMs: NaN } }, ['timers.trickleGraceMs', 'NaN']],
  ['timer beyond a Node timer', { timers: { trickleGraceMs: 2 ** 31 } }, ['timers.trickleGraceMs', '2147483648']],
  ['nominationWaitMs negative', { timers: { nominationWaitMs: { host: -5 } } }, ['timers.nominationWaitMs.host', '-5']],
  ['nominationWaitMs unknown type', { timers: { nominationWaitMs: { turn: 5 } } }, ['timers.nominationWaitMs.turn', 'unknown option']],
  ['checkRetransmit rtoMs zero', { timers: { checkRetransmit: { ...policy, rtoMs: 0 } } }, ['timers.checkRetransmit.rtoMs', '0 (number)']],
  ['checkRetransmit maxRequests fractional', { timers: { checkRetransmit: { ...policy, maxRequests: 2.5 } } }, ['timers.checkRetransmit.maxRequests', '2.5']],
  ['gatherRetransmit finalWaitFactor NaN', { timers: { gatherRetransmit: { ...policy, finalWaitFactor: NaN } } }, ['timers.gatherRetransmit.finalWaitFactor', 'NaN']],
  ['gatherRetransmit partial', { timers: { gatherRetransmit: { rtoMs: 100 } } }, ['timers.gatherRetransmit.maxRequests', 'required']],
  ['limits maxPairs zero', { limits: { maxPairs: 0 } }, ['limits.maxPairs', '0 (number)']],
  ['limits maxRemoteCandidates NaN', { limits: { maxRemoteCandidates: NaN } }, ['limits.maxRemoteCandidates', 'NaN']],
  ['limits unknown field', { limits: { maxPair: 10 } }, ['limits.maxPair', 'did you mean limits.maxPairs?']],
  ['addresses a string', { addresses: '127.0.0.1' }, ['addresses', "'127.0.0.1'", 'an array']],
  ['addresses not IP literals', { addresses: ['localhost'] }, ['addresses[0]', "'localhost'"]],
  ['addresses invalid IPv4', { addresses: ['127.0.0.1', '10.0.0.256'] }, ['addresses[1]', "'10.0.0.256'"]],
  ['addresses with a zone', { addresses: ['fe80::1%eth0'] }, ['addresses[0]', "'fe80::1%eth0'", 'interfaces']],
  ['addresses unspecified', { addresses: ['0.0.0.0'] }, ['addresses[0]', "'0.0.0.0'"]],
  ['addresses unspecified IPv6', { addresses: ['::'] }, ['addresses[0]', "'::'"]],
  ['interfaces a string', { interfaces: 'eth0' }, ['interfaces', "'eth0'"]],
  ['interfaces with a number', { interfaces: ['eth0', 0] }, ['interfaces[1]', '0 (number)']],
  ['interfaces with an empty name', { interfaces: [''] }, ['interfaces[0]', "''"]],
  ['ipv4 a string', { ipv4: 'no' }, ['ipv4', "'no'"]],
  ['ipv6 a number', { ipv6: 0 }, ['ipv6', '0 (number)']],
  ['ipv4 and ipv6 both off', { ipv4: false, ipv6: false }, ['ipv4 and ipv6', 'both are false']],
  ['includeLoopback a string', { includeLoopback: 'yes' }, ['includeLoopback', "'yes'"]],
  ['includeLinkLocal a number', { includeLinkLocal: 1 }, ['includeLinkLocal', '1 (number)']],
  ['filter not a function', { filter: /eth/ }, ['filter', '/eth/']],
  ['stunServers a string', { stunServers: 'stun.example.net' }, ['stunServers', "'stun.example.net'"]],
  ['stunServers unparseable entry', { stunServers: ['127.0.0.1:3478', '127.0.0.1:99999'] }, ['stunServers[1]', '127.0.0.1:99999']],
  ['stunServers a turn: URI', { stunServers: ['turn:127.0.0.1'] }, ['stunServers[0]', 'turn:']],
  ['stunServers an object entry', { stunServers: [{ host: '127.0.0.1', port: 3478 }] }, ['stunServers[0]', "host: '127.0.0.1'"]],
  ['iceServers not an array', { iceServers: { urls: 'turn:127.0.0.1' } }, ['iceServers', 'an array']],
  ['iceServers entry without urls', { iceServers: [{ username: 'u', credential: 'c' }] }, ['iceServers[0].urls', 'required']],
  ['iceServers urls empty', { iceServers: [{ urls: [] }] }, ['iceServers[0].urls', 'non-empty array']],
  ['iceServers unknown field', { iceServers: [{ url: 'stun:127.0.0.1' }] }, ['iceServers[0].url', 'did you mean iceServers[0].urls?']],
  ['iceServers bad URI', { iceServers: [{ urls: 'turn:127.0.0.1:99999' }] }, ['turn:127.0.0.1:99999', 'port']],
  ['iceServers turn: without credentials', { iceServers: [{ urls: 'turn:127.0.0.1' }] }, ['iceServers[0]', 'username and a credential']],
  ['iceServers stuns:', { iceServers: [{ urls: 'stuns:127.0.0.1' }] }, ['iceServers[0]', 'not supported']],
  ['iceServers credential not a string (not echoed)', { iceServers: [{ urls: 'turn:127.0.0.1', username: 'u', credential: 12345 }] }, ['iceServers[0].credential', 'not shown']],
  ['iceTransportPolicy unknown', { iceTransportPolicy: 'none' }, ['iceTransportPolicy', "'none'"]],
  ['iceTransportPolicy relay without a TURN server', { iceTransportPolicy: 'relay', iceServers: [{ urls: 'stun:127.0.0.1' }] }, ['iceTransportPolicy', 'turn:']],
  ['lite with iceServers', { lite: true, iceServers: [{ urls: 'stun:127.0.0.1' }] }, ['lite and iceServers', 'host candidates only']],
  ['turnTlsCa a number', { turnTlsCa: 5 }, ['turnTlsCa', '5 (number)']],
  ['relayTimers unknown field', { relayTimers: { lifetime: 600 } }, ['relayTimers.lifetime', 'did you mean relayTimers.lifetimeS?']],
  ['relayTimers permission refresh past its lifetime', { relayTimers: { permissionRefreshMs: 300_000 } }, ['relayTimers.permissionRefreshMs', '300000']],
  ['logger without methods', { logger: {} }, ['logger', 'missing: debug, info, warn']],
  ['logger missing warn', { logger: { debug: noop, info: noop } }, ['logger', 'missing: warn']],
  ['logger a function', { logger: noop }, ['logger', 'missing: debug, info, warn']],
  ['scheduler without schedule', { scheduler: { now: () => 0 } }, ['scheduler', 'missing: schedule, cancel']],
  ['random a function', { random: () => 4 }, ['random', 'missing: fill']],
  ['endpointFactory an object', { endpointFactory: {} }, ['endpointFactory', '{}']],
  ['interfaceSource an object', { interfaceSource: { lo: [] } }, ['interfaceSource', 'lo: []']],
  ['lookup a string', { lookup: '8.8.8.8' }, ['lookup', "'8.8.8.8'"]],
];

describe('api: IceAgent options are validated at construction', () => {
  for (const [rule, options, fragments] of REJECTED) {
    it(`rejects: ${rule}`, () => {
      const err = constructionError(options);
      expect(err.code).to.equal('ERR_INVALID_ARGUMENT');
      for (const f of fragments) expect(err.message).to.include(f);
    });
  }

  it('the password is never echoed in a message', () => {
    const pwd = 'not a valid password at all';
    expect(constructionError({ pwd }).message).to.not.include(pwd);
  });

  it('every option the README documents is accepted, and the README documents every option', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### `new IceAgent(options?)`'), readme.indexOf('### Methods and properties'));
    const documented = [...section.matchAll(/^\| ((?:`\w+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(\w+)`/g)].map((n) => n[1]!));
    expect([...documented].sort()).to.deep.equal([...AGENT_OPTION_NAMES].sort());

    const clock = new VirtualScheduler();
    const net = new VirtualNetwork(clock);
    const every: Required<IceAgentOptions> = {
      role: 'controlled',
      lite: false,
      components: 2,
      stunServers: ['127.0.0.1:3478', 'stun:[::1]:3478', 'stun.example.net'],
      iceServers: [{ urls: ['stun:127.0.0.1', 'turn:127.0.0.1?transport=tcp', 'turns:turn.example.net'], username: 'u', credential: 'c' }],
      iceTransportPolicy: 'all',
      turnTlsCa: ['-----BEGIN CERTIFICATE-----'],
      relayTimers: { permissionRefreshMs: 60_000, channelRefreshMs: 120_000 },
      portRange: { min: 40000, max: 40100 },
      timers: { ...DEFAULT_TIMERS, taMs: 20, nominationWaitMs: { ...DEFAULT_TIMERS.nominationWaitMs, srflx: 100 } },
      limits: { maxPairs: 50, maxRemoteCandidates: 20 },
      ufrag: 'abcd',
      pwd: 'abcdefghijklmnopqrstuv',
      tieBreaker: 2n ** 64n - 1n,
      logger: console,
      scheduler: clock,
      random: seededRandom(1),
      endpointFactory: net.endpointFactory,
      interfaceSource: net.interfaceSource('10.0.0.1'),
      lookup: async () => ({ address: '127.0.0.1', family: 4 }),
      interfaces: ['lo', 'eth0'],
      addresses: ['127.0.0.1', '::1', '10.0.0.1'],
      ipv4: true,
      ipv6: false,
      includeLoopback: true,
      includeLinkLocal: true,
      filter: () => true,
    };
    expect(Object.keys(every).sort()).to.deep.equal([...AGENT_OPTION_NAMES].sort());
    const agent = new IceAgent(every);
    expect(agent.role).to.equal('controlled');
    expect(agent.localParameters).to.deep.equal({ ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuv' });
    expect(agent.componentStates).to.have.length(2);
  });

  it('accepts no options, an empty object, undefined values, partial timer records and tieBreaker 0n', () => {
    for (const options of [undefined, {}, { role: undefined, timers: undefined }, { timers: { nominationWaitMs: { host: 5 } } }, { tieBreaker: 0n }]) {
      expect(() => new IceAgent(options as IceAgentOptions)).to.not.throw();
    }
  });

  it('keeps a snapshot: changing the caller\'s arrays afterwards changes nothing', async () => {
    const clock = new VirtualScheduler();
    const net = new VirtualNetwork(clock);
    net.addHost('10.0.0.1');
    net.addHost('10.0.0.2');
    const source = () => ({ ...net.interfaceSource('10.0.0.1')(), eth1: [{ address: '10.0.0.2', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:02', internal: false, cidr: '10.0.0.2/24' }] });
    const addresses = ['10.0.0.1'];
    const agent = new IceAgent({ addresses, scheduler: clock, endpointFactory: net.endpointFactory, interfaceSource: source, random: seededRandom(3) });
    addresses.push('10.0.0.2');
    const gathered = agent.gather();
    await clock.runUntilIdle();
    await gathered;
    expect(agent.localCandidates.map((c) => c.address)).to.deep.equal(['10.0.0.1']);
    await agent.close();
  });
});
