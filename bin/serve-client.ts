/**
 * `ice-probe peer --server URL`: the client of `ice-probe serve`. Once gathering is complete it
 * posts the agent's parameters and candidates to URL/session and turns the answer into the lines
 * the peer would read on stdin (params, candidates, end-of-candidates), so the peer runs unchanged.
 */
import { PassThrough, type Readable } from 'node:stream';
import { formatCandidate, type IceAgent } from '../lib/index.js';
import type { PeerMessage } from './peer-protocol.js';
import { encodeMessage } from './peer-protocol.js';

interface Answer {
  readonly ufrag: string;
  readonly pwd: string;
  readonly lite?: boolean;
  readonly components?: number;
  readonly candidates: readonly string[];
}

function isAnswer(v: unknown): v is Answer {
  const a = v as Answer | null;
  return typeof a?.ufrag === 'string' && typeof a.pwd === 'string' && Array.isArray(a.candidates) && a.candidates.every((c) => typeof c === 'string');
}

/** POST URL/session with the agent's offer; resolves with the server's answer. */
export async function offerToServer(url: string, agent: IceAgent, components: number): Promise<Answer> {
  const body = {
    ...agent.localParameters, components,
    candidates: agent.localCandidates.filter((c) => c.type !== 'prflx').map((c) => formatCandidate(c)),
  };
  const res = await fetch(new URL('session', url.endsWith('/') ? url : `${url}/`), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const json: unknown = await res.json().catch(() => undefined);
  if (res.status !== 201 || !isAnswer(json)) {
    throw new Error(`POST ${url}/session: HTTP ${res.status} ${(json as { error?: string } | undefined)?.error ?? ''}`.trim());
  }
  return json;
}

/**
 * The server's answer as peer lines. `sends`: whether data comes back (the echo returns what
 * this side sends). The stream stays open, like a stdin that has said everything; a failed
 * offer is reported to `onError`.
 */
export function serverSignalling(url: string, agent: IceAgent, components: number, sends: boolean, onError: (why: string) => void): Readable {
  const lines = new PassThrough();
  const write = (m: PeerMessage): boolean => lines.write(`${encodeMessage(m)}\n`);
  agent.gather()
    .then(() => offerToServer(url, agent, components))
    .then((a) => {
      // The server is ICE-lite unless it says otherwise: `lite` goes with the params (RFC 8445 §6.1.1).
      lines.write(`${JSON.stringify({ type: 'params', ufrag: a.ufrag, pwd: a.pwd, lite: a.lite === true, role: 'controlled', components: a.components ?? components, sends })}\n`);
      for (const candidate of a.candidates) write({ type: 'candidate', component: Number(/^candidate:\S+ (\d+)/.exec(candidate)?.[1] ?? 1), candidate });
      write({ type: 'end-of-candidates' });
    })
    .catch((err: unknown) => onError(`no session from the server: ${(err as Error).message}`));
  return lines;
}
