// ice-probe: --help, --version, bad arguments (exit 2), colour rules.
import { expect } from 'chai';
import { PACKAGE_VERSION, killAll, run } from './helpers.js';
import { makeStyle, noColorRequested, useColor } from '../../bin/output.js';

const COMMANDS = ['selftest', 'gather', 'peer', 'stun-server'];

describe('ice-probe CLI: help, version, usage errors', function () {
  this.timeout(20000);
  afterEach(killAll);

  it('--help lists every command and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^ice-probe \d/);
    for (const c of COMMANDS) expect(r.stdout).to.include(`  ${c}`);
    expect(r.stderr).to.equal('');
  });

  for (const c of COMMANDS) {
    it(`${c} --help and help ${c} print its usage and exit 0`, async () => {
      for (const args of [[c, '--help'], [c, '-h'], ['help', c]]) {
        const r = await run(args);
        expect(r.code, args.join(' ')).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`^Usage: ice-probe ${c}`));
        expect(r.stdout).to.include('--help');
      }
    });
  }

  it('--version and -V print the package.json version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await run([flag]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`${PACKAGE_VERSION}\n`);
    }
  });

  const bad: [string[], RegExp][] = [
    [[], /missing command/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['--bogus'], /unknown option '--bogus'/],
    [['gather', '--bogus'], /unknown option '--bogus'/],
    [['gather', '--timeout', 'abc'], /--timeout must be a number of seconds/],
    [['gather', '--timeout'], /--timeout needs a value/],
    [['gather', '--stun', '127.0.0.1:99999'], /--stun: .*port/],
    [['gather', '--address', 'localhost'], /--address 'localhost' is not an IPv4 or IPv6 address/],
    [['gather', '--ipv6', '--no-ipv6'], /cannot be used together/],
    [['gather', '--json=yes'], /--json takes no value/],
    [['peer', '--role', 'boss'], /--role must be controlling or controlled/],
    [['peer', '--components', '0'], /--components must be a whole number/],
    [['peer', '--send', '--verbose'], /--send needs a value/],
    [['stun-server', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['stun-server', '--host', 'nowhere'], /--host 'nowhere' is not/],
    [['selftest', 'extra'], /unexpected argument 'extra'/],
    [['help', 'nothing'], /unknown command 'nothing'/],
  ];
  for (const [args, message] of bad) {
    it(`exit 2 with a one-line message: ice-probe ${args.join(' ')}`, async () => {
      const r = await run(args);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^ice-probe: /).and.match(message);
      expect(lines[1]).to.match(/^usage: ice-probe/);
    });
  }

  it('never writes colour codes when piped, even for failures', async () => {
    const r = await run(['gather', '--timeout', 'x']);
    expect(r.stderr).not.to.include('\x1b[');
  });
});

describe('ice-probe output rules (unit)', () => {
  it('colours only on a TTY and never with NO_COLOR', () => {
    expect(useColor({ isTTY: true } as NodeJS.WriteStream, {})).to.equal(true);
    expect(useColor({ isTTY: false } as NodeJS.WriteStream, {})).to.equal(false);
    expect(useColor({} as NodeJS.WriteStream, {})).to.equal(false);
    expect(useColor({ isTTY: true } as NodeJS.WriteStream, { NO_COLOR: '1' })).to.equal(false);
    expect(noColorRequested({ NO_COLOR: '' })).to.equal(false); // no-color.org: empty means unset
    expect(makeStyle(false).red('x')).to.equal('x');
    expect(makeStyle(true).red('x')).to.equal('\x1b[31mx\x1b[39m');
  });
});
