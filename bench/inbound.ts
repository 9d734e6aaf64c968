// 5. Inbound check rate: authenticated Binding requests answered per second by one agent on one core.
// The agent (B of a connected pair, controlled) runs here; a load generator in a second process
// (child_process.fork of this file) sends pre-encoded valid checks to B's host candidate from one
// socket, keeping a window in flight, bounded in count and time, and counts success responses.
// Note: werift-ice does not verify MESSAGE-INTEGRITY on incoming requests (its StunProtocol parses
// them without the key and answers), so it does less work per check than ice-agent.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { METHOD_BINDING, decodeMessage, encodeMessage, shortTermKey, verifyIntegrity } from '../lib/stun/index.js';
import { closeAll, connectOurs, connectWerift, LOOPBACK } from './peers.js';
import { cpuSince, nowMs, rotate, row, runMain, type BenchOptions, type Row } from './stats.js';

interface Job {
  readonly port: number;
  readonly username: string;
  readonly pwd: string;
  readonly count: number;
  readonly maxMs: number;
  readonly window: number;
}
interface JobResult {
  readonly sent: number;
  readonly answered: number;
  readonly ms: number;
  readonly verified: boolean;
}

// ---- generator (child process) -------------------------------------------------------

function generate(socket: dgram.Socket, job: Job): Promise<JobResult> {
  const key = shortTermKey(job.pwd);
  const checks = Array.from({ length: 4096 }, () =>
    encodeMessage(
      {
        method: METHOD_BINDING,
        cls: 'request',
        transactionId: randomBytes(12),
        attributes: [
          { type: 'USERNAME', value: job.username },
          { type: 'PRIORITY', value: 1845501695 },
          { type: 'ICE-CONTROLLING', value: 0xfedc_ba98_7654_3210n },
        ],
      },
      { integrityKey: key, fingerprint: true },
    ),
  );
  return new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    let verified = false;
    let seen = -1;
    const t0 = nowMs();
    const send = (): void => socket.send(checks[sent++ & 4095]!, job.port, LOOPBACK);
    const finish = (): void => {
      clearInterval(watchdog);
      socket.removeAllListeners('message');
      resolve({ sent, answered, ms: nowMs() - t0, verified });
    };
    const watchdog = setInterval(() => {
      if (answered === seen) finish(); // stalled (or done): stop by ourselves
      seen = answered;
    }, 200);
    socket.on('message', (data: Buffer) => {
      if (data[0] !== 0x01 || data[1] !== 0x01) return; // not a Binding success (e.g. a triggered check)
      if (!verified) {
        const d = decodeMessage(data);
        verified = d.ok && verifyIntegrity(data, d.message, key);
      }
      answered++;
      if (sent < job.count && nowMs() - t0 < job.maxMs) send();
      else if (answered >= sent) finish();
    });
    for (let i = 0; i < job.window; i++) send();
  });
}

function generatorProcess(): void {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, LOOPBACK, () => {
    process.on('message', (job: Job | 'exit') => {
      if (job === 'exit') return void socket.close(() => process.exit(0));
      void generate(socket, job).then((r) => process.send!(r));
    });
    process.send!('ready');
  });
}

// ---- the agent side ---------------------------------------------------------------------

interface Target {
  readonly name: string;
  readonly job: Omit<Job, 'count' | 'maxMs' | 'window'>;
  close(): Promise<void>;
}

async function oursTarget(): Promise<Target> {
  const { a, b } = await connectOurs();
  const host = b.localCandidates[0]!;
  return {
    name: 'ice-agent',
    job: { port: host.port, username: `${b.localParameters.ufrag}:${a.localParameters.ufrag}`, pwd: b.localParameters.pwd },
    close: () => closeAll([a, b]),
  };
}

async function weriftTarget(): Promise<Target> {
  const { a, b } = await connectWerift();
  const host = b.localCandidates[0]!;
  return {
    name: 'werift-ice',
    job: { port: host.port, username: `${b.localUsername}:${a.localUsername}`, pwd: b.localPassword },
    close: () => closeAll([a, b]),
  };
}

function ask(child: ChildProcess, job: Job): Promise<JobResult> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as JobResult));
    child.send(job);
  });
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const rounds = o.quick ? 3 : 8;
  const job = { count: o.quick ? 40_000 : 100_000, maxMs: o.quick ? 1500 : 3000, window: 64 };
  const child = fork(fileURLToPath(import.meta.url), ['--generator']);
  await new Promise((r) => child.once('message', r));
  const rate = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => void m.set(k, [...(m.get(k) ?? []), v]);
  const makers = [oursTarget, weriftTarget];
  try {
    for (let r = -1; r < rounds; r++) {
      for (const make of rotate(makers, Math.max(r, 0))) {
        const t = await make();
        const c0 = process.cpuUsage();
        const res = await ask(child, { ...t.job, ...job, count: r < 0 ? 5000 : job.count }); // round -1: warm-up
        const used = cpuSince(c0);
        await t.close();
        if (!res.verified) throw new Error(`${t.name}: responses did not verify`);
        if (r < 0) continue;
        push(rate, t.name, (res.answered * 1000) / res.ms);
        push(cpu, t.name, used / Math.max(res.answered, 1));
      }
    }
  } finally {
    child.send('exit');
  }
  const note = 'werift skips MESSAGE-INTEGRITY on requests';
  return [
    row({ bench: 'inbound', impl: 'ice-agent', metric: 'checks answered per second (1 core)', unit: 'check/s', higherIsBetter: true, ratioVs: 'werift-ice', note },
      rate.get('ice-agent')!, rate.get('werift-ice')),
    row({ bench: 'inbound', impl: 'werift-ice', metric: 'checks answered per second (1 core)', unit: 'check/s', higherIsBetter: true }, rate.get('werift-ice')!),
    row({ bench: 'inbound', impl: 'ice-agent', metric: 'agent CPU per answered check', unit: 'us', ratioVs: 'werift-ice' }, cpu.get('ice-agent')!, cpu.get('werift-ice')),
    row({ bench: 'inbound', impl: 'werift-ice', metric: 'agent CPU per answered check', unit: 'us' }, cpu.get('werift-ice')!),
  ];
}

if (process.argv.includes('--generator')) generatorProcess();
else runMain(import.meta.url, main);
