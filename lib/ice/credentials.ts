import { shortTermKey } from '../stun/integrity.js';
import type { RandomSource } from '../util/random.js';
import { randomIceString } from '../util/random.js';
import { checkCredential } from './config.js';

/**
 * The ufrag and password of both sides for the current ICE generation (RFC 8445 §5.3, §7.2.2).
 * Short-term keys are the passwords' bytes (RFC 8489 §9.1).
 */
export class Credentials {
  ufrag!: string;
  pwd!: string;
  localKey!: Buffer;
  remoteUfrag: string | undefined;
  remoteKey: Buffer | undefined;

  constructor(random: RandomSource, fixed?: { readonly ufrag?: string; readonly pwd?: string }) {
    this.renewLocal(random, fixed);
  }

  /** New local credentials (ours are random unless given: 48 and 144 bits, above §5.3's 24 and 128). */
  renewLocal(random: RandomSource, fixed?: { readonly ufrag?: string | undefined; readonly pwd?: string | undefined }, mint?: (random: RandomSource) => string): void {
    this.ufrag = fixed?.ufrag ?? mint?.(random) ?? randomIceString(random, 8);
    this.pwd = fixed?.pwd ?? randomIceString(random, 24);
    this.localKey = shortTermKey(this.pwd);
  }

  /** How the peer's `ufrag`/`pwd` relate to what we hold: the first ones, the same again, or changed (a restart). */
  compareRemote(ufrag: string, pwd: string): 'first' | 'same' | 'changed' {
    checkCredential('ufrag', ufrag, 4);
    checkCredential('pwd', pwd, 22);
    if (this.remoteUfrag === undefined) return 'first';
    return this.remoteUfrag === ufrag && this.remoteKey!.equals(shortTermKey(pwd)) ? 'same' : 'changed';
  }

  setRemote(ufrag: string, pwd: string): void {
    this.remoteUfrag = ufrag;
    this.remoteKey = shortTermKey(pwd);
  }

  clearRemote(): void {
    this.remoteUfrag = undefined;
    this.remoteKey = undefined;
  }

  /** Checks can be signed once the peer's password is known. */
  get canCheck(): boolean {
    return this.remoteKey !== undefined;
  }

  /** USERNAME of our checks: `remote:local` (§7.2.2). */
  get username(): string {
    return `${this.remoteUfrag}:${this.ufrag}`;
  }
}
