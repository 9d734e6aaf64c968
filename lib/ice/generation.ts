import type { Checks } from './checks.js';
import type { CoreContext } from './context.js';
import type { StateTracker } from './states.js';

/**
 * A new ICE generation (RFC 8445 §9), started by us (`restart()`) or by the peer (new remote
 * credentials): new local credentials; the peer's parameters and candidates forgotten until it
 * signals the new ones; state back to `starting`; the old selected pair carries data until a new
 * one is selected. The same local candidates are signalled again under the new ufrag; with
 * `regather`, only the hosts are, and gathering stays open until the driver's next startGathering
 * (new hosts, and every host asked about at the STUN servers again).
 */
export function startGeneration(
  ctx: CoreContext, checks: Checks, states: StateTracker, by: 'local' | 'peer', credentials?: { ufrag: string; pwd: string }, regather = false,
): void {
  ctx.credentials.renewLocal(ctx.config.random, credentials, ctx.config.mintUfrag);
  ctx.generations.retire(ctx.credentials.remoteUfrag);
  ctx.credentials.clearRemote();
  ctx.remoteEnded = false;
  ctx.remote.clear();
  ctx.checklist.clear();
  ctx.txs.clear();
  checks.reset();
  ctx.epoch.bump();
  for (const c of ctx.components) c.startGeneration();
  ctx.local.forgetPeerReflexive(regather);
  states.moveTo('starting', by === 'peer' ? 'ICE restart by the peer (new remote credentials)' : 'ICE restart');
  ctx.out.events.push({ type: 'restart', by, ufrag: ctx.credentials.ufrag });
  ctx.out.events.push({ type: 'gathering', state: 'gathering' });
  for (const candidate of ctx.local.all) ctx.emitCandidate(candidate);
  if (regather) ctx.gatherer.state = 'gathering';
  else ctx.out.events.push({ type: 'gathering', state: 'complete' });
}
