/**
 * A process that uses the library the way an application would, with signalling as
 * JSON Lines on stdin/stdout: it sends its params on every generation (`restart`
 * events) and forwards every candidate as it comes. With `--restart`, it restarts
 * once when both sides have reached `completed`. It reports its iceState changes and
 * exits when both have reached `completed` again (or after 15 s).
 *
 * node restart-peer.js controlling|controlled [--restart]
 */
import { createInterface } from 'node:readline';
import { IceAgent } from '../../../lib/index.js';

const role = process.argv[2] === 'controlled' ? 'controlled' : 'controlling';
const restarter = process.argv.includes('--restart');
const agent = new IceAgent({ addresses: ['127.0.0.1'], includeLoopback: true, role });
const write = (m: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(m) + '\n');

agent.on('restart', (params) => write({ type: 'params', ...params }));
agent.on('candidate', (_c, sdp) => write({ type: 'candidate', candidate: sdp }));
agent.on('endofcandidates', () => write({ type: 'end-of-candidates' }));
// Each side acts only on what both have reached (the test relays every line, state lines too):
// restarting before the peer completed, or leaving before it completed again, would race it.
let completed = 0;
let peerCompleted = 0;
let restarted = false;
let closing = false;
function next(): void {
  if (restarter && !restarted && completed === 1 && peerCompleted === 1) {
    restarted = true;
    agent.restart();
  }
  if (!closing && completed === 2 && peerCompleted === 2) {
    closing = true;
    void agent.close().then(() => process.exit(0));
  }
}
agent.on('statechange', (state) => {
  write({ type: 'state', state });
  if (state !== 'completed') return;
  completed++;
  next();
});
write({ type: 'params', ...agent.localParameters });

createInterface({ input: process.stdin }).on('line', (line) => {
  const m = JSON.parse(line) as Record<string, string>;
  if (agent.iceState === 'closed') return;
  if (m['type'] === 'params') agent.setRemoteParameters({ ufrag: m['ufrag']!, pwd: m['pwd']! });
  else if (m['type'] === 'candidate') agent.addRemoteCandidate(m['candidate']!);
  else if (m['type'] === 'end-of-candidates') agent.addRemoteCandidate(null);
  else if (m['type'] === 'state' && m['state'] === 'completed') {
    peerCompleted++;
    next();
  }
});
setTimeout(() => process.exit(1), 15_000).unref();
void agent.gather();
