/** `ice-probe stun-server`: a STUN Binding server until SIGINT/SIGTERM. */
import { HELP_OPTION, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { hostPort } from './format.js';
import { jsonLine, type Output } from './output.js';
import { startStunServer } from './stun-udp-server.js';
import { packageVersion } from './version.js';

export const stunServerCommand: Command = {
  spec: {
    name: 'stun-server',
    brief: 'a STUN Binding server for local tests',
    usage: 'ice-probe stun-server [--host IP] [--port N] [--verbose] [--json]',
    summary:
      'A STUN Binding server (RFC 8489 responses, plus MAPPED-ADDRESS for RFC 3489 clients).\n' +
      'Prints the address it listens on, then runs until SIGINT or SIGTERM.',
    options: {
      host: { type: 'string', arg: 'IP', help: 'address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)' },
      port: { type: 'string', arg: 'N', help: 'UDP port (default 3478; 0 = any free port)' },
      verbose: { type: 'boolean', short: 'v', help: 'log every request' },
      json: { type: 'boolean', help: 'print JSON lines' },
      help: HELP_OPTION,
    },
    notes: 'Example: ice-probe stun-server --port 0   # then: ice-probe gather --stun 127.0.0.1:<port>',
  },

  async run(args: ParsedArgs, out: Output): Promise<number> {
    const host = args.ip('host', '127.0.0.1');
    const port = args.int('port', 3478, 0, 65535);
    const verbose = args.flag('verbose');
    const json = args.flag('json');
    const s = out.style;

    let server;
    try {
      server = await startStunServer({
        host,
        port,
        software: `ice-probe ${packageVersion()}`,
        onRequest: (r) => {
          if (!verbose) return;
          const from = hostPort(r.from);
          if (json) out.line(jsonLine({ event: 'request', from, classic: r.classic, outcome: r.outcome }));
          else out.line(`${new Date().toISOString()}  ${from}  ${r.classic ? 'RFC 3489 ' : ''}Binding request  ${r.outcome}`);
        },
      });
    } catch (err) {
      out.note(s.red(`ice-probe stun-server: cannot listen on ${hostPort({ address: host, port })}: ${(err as Error).message}`));
      return 1;
    }
    const where = hostPort(server.address);
    if (json) out.line(jsonLine({ event: 'listening', address: server.address.address, port: server.address.port }));
    else out.line(`listening on ${where} (udp)`);

    const srv = server;
    return new Promise<number>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void srv.close().then(() => {
          if (json) out.line(jsonLine({ event: 'stopped', signal, requests: srv.requests }));
          else out.line(`stopped by ${signal} after ${srv.requests} request${srv.requests === 1 ? '' : 's'}`);
          resolve(0);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
