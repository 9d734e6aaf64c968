#!/usr/bin/env node
/** ice-probe: dispatch to a subcommand; --help, --version; exit codes 0 ok, 1 failed, 2 bad usage. */
import { UsageError, helpText, parseCommand } from './args.js';
import type { Command } from './command.js';
import { gatherCommand } from './gather.js';
import { Output } from './output.js';
import { peerCommand } from './peer.js';
import { reportCommand } from './report-option.js';
import { selftestCommand } from './selftest.js';
import { serveCommand } from './serve.js';
import { stunServerCommand } from './stun-server.js';
import { packageVersion } from './version.js';

const COMMANDS: readonly Command[] = [selftestCommand, gatherCommand, peerCommand, serveCommand, stunServerCommand, reportCommand];
const USAGE = 'ice-probe <selftest|gather|peer|serve|stun-server|report> [options]   (ice-probe <command> --help)';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    `ice-probe ${packageVersion()}: ICE (RFC 8445) connectivity probe`,
    '',
    `Usage: ${USAGE}`,
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width)}  ${c.spec.brief}`),
    '',
    'Options:',
    '  -h, --help     show help (also after a command)',
    '  -V, --version  print the version',
    '',
    'Exit status: 0 success, 1 failure, 2 bad arguments. Colours and the live status line only on a',
    'terminal, never with NO_COLOR set or TERM=dumb.',
  ].join('\n') + '\n';
}

async function main(argv: readonly string[]): Promise<number> {
  const out = new Output();
  const [first, ...rest] = argv;
  try {
    if (first === undefined) throw new UsageError('missing command', USAGE);
    if (first === '-h' || first === '--help' || first === 'help') {
      const about = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.spec.name === rest[0]);
      if (rest[0] !== undefined && !about) throw new UsageError(`unknown command '${rest[0]}'`, USAGE);
      process.stdout.write(about ? helpText(about.spec) : mainHelp());
      return 0;
    }
    if (first === '-V' || first === '--version') {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.spec.name === first);
    if (!command) throw new UsageError(first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`, USAGE);
    const args = parseCommand(command.spec, rest);
    if (args.flag('help')) {
      process.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(args, out);
  } catch (err) {
    if (err instanceof UsageError) {
      out.note(`ice-probe: ${err.message}`);
      out.note(`usage: ${err.usage}`);
      return 2;
    }
    out.note(`ice-probe: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

/** Exit once stdout and stderr have taken everything written (pipes may be asynchronous). */
function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// Whoever reads our output went away (`| head`, a closed pipe to the other peer): stop quietly.
process.stdout.on('error', () => process.exit(1));

main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`ice-probe: ${String(err)}\n`);
  exitAfterFlush(1);
});
