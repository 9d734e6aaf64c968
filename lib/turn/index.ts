// Public TURN client API (pure: no sockets, timers or clocks; RFC 8656, RFC 7065, TURN REST).
export { TurnAllocation } from './allocation.js';
export type * from './types.js';
export {
  DEFAULT_LIFETIME_S, DEFAULT_REFRESH_MARGIN_MS, DEFAULT_PERMISSION_REFRESH_MS, PERMISSION_LIFETIME_MS,
  DEFAULT_CHANNEL_REFRESH_MS, CHANNEL_LIFETIME_MS, DEFAULT_CLOSE_WAIT_MS, STREAM_TRANSACTION_TIMEOUT_MS,
  MAX_STALE_NONCE_RETRIES, MAX_REDIRECTS, MAX_ALLOCATION_MISMATCH_RETRIES,
} from './constants.js';
export {
  parseIceServerUri, DEFAULT_PORT, DEFAULT_SECURE_PORT,
  type IceServerUri, type IceServerScheme, type IceServerHostKind, type ServerTransport,
} from './uri.js';
export { restCredentials, restPassword, type TurnCredentials } from './rest-credentials.js';
export {
  CHANNEL_NUMBER_MIN, CHANNEL_NUMBER_MAX, CHANNEL_DATA_HEADER_LENGTH, isChannelNumber, looksLikeChannelData,
  channelDataHeader, channelDataPadding, channelDataPaddingLength, encodeChannelData, decodeChannelData,
  type ChannelDataDecode, type ChannelDataFailure,
} from './channel-data.js';
export { StreamFramer, MAX_STREAM_FRAME, type FramerError, type FramerResult, type FramerOptions } from './stream-framer.js';
