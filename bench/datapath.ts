// 3. Data path: datagrams/s and CPU per datagram through send -> data on the selected pair, against
// raw node:dgram sockets doing the same in the same process. Flow-controlled: a fixed window of
// datagrams is kept in flight (each arrival releases the next send), so the kernel's socket buffers
// never overflow and throughput is not distorted by drops; arrivals are counted.
import * as dgram from 'node:dgram';
import { closeAll, connectOurs, connectWerift, LOOPBACK } from './peers.js';
import { cpuSince, nowMs, rotate, row, runMain, type BenchOptions, type Row } from './stats.js';

export interface Pipe {
  readonly name: string;
  send(buf: Buffer): void;
  /** Set by the pump: called once per datagram of the expected size that arrives. */
  onArrival: (size: number) => void;
  close(): Promise<void>;
}

async function rawPipe(): Promise<Pipe> {
  const bind = (): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, LOOPBACK, () => resolve(s));
    });
  const [a, b] = await Promise.all([bind(), bind()]);
  const port = b.address().port;
  const pipe: Pipe = {
    name: 'raw dgram',
    send: (buf) => a.send(buf, port, LOOPBACK),
    onArrival: () => {},
    close: async () => {
      await Promise.all([new Promise<void>((r) => a.close(() => r())), new Promise<void>((r) => b.close(() => r()))]);
    },
  };
  b.on('message', (data) => pipe.onArrival(data.length));
  return pipe;
}

export async function oursPipe(): Promise<Pipe> {
  const { a, b } = await connectOurs();
  const pipe: Pipe = { name: 'ice-agent', send: (buf) => a.send(1, buf), onArrival: () => {}, close: () => closeAll([a, b]) };
  b.on('data', (_component, data) => pipe.onArrival(data.length));
  return pipe;
}

async function weriftPipe(): Promise<Pipe> {
  const { a, b } = await connectWerift();
  const pipe: Pipe = {
    name: 'werift-ice',
    send: (buf) => void a.send(buf),
    onArrival: () => {},
    close: () => closeAll([a, b]),
  };
  b.onData.subscribe((data) => pipe.onArrival(data.length));
  return pipe;
}

export interface PumpResult {
  readonly perSecond: number;
  readonly cpuUsPerDatagram: number;
  readonly lost: number;
}

/** Sends `total` datagrams keeping `window` in flight; stops by itself if arrivals stall for 200 ms. */
export function pump(p: Pipe, size: number, total: number, window: number): Promise<PumpResult> {
  const buf = Buffer.alloc(size, 0xab);
  buf[0] = 0x80; // RTP-like first byte: never taken for STUN
  return new Promise((resolve) => {
    let sent = 0;
    let received = 0;
    let seen = -1;
    const t0 = nowMs();
    const cpu0 = process.cpuUsage();
    const finish = (): void => {
      const ms = nowMs() - t0;
      const cpu = cpuSince(cpu0);
      clearInterval(watchdog);
      p.onArrival = () => {};
      resolve({ perSecond: (received * 1000) / ms, cpuUsPerDatagram: cpu / Math.max(received, 1), lost: sent - received });
    };
    const watchdog = setInterval(() => {
      if (received === seen) finish();
      seen = received;
    }, 200);
    p.onArrival = (n) => {
      if (n !== size) return;
      received++;
      if (sent < total) {
        sent++;
        p.send(buf);
      } else if (received === total) finish();
    };
    for (; sent < Math.min(window, total); sent++) p.send(buf);
  });
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const rounds = o.quick ? 5 : 15;
  const total = o.quick ? 10_000 : 25_000;
  const window = 32;
  const sizes = [100, 1200];
  const pipes = [await rawPipe(), await oursPipe(), await weriftPipe()];
  const rate = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => void m.set(k, [...(m.get(k) ?? []), v]);
  let lost = 0;
  try {
    for (const p of pipes) for (const size of sizes) await pump(p, size, 2000, window); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const size of sizes) {
        for (const p of rotate(pipes, r)) {
          const res = await pump(p, size, total, window);
          lost += res.lost;
          push(rate, `${p.name}/${size}`, res.perSecond);
          push(cpu, `${p.name}/${size}`, res.cpuUsPerDatagram);
        }
      }
    }
  } finally {
    await Promise.all(pipes.map((p) => p.close()));
  }
  const rows: Row[] = [];
  for (const size of sizes) {
    const raw = `raw dgram/${size}`;
    for (const p of pipes) {
      const k = `${p.name}/${size}`;
      const vsRaw = p.name !== 'raw dgram';
      const ours = p.name === 'ice-agent';
      const base = { bench: 'datapath', impl: p.name, ...(vsRaw && { ratioVs: 'raw dgram' }) };
      rows.push(row({ ...base, metric: `send->data ${size} B, window ${window}`, unit: 'dgram/s', higherIsBetter: true,
        ...(ours && { note: 'goal >= 0.95x raw' }) }, rate.get(k)!, vsRaw ? rate.get(raw) : undefined));
      rows.push(row({ ...base, metric: `CPU per datagram ${size} B (send+receive)`, unit: 'us',
        ...(ours && { note: 'goal <= 1.05x raw' }) }, cpu.get(k)!, vsRaw ? cpu.get(raw) : undefined));
    }
  }
  if (lost > 0) rows.push(row({ bench: 'datapath', impl: 'all', metric: 'datagrams lost (all runs)', unit: 'dgram' }, [lost]));
  return rows;
}

runMain(import.meta.url, main);
