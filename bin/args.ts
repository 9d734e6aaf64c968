/**
 * A small argument parser: `--name value`, `--name=value`, `-x value`, boolean
 * flags, `--` ends options. Every mistake is a UsageError (exit 2, one line).
 */
import { isIP } from 'node:net';
import { parseStunServer } from '../lib/index.js';

/** Bad command line: the dispatcher prints `ice-probe: <message>` and the usage line, then exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(message: string, readonly usage: string) {
    super(message);
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder shown in help, e.g. HOST:PORT. */
  readonly arg?: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line: `ice-probe gather [--stun HOST:PORT]... ` */
  readonly usage: string;
  /** One line for the command list of `ice-probe --help`. */
  readonly brief: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra paragraphs after the option list. */
  readonly notes?: string;
}

export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

/** Full help text of a command: usage, summary, options, notes. */
export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const left = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    return [left, o.help + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(width)}  ${r}`);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n') + '\n';
}

type Value = string | boolean | string[];

/** Parsed options with typed, validating getters. */
export class ParsedArgs {
  constructor(private readonly spec: CommandSpec, private readonly values: ReadonlyMap<string, Value>) {}

  private fail(message: string): never {
    throw new UsageError(message, this.spec.usage);
  }

  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  string(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : Array.isArray(v) ? v[v.length - 1] : undefined;
  }
  strings(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      this.fail(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
    }
    return Number(text);
  }

  /** A positive duration in seconds (decimals allowed); returned in milliseconds. */
  seconds(name: string, fallback: number): number {
    const text = this.string(name);
    if (text === undefined) return fallback * 1000;
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0) || n > 86400) this.fail(`--${name} must be a number of seconds above 0, got '${text}'`);
    return Math.round(n * 1000);
  }

  ips(name: string): string[] {
    const list = this.strings(name);
    for (const ip of list) if (isIP(ip) === 0) this.fail(`--${name} '${ip}' is not an IPv4 or IPv6 address`);
    return list;
  }

  ip(name: string, fallback: string): string {
    const ip = this.string(name) ?? fallback;
    if (isIP(ip) === 0) this.fail(`--${name} '${ip}' is not an IPv4 or IPv6 address`);
    return ip;
  }

  /** STUN server specs, checked with the library's own parser so a typo is caught here. */
  stunServers(name: string): string[] {
    const list = this.strings(name);
    for (const s of list) {
      try {
        parseStunServer(s);
      } catch (err) {
        this.fail(`--${name}: ${(err as Error).message}`);
      }
    }
    return list;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.string(name);
    if (v === undefined) return fallback;
    if (!(choices as readonly string[]).includes(v)) this.fail(`--${name} must be ${choices.join(' or ')}, got '${v}'`);
    return v as T;
  }

  /** Two flags that cannot both be given, e.g. --ipv6 and --no-ipv6. */
  exclusive(a: string, b: string): void {
    if (this.flag(a) && this.flag(b)) this.fail(`--${a} and --${b} cannot be used together`);
  }
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const fail = (message: string): never => {
    throw new UsageError(message, spec.usage);
  };
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(spec.options)) if (o.short) byShort.set(o.short, name);
  const isKnown = (token: string): boolean =>
    (token.startsWith('--') && token.slice(2).split('=')[0]! in spec.options) ||
    (/^-[A-Za-z]$/.test(token) && byShort.has(token.slice(1)));

  const values = new Map<string, Value>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      if (i + 1 < argv.length) fail(`unexpected argument '${argv[i + 1]}'`);
      break;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      inline = eq < 0 ? undefined : token.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(token)) {
      const long = byShort.get(token.slice(1));
      if (long === undefined) return fail(`unknown option '${token}'`);
      name = long;
    } else {
      return fail(`unexpected argument '${token}'`);
    }
    const o = spec.options[name];
    if (!o) return fail(`unknown option '--${name}'`);
    let value: Value;
    if (o.type === 'boolean') {
      if (inline !== undefined) fail(`--${name} takes no value`);
      value = true;
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined || isKnown(next)) return fail(`--${name} needs a value (${o.arg ?? 'VALUE'})`);
      value = next;
      i++;
    }
    if (o.multiple && typeof value === 'string') {
      const prev = values.get(name);
      value = Array.isArray(prev) ? [...prev, value] : [value];
    }
    values.set(name, value);
  }
  return new ParsedArgs(spec, values);
}
