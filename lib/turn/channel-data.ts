import { IceError } from '../util/errors.js';

/**
 * ChannelData (RFC 8656 §12.4): | channel number (16) | length (16) | application data |.
 * Channel numbers are 0x4000-0x4FFF (§12); 0x5000-0x7FFF are reserved so that RFC 7983
 * demultiplexing (first byte 64..79 = TURN channel) keeps working. LENGTH counts the data only.
 * Over TCP/TLS the message is padded to a multiple of 4 and the padding is not in LENGTH (§12.5);
 * over UDP the padding is optional.
 */
export const CHANNEL_NUMBER_MIN = 0x4000;
export const CHANNEL_NUMBER_MAX = 0x4fff;
export const CHANNEL_DATA_HEADER_LENGTH = 4;
/** LENGTH is 16 bits. */
export const CHANNEL_DATA_MAX_PAYLOAD = 0xffff;

export type ChannelDataFailure =
  /** Fewer than 4 bytes, or fewer than 4 + LENGTH: the message is dropped (RFC 8656 §12.7). */
  | 'too-short'
  /** First byte outside 0x40-0x7F. */
  | 'not-channel-data'
  /** 0x5000-0x7FFF: reserved by RFC 8656 §12 (RFC 7983). */
  | 'reserved-channel';

export type ChannelDataDecode =
  | { readonly ok: true; readonly channel: number; readonly payload: Buffer }
  | { readonly ok: false; readonly reason: ChannelDataFailure };

// Shared zero bytes for padding; slices of it are handed out and must never be written to.
const ZEROS = Buffer.alloc(3);
const NO_PADDING = ZEROS.subarray(0, 0);

export function isChannelNumber(n: number): boolean {
  return Number.isInteger(n) && n >= CHANNEL_NUMBER_MIN && n <= CHANNEL_NUMBER_MAX;
}

/** RFC 7983 §7: a first byte of 64..79 is TURN ChannelData (channel 0x4000-0x4FFF). */
export function looksLikeChannelData(buf: Buffer): boolean {
  const b = buf[0];
  return b !== undefined && b >= 0x40 && b <= 0x4f;
}

/** Bytes of padding after a payload of `length` over a stream transport (0..3). */
export function channelDataPaddingLength(length: number): number {
  return (4 - (length & 3)) & 3;
}

/** The zeroed padding for a payload of `length` (empty when already a multiple of 4). Read-only. */
export function channelDataPadding(length: number): Buffer {
  const n = channelDataPaddingLength(length);
  return n === 0 ? NO_PADDING : ZEROS.subarray(0, n);
}

/** A fresh 4-byte header for `payloadLength` bytes on `channel`; throws on misuse. */
export function channelDataHeader(channel: number, payloadLength: number): Buffer {
  if (!isChannelNumber(channel)) {
    throw new IceError('ERR_INVALID_ARGUMENT', `channel number 0x${channel.toString(16)} outside 0x4000-0x4fff`);
  }
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > CHANNEL_DATA_MAX_PAYLOAD) {
    throw new IceError('ERR_INVALID_ARGUMENT', `ChannelData payload of ${payloadLength} bytes exceeds 65535`);
  }
  const header = Buffer.allocUnsafe(CHANNEL_DATA_HEADER_LENGTH);
  header.writeUInt16BE(channel, 0);
  header.writeUInt16BE(payloadLength, 2);
  return header;
}

/**
 * The buffers to send, as a list (no copy of `payload`): header and payload, plus the zeroed
 * padding when `stream` (TCP/TLS, RFC 8656 §12.5) and the length is not a multiple of 4.
 */
export function encodeChannelData(channel: number, payload: Buffer, stream: boolean): readonly Buffer[] {
  const header = channelDataHeader(channel, payload.length);
  if (!stream || (payload.length & 3) === 0) return [header, payload];
  return [header, payload, channelDataPadding(payload.length)];
}

/**
 * Decode one ChannelData message; never throws. The payload is a view bounded by LENGTH, so
 * padding (or anything after it in a datagram) is never delivered as data.
 */
export function decodeChannelData(buf: Buffer): ChannelDataDecode {
  if (buf.length < CHANNEL_DATA_HEADER_LENGTH) return { ok: false, reason: 'too-short' };
  const channel = (buf[0]! << 8) | buf[1]!;
  if (channel < CHANNEL_NUMBER_MIN || channel > 0x7fff) return { ok: false, reason: 'not-channel-data' };
  if (channel > CHANNEL_NUMBER_MAX) return { ok: false, reason: 'reserved-channel' };
  const length = (buf[2]! << 8) | buf[3]!;
  if (buf.length < CHANNEL_DATA_HEADER_LENGTH + length) return { ok: false, reason: 'too-short' };
  return { ok: true, channel, payload: buf.subarray(CHANNEL_DATA_HEADER_LENGTH, CHANNEL_DATA_HEADER_LENGTH + length) };
}
