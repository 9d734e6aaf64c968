// Signalling between agents in one process: what an application would carry over its own channel.
import type { IceAgent } from '../../lib/ice-agent.js';

/** Trickles candidates and end-of-candidates between two agents as they come, and swaps credentials now. */
export function wire(a: IceAgent, b: IceAgent): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('candidate', (_c, sdp) => y.addRemoteCandidate(sdp));
    x.on('endofcandidates', () => y.addRemoteCandidate(null));
  }
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
}

/** Hands everything two already-gathered agents have to each other: credentials, candidates, end-of-candidates. */
export function signalGathered(a: IceAgent, b: IceAgent): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    y.setRemoteParameters(x.localParameters);
    for (const c of x.localCandidates) y.addRemoteCandidate(c);
    y.endOfRemoteCandidates();
  }
}
