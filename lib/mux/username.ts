import { stunClassOf, isBindingRequestType } from './stun-header.js';

/** RFC 8489 §14 attribute codes the walk cares about. */
const USERNAME = 0x0006;
const MESSAGE_INTEGRITY = 0x0008;
const MESSAGE_INTEGRITY_SHA256 = 0x001c;
const FINGERPRINT = 0x8028;
const COLON = 0x3a;

/** RFC 8839 §5.4: ice-ufrag = 4*256ice-char. */
export const MIN_UFRAG_LENGTH = 4;
export const MAX_UFRAG_LENGTH = 256;

/** RFC 8839 ice-char = ALPHA / DIGIT / "+" / "/", as a byte lookup table. */
const ICE_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ICE_CHAR[c.charCodeAt(0)] = 1;

/** True for a string that can be an ICE ufrag (RFC 8839: 4 to 256 ice-chars). */
export function isIceUfrag(s: string): boolean {
  if (s.length < MIN_UFRAG_LENGTH || s.length > MAX_UFRAG_LENGTH) return false;
  for (let i = 0; i < s.length; i++) if (ICE_CHAR[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * The ufrag a STUN Binding request is addressed to, read without decoding the message: RFC 8445
 * §7.2.2 makes USERNAME "<receiver ufrag>:<sender ufrag>", so the receiver's (ours) is the part
 * before the first colon. Checks the header structurally, walks the attribute TLVs within bounds
 * and stops at the first USERNAME. Returns undefined for anything else: not a Binding request, a
 * TLV that overruns the datagram, no USERNAME before MESSAGE-INTEGRITY(-SHA256)/FINGERPRINT (what
 * follows them is not authenticated, RFC 8489 §14.5–14.7, and the full decoder ignores it too), no
 * colon, or a prefix that is not 4..256 ice-chars (no registered ufrag could match it, and a
 * report hook then never sees arbitrary bytes). Never throws.
 */
export function targetUfrag(data: Buffer): string | undefined {
  if (stunClassOf(data) !== 'request' || !isBindingRequestType(data)) return undefined;
  const end = data.length; // a multiple of 4 (checked above), so an attribute header always fits
  let pos = 20;
  while (pos < end) {
    const code = (data[pos]! << 8) | data[pos + 1]!;
    const length = (data[pos + 2]! << 8) | data[pos + 3]!;
    const start = pos + 4;
    if (start + length > end) return undefined;
    if (code === USERNAME) return ufragBeforeColon(data, start, start + length);
    if (code === MESSAGE_INTEGRITY || code === MESSAGE_INTEGRITY_SHA256 || code === FINGERPRINT) return undefined;
    pos = start + ((length + 3) & ~3);
  }
  return undefined;
}

function ufragBeforeColon(data: Buffer, start: number, end: number): string | undefined {
  const limit = Math.min(end, start + MAX_UFRAG_LENGTH + 1); // the colon cannot be further
  for (let i = start; i < limit; i++) {
    const c = data[i]!;
    if (c === COLON) {
      const n = i - start;
      // ice-chars are ASCII, so latin1 gives the same string as the decoder's UTF-8.
      return n >= MIN_UFRAG_LENGTH && n <= MAX_UFRAG_LENGTH ? data.toString('latin1', start, i) : undefined;
    }
    if (ICE_CHAR[c] !== 1) return undefined;
  }
  return undefined;
}
