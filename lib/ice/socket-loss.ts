import type { LocalCandidate } from './candidate-types.js';
import type { Checks } from './checks.js';
import type { CoreContext } from './context.js';
import type { SocketId } from './transport.js';

/**
 * The driver lost `socket`: its host candidate stops being checked and its pairs fail; a
 * component whose selected pair used it picks another valid pair if it has one, or searches
 * again (`disconnected`). Returns the lost host, if the socket was one.
 */
export function loseSocket(now: number, ctx: CoreContext, checks: Checks, socket: SocketId): LocalCandidate | undefined {
  const host = ctx.local.removeHost(socket);
  if (!host) return undefined;
  ctx.txs.cancel((t) => t.pair.local === host);
  for (const p of ctx.checklist.all) {
    if (p.local !== host) continue;
    p.state = 'failed';
    p.nominated = false;
    p.nominating = false;
  }
  const c = ctx.components[host.component - 1]!;
  if (c.selected?.local === host) {
    c.loseSocket();
    // Pairs of the remaining sockets were dropped when the lost one was nominated: form them again.
    for (const r of ctx.remote.all) checks.pairWithHosts(r);
    c.select(now);
  }
  c.forgetPreviousOn(host);
  return host;
}
