import type { LocalCandidate } from './candidate-types.js';
import type { CoreContext } from './context.js';
import type { SocketId } from './transport.js';

/**
 * Re-gathering found the address of `socket` gone: its host candidate is no longer signalled,
 * paired or asked about at STUN servers, and its pairs fail, except the pair data uses (the
 * selected one, or the previous generation's during a restart): that one keeps the socket until
 * a new pair is selected (RFC 8445 §9: data keeps flowing during a restart). Returns the host.
 */
export function retireHost(ctx: CoreContext, socket: SocketId): LocalCandidate | undefined {
  const host = ctx.local.retire(socket);
  if (!host) return undefined;
  const keep = ctx.components[host.component - 1]?.routePair();
  ctx.txs.cancel((t) => t.pair.local === host && t.pair !== keep);
  for (const p of ctx.checklist.all) {
    if (p.local !== host || p === keep) continue;
    p.state = 'failed';
    p.nominated = false;
    p.nominating = false;
  }
  return host;
}

/** A retired host's socket that no component routes data through any more: the driver may close it. */
export function releasedSocket(ctx: CoreContext): SocketId | undefined {
  for (const host of ctx.local.retiredHosts()) {
    if (ctx.components.some((c) => c.routePair()?.local === host)) continue;
    ctx.local.release(host.socket);
    return host.socket;
  }
  return undefined;
}
