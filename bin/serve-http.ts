/**
 * The signalling API of `ice-probe serve` (JSON over HTTP, no SDP):
 *   POST   /session       {ufrag, pwd, candidates: ["candidate:..."], lite?, components?}
 *                         -> 201 {ufrag, pwd, lite, components, candidates, session}
 *   DELETE /session/<id>  -> 204 (404 if unknown)
 *   GET    /stats         -> 200 counters
 * Bodies are hostile input: at most 64 KiB, checked field by field; a bad one is a 400 with {error}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IceError } from '../lib/index.js';
import type { ServeCounters, SessionAnswer, SessionOffer } from './serve-sessions.js';

/** Where sessions live: one EchoSessions, or the cluster primary's routing to its workers. */
export interface SessionHost {
  create(offer: SessionOffer): Promise<SessionAnswer>;
  close(id: string): Promise<boolean>;
  counters(): Promise<ServeCounters>;
}

const MAX_BODY = 64 * 1024;
const MAX_CANDIDATES = 100;

/** Checks a POST /session body; a string is what is wrong with it. */
export function parseOffer(body: unknown): SessionOffer | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object';
  const o = body as Record<string, unknown>;
  if (typeof o['ufrag'] !== 'string' || o['ufrag'] === '') return '"ufrag" must be a non-empty string';
  if (typeof o['pwd'] !== 'string' || o['pwd'] === '') return '"pwd" must be a non-empty string';
  const candidates = o['candidates'] ?? [];
  if (!Array.isArray(candidates) || candidates.length > MAX_CANDIDATES || !candidates.every((c) => typeof c === 'string' && c.length <= 1024)) {
    return `"candidates" must be an array of at most ${MAX_CANDIDATES} candidate strings`;
  }
  if (o['lite'] !== undefined && typeof o['lite'] !== 'boolean') return '"lite" must be true or false';
  const components = o['components'];
  if (components !== undefined && (typeof components !== 'number' || !Number.isInteger(components) || components < 1 || components > 256)) {
    return '"components" must be an integer from 1 to 256';
  }
  return {
    ufrag: o['ufrag'], pwd: o['pwd'], candidates: candidates as string[],
    ...(o['lite'] !== undefined && { lite: o['lite'] as boolean }),
    ...(components !== undefined && { components: components as number }),
  };
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) return void res.writeHead(status).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) return void resolve(undefined);
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

async function createSession(host: SessionHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await readBody(req);
  if (text === undefined) return reply(res, 413, { error: `the body is larger than ${MAX_BODY} bytes` });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reply(res, 400, { error: 'the body is not JSON' });
  }
  const offer = parseOffer(json);
  if (typeof offer === 'string') return reply(res, 400, { error: offer });
  try {
    reply(res, 201, await host.create(offer));
  } catch (err) {
    // IceErrors are the client's (a bad candidate or credential); anything else is ours.
    if (err instanceof IceError || (err as { code?: unknown }).code !== undefined) return reply(res, 400, { error: (err as Error).message });
    reply(res, 500, { error: (err as Error).message });
  }
}

async function route(host: SessionHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/session') return req.method === 'POST' ? createSession(host, req, res) : reply(res, 405, { error: 'use POST' });
  let decoded: string;
  try {
    decoded = decodeURIComponent(path); // a ufrag may hold '/' and '+': clients encode it
  } catch {
    return reply(res, 400, { error: 'malformed path' });
  }
  const m = /^\/session\/([A-Za-z0-9+/]{4,256})$/.exec(decoded);
  if (m) {
    if (req.method !== 'DELETE') return reply(res, 405, { error: 'use DELETE' });
    return reply(res, (await host.close(m[1]!)) ? 204 : 404);
  }
  if (path === '/stats' && req.method === 'GET') return reply(res, 200, await host.counters());
  reply(res, 404, { error: 'POST /session, DELETE /session/<id>, GET /stats' });
}

/** Listens on `host:port` (0: any free port). */
export function startHttp(sessions: SessionHost, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    route(sessions, req, res).catch((err: unknown) => reply(res, 500, { error: (err as Error).message }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
