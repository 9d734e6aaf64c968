import { createHmac } from 'node:crypto';
import { IceError } from '../util/errors.js';

/**
 * The TURN REST credential scheme (draft-uberti-behave-turn-rest-00 §2.2, coturn
 * `--use-auth-secret`): a service sharing `secret` with the TURN server hands out
 *   username = "<expiry, unix seconds>:<user>"
 *   password = base64(HMAC-SHA1(secret, username))
 * The server rejects the credential once the expiry has passed. `nowS` is passed in (pure).
 */
export interface TurnCredentials {
  readonly username: string;
  readonly password: string;
}

/** base64(HMAC-SHA1(secret, username)). */
export function restPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/**
 * Credentials valid for `ttlS` seconds from `nowS` (unix seconds, fractions dropped).
 * `user` may be empty: then the username is the expiry alone, which the draft allows.
 */
export function restCredentials(secret: string, user: string, ttlS: number, nowS: number): TurnCredentials {
  if (typeof secret !== 'string' || secret === '') {
    throw new IceError('ERR_INVALID_ARGUMENT', 'TURN REST credentials need a non-empty shared secret');
  }
  if (!Number.isInteger(ttlS) || ttlS <= 0) {
    throw new IceError('ERR_INVALID_ARGUMENT', `TURN REST ttlS must be a positive integer, got ${String(ttlS)}`);
  }
  if (!Number.isFinite(nowS) || nowS < 0) {
    throw new IceError('ERR_INVALID_ARGUMENT', `TURN REST nowS must be unix seconds, got ${String(nowS)}`);
  }
  if (user.includes(':')) {
    // coturn splits at the first ':' (timestamp first): a ':' in the user part would be ambiguous for others.
    throw new IceError('ERR_INVALID_ARGUMENT', `TURN REST user '${user}' must not contain ':'`);
  }
  const expiry = Math.floor(nowS) + ttlS;
  const username = user === '' ? String(expiry) : `${expiry}:${user}`;
  return { username, password: restPassword(secret, username) };
}
