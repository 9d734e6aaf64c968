// Long-term authentication for the TURN server double (RFC 8489 §9.2.4), static users or a REST secret.
import {
  encodeMessage, getAttribute, longTermKey, verifyIntegrity, type StunAttribute, type StunMessage,
} from '../../../lib/stun/index.js';
import { restPassword } from '../../../lib/turn/rest-credentials.js';

export interface DoubleAuthOptions {
  readonly realm: string;
  readonly users?: Readonly<Record<string, string>>;
  /** coturn --use-auth-secret: username "<expiry>:<user>", password base64(HMAC-SHA1(secret, username)). */
  readonly restSecret?: string;
  /** Unix seconds at virtual time `now` (ms), for REST expiry. */
  readonly unixSeconds?: (now: number) => number;
  /** coturn: 600 s even without --stale-nonce. */
  readonly nonceLifetimeMs?: number;
}

export type AuthVerdict =
  | { readonly ok: true; readonly key: Buffer; readonly username: string }
  | { readonly ok: false; readonly code: 401 | 438 };

export class DoubleAuth {
  private nonce = '';
  private nonceUntil = -Infinity;
  private nonceCounter = 0;

  constructor(private readonly o: DoubleAuthOptions) {}

  get realm(): string {
    return this.o.realm;
  }

  /** The current nonce, renewed once it expired. */
  currentNonce(now: number): string {
    if (now >= this.nonceUntil) this.rotate(now);
    return this.nonce;
  }

  /** Make the current nonce stale now (the next signed request meets 438). */
  rotate(now: number): void {
    this.nonce = `nonce-${++this.nonceCounter}-${now}`;
    this.nonceUntil = now + (this.o.nonceLifetimeMs ?? 600_000);
  }

  passwordOf(username: string, now: number): string | undefined {
    const fixed = this.o.users?.[username];
    if (fixed !== undefined) return fixed;
    if (this.o.restSecret === undefined) return undefined;
    const expiry = Number(username.split(':')[0]);
    const nowS = this.o.unixSeconds?.(now) ?? now / 1000;
    if (!Number.isFinite(expiry) || expiry < nowS) return undefined; // coturn: the timestamp must not be past
    return restPassword(this.o.restSecret, username);
  }

  /** RFC 8489 §9.2.4: no credentials → 401; stale nonce → 438; unknown user or bad MAC → 401. */
  check(now: number, raw: Buffer, msg: StunMessage): AuthVerdict {
    const username = getAttribute(msg, 'USERNAME')?.value;
    const nonce = getAttribute(msg, 'NONCE')?.value;
    const realm = getAttribute(msg, 'REALM')?.value;
    if (msg.integrityOffset === undefined || username === undefined || nonce === undefined || realm === undefined) {
      return { ok: false, code: 401 };
    }
    if (nonce !== this.currentNonce(now)) return { ok: false, code: 438 };
    const password = realm === this.o.realm ? this.passwordOf(username, now) : undefined;
    if (password === undefined) return { ok: false, code: 401 };
    const key = longTermKey(username, this.o.realm, password);
    if (!verifyIntegrity(raw, msg, key)) return { ok: false, code: 401 };
    return { ok: true, key, username };
  }

  /** An error response; 401/438 carry REALM and NONCE and are unsigned (like coturn). */
  error(now: number, msg: StunMessage, code: number, key: Buffer | undefined, extra: readonly StunAttribute[] = []): Buffer {
    const attributes: StunAttribute[] = [{ type: 'ERROR-CODE', value: { code, reason: `error ${code}` } }, ...extra];
    if (code === 401 || code === 438) {
      attributes.push({ type: 'NONCE', value: this.currentNonce(now) }, { type: 'REALM', value: this.o.realm });
    }
    const sign = key !== undefined && code !== 401 && code !== 438 && code !== 437;
    return encodeMessage(
      { method: msg.method, cls: 'error', transactionId: msg.transactionId, attributes },
      { ...(sign && { integrityKey: key }), fingerprint: true },
    );
  }

  success(msg: StunMessage, key: Buffer | undefined, attributes: readonly StunAttribute[]): Buffer {
    return encodeMessage(
      { method: msg.method, cls: 'success', transactionId: msg.transactionId, attributes },
      { ...(key && { integrityKey: key }), fingerprint: true },
    );
  }
}
