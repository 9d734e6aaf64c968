import { getAttribute, longTermKey, type StunAttribute, type StunMessage } from '../stun/index.js';

/**
 * Long-term credentials (RFC 8489 §9.2): the server's 401 or 438 gives REALM and NONCE; the
 * key is MD5(username:realm:password) (§9.2.2). Every later request carries USERNAME, REALM,
 * NONCE and MESSAGE-INTEGRITY. A 438 only replaces the nonce (and the realm if it changed).
 */
export class TurnAuth {
  private realmValue: string | undefined;
  private nonceValue: string | undefined;
  private keyValue: Buffer | undefined;

  constructor(private readonly username: string, private readonly password: string) {}

  /** Undefined until the first 401 was read. */
  get key(): Buffer | undefined {
    return this.keyValue;
  }

  get realm(): string | undefined {
    return this.realmValue;
  }

  get nonce(): string | undefined {
    return this.nonceValue;
  }

  /** Take REALM and NONCE from a 401/438; false when either is missing (nothing changes then). */
  learn(msg: StunMessage): boolean {
    const realm = getAttribute(msg, 'REALM')?.value;
    const nonce = getAttribute(msg, 'NONCE')?.value;
    if (realm === undefined || nonce === undefined) return false;
    if (realm !== this.realmValue || this.keyValue === undefined) {
      this.keyValue = longTermKey(this.username, realm, this.password);
      this.realmValue = realm;
    }
    this.nonceValue = nonce;
    return true;
  }

  /** USERNAME, REALM, NONCE for a signed request; empty before the first 401. */
  attributes(): StunAttribute[] {
    if (this.keyValue === undefined || this.realmValue === undefined || this.nonceValue === undefined) return [];
    return [
      { type: 'USERNAME', value: this.username },
      { type: 'REALM', value: this.realmValue },
      { type: 'NONCE', value: this.nonceValue },
    ];
  }
}
