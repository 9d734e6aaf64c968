// A werift-ice peer that speaks `ice-probe peer`'s JSON Lines protocol (params, candidate,
// end-of-candidates, state, done), for the process-pair benchmark. Loopback host candidates only,
// no STUN server (see newWerift). werift checks once it has the other side's params and all its
// candidates (it does not trickle), then reports connected.
import { createInterface } from 'node:readline';
import { Candidate } from 'werift-ice';
import { assertWeriftLoopbackOnly, newWerift } from './peers.js';

const controlling = process.argv.includes('controlling');
const write = (m: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(m)}\n`);
const t0 = performance.now();
const at = (): number => Math.round((performance.now() - t0) * 10) / 10;

async function main(): Promise<void> {
  const c = newWerift(controlling);
  write({ type: 'params', ufrag: c.localUsername, pwd: c.localPassword, role: controlling ? 'controlling' : 'controlled', components: 1, sends: false });
  let haveParams = false;
  let ended = false;
  let started = false;
  const pending: string[] = [];
  const startIfReady = (): void => {
    if (started || !haveParams || !ended) return;
    started = true;
    void (async () => {
      for (const sdp of pending) await c.addRemoteCandidate(Candidate.fromSdp(sdp));
      await c.addRemoteCandidate(undefined);
      await c.connect();
      write({ type: 'state', state: 'connected', at: at() });
      write({ type: 'done', ok: true, reason: 'connected' });
      await c.close();
      process.exit(0);
    })();
  };
  createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
    const m = JSON.parse(line) as Record<string, string>;
    if (m['type'] === 'params') {
      c.setRemoteParams({ iceLite: false, usernameFragment: m['ufrag']!, password: m['pwd']! });
      haveParams = true;
    } else if (m['type'] === 'candidate') pending.push(m['candidate']!.replace(/^candidate:/, '').replace(/ ufrag \S+$/, ''));
    else if (m['type'] === 'end-of-candidates') ended = true;
    startIfReady();
  });
  await c.gatherCandidates();
  assertWeriftLoopbackOnly(c);
  for (const cand of c.localCandidates) write({ type: 'candidate', component: 1, candidate: `candidate:${cand.toSdp()}` });
  write({ type: 'end-of-candidates' });
}

setTimeout(() => process.exit(1), 10_000).unref();
void main();
