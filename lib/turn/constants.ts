/** RFC 8656 §7.1: the client asks for this lifetime; servers cap it (coturn: --max-allocate-lifetime). */
export const DEFAULT_LIFETIME_S = 600;
/** Refresh at max(L/2, L - 60 s). */
export const DEFAULT_REFRESH_MARGIN_MS = 60_000;
/** RFC 8656 §9: permissions last 300 s; refreshed every 120 s (pion) so one lost refresh is survivable. */
export const PERMISSION_LIFETIME_MS = 300_000;
export const DEFAULT_PERMISSION_REFRESH_MS = 120_000;
/** RFC 8656 §12: channels last 10 min; refreshed after 5 min. */
export const CHANNEL_LIFETIME_MS = 600_000;
export const DEFAULT_CHANNEL_REFRESH_MS = 300_000;
/** close(): wait at most this long for the Refresh with LIFETIME 0 to be answered. */
export const DEFAULT_CLOSE_WAIT_MS = 1_000;
/** RFC 8489 §6.2.2: over TCP/TLS a transaction fails after Ti = 39.5 s, nothing is retransmitted. */
export const STREAM_TRANSACTION_TIMEOUT_MS = 39_500;
/** 438 retries in a row for one request (pjproject#888: the counter must reset on success). */
export const MAX_STALE_NONCE_RETRIES = 3;
/** 300 Try Alternate: follow at most one redirect (libjuice). */
export const MAX_REDIRECTS = 1;
/** 437 on Allocate: at most 3 new client sockets (RFC 8656 §7.2). */
export const MAX_ALLOCATION_MISMATCH_RETRIES = 3;
export const DEFAULT_MAX_PERMISSIONS = 100;
export const DEFAULT_MAX_QUEUED_PER_PEER = 4;
/** RFC 8656 §18.7: REQUESTED-TRANSPORT protocol number for UDP. */
export const TRANSPORT_UDP = 17;
/** RFC 8656 §18.8 REQUESTED-ADDRESS-FAMILY value for IPv6 (as in XOR-MAPPED-ADDRESS's family byte). */
export const FAMILY_IPV6 = 0x02;

/** RFC 8656 §19 / RFC 8489 §14.8 error codes the client reacts to. */
export const ERR_TRY_ALTERNATE = 300;
export const ERR_UNAUTHORIZED = 401;
export const ERR_FORBIDDEN = 403;
export const ERR_ALLOCATION_MISMATCH = 437;
export const ERR_STALE_NONCE = 438;
export const ERR_PEER_FAMILY_MISMATCH = 443;
export const ERR_ALLOCATION_QUOTA = 486;
export const ERR_INSUFFICIENT_CAPACITY = 508;
