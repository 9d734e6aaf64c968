/** The TURN options `gather`, `peer` and `selftest` share: servers, credentials, relay-only. */
import { readFileSync } from 'node:fs';
import type { IceAgentOptions } from '../lib/index.js';
import { parseIceServerUri, restCredentials } from '../lib/turn/index.js';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';

export const TURN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  turn: { type: 'string', multiple: true, arg: 'HOST:PORT|URL', help: 'TURN server: HOST:PORT (UDP) or a turn:/turns: URI (?transport=tcp)' },
  'turn-user': { type: 'string', arg: 'NAME', help: 'TURN user name (with --turn-secret: the user part of the REST name)' },
  'turn-pass': { type: 'string', arg: 'PASS', help: 'TURN password (long-term credentials)' },
  'turn-secret': { type: 'string', arg: 'SECRET', help: 'TURN REST shared secret (coturn --static-auth-secret): makes a credential valid 24 h' },
  'turn-ca': { type: 'string', arg: 'FILE', help: 'trust this PEM certificate for turns: instead of the system store' },
  'relay-only': { type: 'boolean', help: 'gather, signal and pair relay candidates only (iceTransportPolicy relay)' },
};

export const TURN_USAGE = '[--turn HOST:PORT|URL]... [--turn-user NAME] [--turn-pass PASS|--turn-secret SECRET] [--turn-ca FILE] [--relay-only]';

/** `--turn` as a URI: HOST:PORT and [v6]:PORT mean TURN over UDP. */
function turnUri(spec: string): string {
  return /^turns?:/i.test(spec) ? spec : `turn:${spec}`;
}

/** REST credentials live this long (the coturn default for its own REST examples is a day). */
const REST_TTL_S = 86_400;

/** The agent options the TURN flags stand for; misuse is a UsageError (exit 2). */
export function turnAgentOptions(args: ParsedArgs, usage: string): Pick<IceAgentOptions, 'iceServers' | 'iceTransportPolicy' | 'turnTlsCa'> {
  const fail = (message: string): never => {
    throw new UsageError(message, usage);
  };
  const urls = args.strings('turn').map(turnUri);
  const user = args.string('turn-user');
  const pass = args.string('turn-pass');
  const secret = args.string('turn-secret');
  if (pass !== undefined && secret !== undefined) fail('--turn-pass and --turn-secret cannot be used together');
  if (args.flag('relay-only') && urls.length === 0) fail('--relay-only needs a --turn server');
  if (urls.length === 0) {
    if (user !== undefined || pass !== undefined || secret !== undefined || args.has('turn-ca')) fail('--turn-user, --turn-pass, --turn-secret and --turn-ca need a --turn server');
    return {};
  }
  for (const u of urls) {
    try {
      parseIceServerUri(u);
    } catch (err) {
      fail(`--turn: ${(err as Error).message}`);
    }
  }
  if (secret === undefined && (user === undefined || pass === undefined)) fail('--turn needs --turn-user and --turn-pass, or --turn-secret');
  const creds = secret !== undefined
    ? (() => { const c = restCredentials(secret, user ?? '', REST_TTL_S, Date.now() / 1000); return { username: c.username, credential: c.password }; })()
    : { username: user!, credential: pass! };
  const ca = args.string('turn-ca');
  return {
    iceServers: [{ urls, ...creds }],
    ...(args.flag('relay-only') && { iceTransportPolicy: 'relay' as const }),
    ...(ca !== undefined && { turnTlsCa: readCa(ca, fail) }),
  };
}

function readCa(file: string, fail: (m: string) => never): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    return fail(`--turn-ca: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
