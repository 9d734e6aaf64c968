/** Just enough SDP for one data-channel m-section: read Chrome's, write ours. */

export interface MediaIce {
  readonly ufrag: string;
  readonly pwd: string;
  readonly mid: string;
  readonly setup: string | undefined;
  /** `candidate:...` bodies (no `a=`), in SDP order. */
  readonly candidates: readonly string[];
  readonly endOfCandidates: boolean;
  readonly iceOptions: string | undefined;
}

/** The ICE attributes of the first m-section (session-level ufrag/pwd as fallback). */
export function parseMediaIce(sdp: string): MediaIce {
  const lines = sdp.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  let session = true;
  let seenMedia = false;
  const at: Record<string, string | undefined> = {};
  const sessionAt: Record<string, string | undefined> = {};
  const candidates: string[] = [];
  let endOfCandidates = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (seenMedia) break; // first m-section only (Chrome bundles everything on it)
      seenMedia = true;
      session = false;
      continue;
    }
    const m = /^a=([^:]+)(?::(.*))?$/.exec(line);
    if (!m) continue;
    const name = m[1] as string;
    const value = m[2] ?? '';
    if (name === 'candidate' && !session) candidates.push(`candidate:${value}`);
    else if (name === 'end-of-candidates') endOfCandidates = true;
    else (session ? sessionAt : at)[name] ??= value;
  }
  const ufrag = at['ice-ufrag'] ?? sessionAt['ice-ufrag'];
  const pwd = at['ice-pwd'] ?? sessionAt['ice-pwd'];
  const mid = at['mid'];
  if (ufrag === undefined || pwd === undefined || mid === undefined) throw new Error(`SDP lacks ice-ufrag, ice-pwd or mid:\n${sdp}`);
  return { ufrag, pwd, mid, setup: at['setup'], candidates, endOfCandidates, iceOptions: at['ice-options'] ?? sessionAt['ice-options'] };
}

/** A syntactically valid SHA-256 fingerprint; nobody verifies it (DTLS never completes here). */
export const DUMMY_FINGERPRINT = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).toUpperCase().padStart(2, '0')).join(':');

export interface OurDescription {
  readonly ufrag: string;
  readonly pwd: string;
  readonly mid: string;
  readonly setup: 'actpass' | 'passive' | 'active';
  /** `candidate:...` lines as the agent formats them. */
  readonly candidates: readonly string[];
  /** ICE-lite: `a=ice-lite` at session level (RFC 8839 §5.3). */
  readonly lite?: boolean;
}

/** An offer or answer with one `m=application` data-channel section carrying our ICE parameters. */
export function buildDataChannelSdp(d: OurDescription): string {
  return [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    ...(d.lite === true ? ['a=ice-lite'] : []),
    `a=group:BUNDLE ${d.mid}`,
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    `a=ice-ufrag:${d.ufrag}`,
    `a=ice-pwd:${d.pwd}`,
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${DUMMY_FINGERPRINT}`,
    `a=setup:${d.setup}`,
    `a=mid:${d.mid}`,
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    ...d.candidates.map((c) => `a=${c}`),
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}
