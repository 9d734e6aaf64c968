/** What every subcommand module provides to the dispatcher. */
import type { CommandSpec, ParsedArgs } from './args.js';
import type { Output } from './output.js';

export interface Command {
  readonly spec: CommandSpec;
  /** Validates its options (throwing UsageError), runs, and returns the exit code. */
  run(args: ParsedArgs, out: Output): Promise<number>;
}
