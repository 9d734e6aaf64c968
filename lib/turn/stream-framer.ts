import { HEADER_LENGTH, MAGIC_COOKIE } from '../stun/index.js';
import { CHANNEL_DATA_HEADER_LENGTH } from './channel-data.js';

/**
 * Splits a TURN-over-TCP/TLS byte stream into whole messages (RFC 8656 §12.5, RFC 8489 §6.2.2).
 * Two kinds of frame share the stream:
 *   STUN         first two bits 00, length = 20 + LENGTH (LENGTH a multiple of 4, magic cookie)
 *   ChannelData  first byte 0x40-0x4F, length = 4 + LENGTH rounded up to 4 (the padding)
 * Anything else means the stream is out of sync: the framer fails and the caller closes the
 * connection (there is no way to find the next frame). Lengths are computed in full-width
 * arithmetic: a 16-bit LENGTH of 0xFFFD-0xFFFF gives 65540, never 0 (pion/turn#593 spun on a
 * uint16 wrap). The framer buffers at most one partial frame, bounded by `maxFrameBytes`.
 */
export type FramerError =
  /** The next frame is neither STUN (with the cookie) nor ChannelData 0x4000-0x4FFF. */
  | 'not-turn'
  /** A STUN frame whose LENGTH is not a multiple of 4 (RFC 8489 §5). */
  | 'bad-stun-length'
  /** A frame longer than `maxFrameBytes`. */
  | 'frame-too-large';

export interface FramerResult {
  /** Whole frames, in order; ChannelData frames include their padding (decode bounds the payload). */
  readonly frames: Buffer[];
  /** Set once the stream is unusable: close the connection. Frames before the fault are still returned. */
  readonly error?: FramerError;
}

/** The longest frame either kind can have: STUN 20 + 0xFFFC. */
export const MAX_STREAM_FRAME = HEADER_LENGTH + 0xfffc;

export interface FramerOptions {
  /** Refuse frames longer than this (default MAX_STREAM_FRAME, which admits every legal frame). */
  readonly maxFrameBytes?: number;
}

export class StreamFramer {
  private chunks: Buffer[] = [];
  private total = 0;
  private failure: FramerError | undefined;
  // Size of the frame at the head once its header was read: a frame trickling in byte by byte
  // is then not re-examined on every push.
  private headSize: number | undefined;
  private readonly maxFrameBytes: number;

  constructor(options: FramerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_STREAM_FRAME;
  }

  /** Bytes held for a partial frame (never more than maxFrameBytes - 1). */
  get buffered(): number {
    return this.total;
  }

  get error(): FramerError | undefined {
    return this.failure;
  }

  /** Add bytes read from the connection; returns every frame they complete. */
  push(chunk: Buffer): FramerResult {
    if (this.failure !== undefined) return { frames: [], error: this.failure };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      const size = this.headSize ?? this.nextFrameSize();
      if (typeof size === 'string') {
        this.failure = size;
        this.chunks = [];
        this.total = 0;
        return { frames, error: size };
      }
      this.headSize = size;
      if (size === undefined || this.total < size) return { frames };
      this.headSize = undefined;
      frames.push(this.take(size));
    }
  }

  /** Size of the frame at the head, undefined when more bytes are needed to tell, or an error. */
  private nextFrameSize(): number | FramerError | undefined {
    if (this.total < CHANNEL_DATA_HEADER_LENGTH) return undefined;
    const head = this.peek(this.total >= 8 ? 8 : 4);
    const first = head[0]!;
    const length = (head[2]! << 8) | head[3]!;
    let size: number;
    if (first < 0x40) {
      if ((length & 3) !== 0) return 'bad-stun-length';
      if (head.length < 8) return undefined; // wait for the cookie
      if (head.readUInt32BE(4) !== MAGIC_COOKIE) return 'not-turn';
      size = HEADER_LENGTH + length;
    } else if (first <= 0x4f) {
      size = CHANNEL_DATA_HEADER_LENGTH + length + ((4 - (length & 3)) & 3);
    } else {
      return 'not-turn';
    }
    return size > this.maxFrameBytes ? 'frame-too-large' : size;
  }

  /** The first n (<= 8, <= total) buffered bytes; copies at most n bytes when they span chunks. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    for (let i = 0; filled < n; i++) {
      const c = this.chunks[i]!;
      filled += c.copy(out, filled, 0, Math.min(c.length, n - filled));
    }
    return out;
  }

  /** Remove and return the first n bytes (n <= total). */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let frame: Buffer;
    if (first.length >= n) {
      frame = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks, this.total);
      frame = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.total -= n;
    return frame;
  }
}
