import { expect } from 'chai';
import { encodeMessage, METHOD_REFRESH } from '../../lib/stun/index.js';
import { encodeChannelData } from '../../lib/turn/channel-data.js';
import { MAX_STREAM_FRAME, StreamFramer } from '../../lib/turn/stream-framer.js';

function stun(bodyAttrs = 0): Buffer {
  const attributes = Array.from({ length: bodyAttrs }, () => ({ type: 'LIFETIME' as const, value: 600 }));
  return encodeMessage({ method: METHOD_REFRESH, cls: 'request', transactionId: Buffer.alloc(12, 1), attributes });
}

function channel(n: number, fill = 0x61): Buffer {
  return Buffer.concat(encodeChannelData(0x4001, Buffer.alloc(n, fill), true));
}

describe('turn: stream framer for TURN over TCP/TLS (RFC 8656 §12.5)', () => {
  it('splits a stream of STUN and padded ChannelData frames, however it is chunked', () => {
    const frames = [stun(), channel(1), stun(3), channel(0), channel(7), channel(8), stun(1)];
    const wire = Buffer.concat(frames);
    for (const step of [1, 2, 3, 5, 7, 64, wire.length]) {
      const framer = new StreamFramer();
      const out: Buffer[] = [];
      for (let i = 0; i < wire.length; i += step) {
        const r = framer.push(wire.subarray(i, i + step));
        expect(r.error).to.equal(undefined);
        out.push(...r.frames);
      }
      expect(out.map((f) => f.toString('hex')), `step ${step}`).to.deep.equal(frames.map((f) => f.toString('hex')));
      expect(framer.buffered).to.equal(0);
    }
  });

  it('a ChannelData LENGTH of 0xFFFD-0xFFFF frames as 65540 bytes: no uint16 wrap (pion/turn#593, coturn#1837)', () => {
    for (const len of [0xfffd, 0xfffe, 0xffff]) {
      const framer = new StreamFramer();
      const header = Buffer.from([0x40, 0x00, len >> 8, len & 0xff]);
      expect(framer.push(header).frames).to.have.length(0);
      // Feed the rest in 1 KiB pieces: nothing comes out until the padded frame is whole.
      const body = Buffer.alloc(65536, 7);
      let got: Buffer[] = [];
      for (let i = 0; i < body.length; i += 1024) {
        const r = framer.push(body.subarray(i, i + 1024));
        if (i + 1024 < body.length) expect(r.frames).to.have.length(0);
        got = r.frames;
      }
      expect(got).to.have.length(1);
      expect(got[0]!.length).to.equal(65540);
      expect(framer.buffered).to.equal(0);
    }
  });

  it('a 60 000-byte frame trickling in byte by byte comes out once, whole', () => {
    const framer = new StreamFramer();
    const frame = channel(60000);
    const out: Buffer[] = [];
    for (let i = 0; i < frame.length; i++) out.push(...framer.push(frame.subarray(i, i + 1)).frames);
    expect(out).to.have.length(1);
    expect(out[0]!.equals(frame)).to.equal(true);
  });

  it('never buffers more than one partial frame, within the bound', () => {
    const framer = new StreamFramer({ maxFrameBytes: 100 });
    expect(framer.push(channel(200)).error).to.equal('frame-too-large');
    const f2 = new StreamFramer();
    f2.push(channel(10).subarray(0, 9));
    expect(f2.buffered).to.equal(9);
    expect(MAX_STREAM_FRAME).to.equal(65552);
  });

  it('fails (close the connection) on a frame that is neither STUN nor ChannelData', () => {
    const good = channel(3);
    for (const junk of ['16030100', '50000004', 'ff000000', '80000000']) {
      const framer = new StreamFramer();
      const r = framer.push(Buffer.concat([good, Buffer.from(junk, 'hex'), good]));
      expect(r.frames, junk).to.have.length(1); // what came before the fault is still delivered
      expect(r.error, junk).to.equal('not-turn');
      expect(framer.push(good)).to.deep.equal({ frames: [], error: 'not-turn' });
      expect(framer.buffered).to.equal(0);
    }
  });

  it('fails on STUN without the magic cookie or with a LENGTH that is not a multiple of 4', () => {
    const noCookie = stun();
    noCookie.writeUInt32BE(0x01020304, 4);
    expect(new StreamFramer().push(noCookie).error).to.equal('not-turn');
    const odd = stun();
    odd.writeUInt16BE(2, 2);
    expect(new StreamFramer().push(odd).error).to.equal('bad-stun-length');
  });

  it('waits for the cookie before judging a STUN frame split after 4 bytes', () => {
    const framer = new StreamFramer();
    const m = stun();
    expect(framer.push(m.subarray(0, 5))).to.deep.equal({ frames: [] });
    expect(framer.push(m.subarray(5)).frames[0]!.equals(m)).to.equal(true);
  });
});
