import { errorResponse } from '../stun/binding-responder.js';
import { ERROR_BAD_REQUEST, ERROR_ROLE_CONFLICT, METHOD_BINDING } from '../stun/constants.js';
import { getAttribute } from '../stun/get-attribute.js';
import { verifyIntegrity } from '../stun/integrity.js';
import type { StunMessage, TransportAddress } from '../stun/types.js';
import { unsafeAddressReason } from './address-safety.js';
import { addressKey, sameTransportAddress } from './candidate.js';
import type { LocalCandidate } from './candidate-types.js';
import { encodeCheckSuccess } from './check-message.js';
import type { Checks } from './checks.js';
import type { CoreContext } from './context.js';
import type { CheckTx } from './check-transactions.js';
import type { DropCounters } from './events.js';
import { authenticateCheck, roleConflict, type CheckAccepted } from './incoming-check.js';

/** Incoming STUN on a local candidate's socket: checks from the peer, answers to ours (RFC 8445 §7.2.5, §7.3). */
export class IncomingPackets {
  constructor(private readonly ctx: CoreContext, private readonly checks: Checks) {}

  /** Handles one STUN message; true when it authenticated its source (an answered check, a verified answer). */
  handle(now: number, local: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): boolean {
    if (msg.method !== METHOD_BINDING) return this.rejectOtherMethod(local, from, buf, msg);
    if (msg.cls === 'request') return this.request(now, local, from, buf, msg);
    if (msg.cls === 'success' || msg.cls === 'error') return this.response(now, local, from, buf, msg);
    return false;
  }

  /**
   * Only Binding requests are checks (§7.3); any other method changes nothing and is counted.
   * An authenticated request of another method gets a signed 400 Bad Request, anything else is
   * dropped silently (an unauthenticated sender learns nothing).
   */
  private rejectOtherMethod(local: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): false {
    this.ctx.drops.notBinding++;
    if (msg.cls !== 'request') return false;
    const { ufrag, localKey } = this.ctx.credentials;
    const verdict = authenticateCheck(buf, msg, ufrag, localKey);
    if (verdict.ok || verdict.authenticated) this.sendError(local, from, buf, msg, ERROR_BAD_REQUEST, 'Bad Request', true);
    return false;
  }

  private request(now: number, local: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): boolean {
    const { ctx } = this;
    // Never answer, learn or check a source that is not one peer (a spoofed broadcast or multicast source).
    if (unsafeAddressReason(from.address, from.port)) return this.drop('unsafeAddress');
    const { ufrag, localKey, remoteUfrag } = ctx.credentials;
    const verdict = authenticateCheck(buf, msg, ufrag, localKey);
    if (!verdict.ok) {
      if (verdict.error) this.sendError(local, from, buf, msg, verdict.error.code, verdict.error.reason, verdict.authenticated);
      return this.drop('unauthenticated');
    }
    if (remoteUfrag !== undefined && verdict.remoteUfrag !== remoteUfrag) return this.drop('unauthenticated');
    this.answer(now, local, from, buf, msg, verdict);
    return true;
  }

  /** An authenticated check: answered, its source learned and proven, its pair handed to the nomination policy. */
  private answer(now: number, local: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage, verdict: CheckAccepted): void {
    const { ctx } = this;
    const { localKey } = ctx.credentials;
    // An ICE-lite agent is always controlled (§6.1.1): a peer that claims controlled too is told so with 487.
    const conflict = ctx.config.lite ? (verdict.controlled !== undefined ? 'reject' : 'none') : roleConflict(ctx.role, ctx.tieBreaker, verdict);
    if (conflict === 'reject') return this.sendError(local, from, buf, msg, ERROR_ROLE_CONFLICT, 'Role Conflict', true);
    if (conflict === 'switch') {
      if (ctx.role === 'controlling') ctx.switchRole('controlled', 'peer won a controlling/controlling conflict');
      else ctx.switchRole('controlling', 'we won a controlled/controlled conflict');
    }
    ctx.out.transmits.push({ socket: local.socket, to: from, data: encodeCheckSuccess(msg, from, localKey) });

    const c = ctx.components[local.component - 1]!;
    let remote = ctx.remote.find(local.component, from);
    if (!remote) {
      remote = ctx.remote.learnPeerReflexive(local.component, from, verdict.priority, ctx.config.random);
      if (!remote) return void ctx.drops.overLimit++;
      ctx.lastRemoteCandidateAt = now;
    }
    c.proven.add(addressKey(from));
    const pair = ctx.checklist.find(local.component, local, from) ?? this.checks.formPair(local, remote, true);
    if (!pair) return;
    pair.remoteAuthenticated = true;
    pair.counters.requestsReceived++;
    pair.counters.responsesSent++;
    ctx.policy.peerChecked(now, c, pair, verdict.useCandidate);
  }

  private response(now: number, local: LocalCandidate, from: TransportAddress, buf: Buffer, msg: StunMessage): boolean {
    const { ctx } = this;
    const t = ctx.txs.get(msg.transactionId);
    if (!t) return this.drop('unknownTransaction');
    const pair = t.pair;
    // §7.2.5.2.1: only a symmetric response counts; anything else is ignored (a spoofer cannot fail our pairs).
    if (pair.local !== local || !sameTransportAddress(from, pair.remote)) return this.drop('wrongSource');
    const key = ctx.credentials.remoteKey;
    if (!key || !verifyIntegrity(buf, msg, key) || !getAttribute(msg, 'FINGERPRINT')) return this.drop('unauthenticated');
    ctx.txs.delete(msg.transactionId);
    this.answered(now, t, msg, from);
    return true;
  }

  /** An authenticated answer to our check or consent check (§7.2.5). */
  private answered(now: number, t: CheckTx, msg: StunMessage, from: TransportAddress): void {
    const { ctx } = this;
    const pair = t.pair;
    const c = ctx.components[pair.component - 1]!;
    pair.remoteAuthenticated = true;
    c.proven.add(addressKey(from));
    if (msg.cls === 'error') {
      const code = getAttribute(msg, 'ERROR-CODE')?.value.code;
      ctx.txs.result(t, 'error', code);
      if (code === ERROR_ROLE_CONFLICT) {
        // §7.2.5.1: switch role (unless already switched) and check the pair again.
        if (t.role === ctx.role) ctx.switchRole(ctx.role === 'controlling' ? 'controlled' : 'controlling', 'peer answered 487 Role Conflict');
        pair.state = 'waiting';
        ctx.checklist.trigger(pair);
      } else if (t.kind === 'check') this.checks.fail(now, pair);
      return;
    }
    pair.rttMs = now - t.lastSentAt;
    pair.counters.responsesReceived++;
    pair.counters.totalRoundTripTimeMs += pair.rttMs;
    ctx.txs.result(t, 'success', undefined, pair.rttMs);
    if (t.kind === 'consent') c.consentAnswered(now, pair);
    else this.checks.markValid(now, pair, t, msg);
  }

  private drop(reason: keyof DropCounters): false {
    this.ctx.drops[reason]++;
    return false;
  }

  private sendError(local: LocalCandidate, to: TransportAddress, buf: Buffer, msg: StunMessage, code: number, reason: string, authenticated: boolean): void {
    const response = errorResponse(msg, code, reason, {
      ...(authenticated && { integrityKey: this.ctx.credentials.localKey }),
      ...(code === 420 && { unknown: msg.unknownRequired }),
    });
    // Never answer an unauthenticated request with more bytes than it sent (no amplification).
    if (!authenticated && response.length > buf.length) return;
    this.ctx.out.transmits.push({ socket: local.socket, to, data: response });
  }
}
