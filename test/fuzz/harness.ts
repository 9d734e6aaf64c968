/**
 * The fuzz harness behind `npm run fuzz` (1,000,000 datagrams) and the seeded
 * 20,000-case mocha test. Every generated datagram goes to decodeMessage() and,
 * from a third UDP socket, to the host candidate of a live IceAgent (T) that is
 * meanwhile connecting to, and then talking with, its peer (P) on 127.0.0.1.
 * Re-signed mutations also go to a second agent (D) whose password they carry, so
 * they get past authentication into the ICE logic (role conflicts, peer-reflexive
 * learning, nomination, the pair and candidate bounds).
 *
 * Checked: no exception escapes decodeMessage or a socket handler, no unhandled
 * rejection or uncaught exception, heap flat after GC, checklists within their
 * bounds, T never pairs with the fuzzer, and T and P connect under fire and still
 * exchange data afterwards.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { IceAgent, type IceAgentOptions } from '../../lib/ice-agent.js';
import { udpEndpointFactory, type EndpointFactory } from '../../lib/net/datagram-endpoint.js';
import { decodeMessage } from '../../lib/stun/decode.js';
import { shortTermKey } from '../../lib/stun/integrity.js';
import { DEFAULT_LIMITS } from '../../lib/ice/config.js';
import { closeSocket, bindUdp } from '../support/udp.js';
import { exchange, hostOf } from '../support/loopback-agents.js';
import { isProbeAnswer, roundTrip } from '../support/attacker.js';
import { CAPTURE_CREDENTIALS, loadCaptures } from './captures.js';
import { Rng, nextInput, type FuzzKind } from './mutator.js';
import { signalGathered } from '../support/signalling.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface FuzzOptions {
  readonly count: number;
  readonly seed: number;
  /** Progress lines (the CLI prints them). */
  readonly log?: (line: string) => void;
  /** Heap growth allowed between the warm-up and the end, after GC. */
  readonly heapBoundBytes?: number;
}

export interface FuzzReport {
  readonly datagrams: number;
  readonly byKind: Record<FuzzKind, number>;
  readonly decode: { readonly ok: number; readonly failures: Record<string, number>; readonly exceptions: number };
  readonly socket: { readonly sentToT: number; readonly receivedByT: number; readonly sentToD: number; readonly receivedByD: number; readonly repliesToFuzzer: number };
  readonly seconds: number;
  readonly ratePerSecond: number;
  readonly heap: { readonly before: number; readonly after: number; readonly growth: number; readonly bound: number };
  readonly dropsT: Record<string, number>;
  readonly dropsD: Record<string, number>;
  readonly pairsT: number;
  readonly pairsD: number;
  readonly remoteCandidatesD: number;
  readonly problems: readonly string[];
  readonly connectedUnderFire: boolean;
  readonly dataAfter: boolean;
}

/** Wraps the real UDP endpoint factory to count what each agent's sockets receive. */
function counting(counter: { n: number }): EndpointFactory {
  return async (address, handlers, range) =>
    udpEndpointFactory(address, { ...handlers, onMessage: (d, f) => { counter.n++; handlers.onMessage(d, f); } }, range);
}

const base: IceAgentOptions = { addresses: ['127.0.0.1'], includeLoopback: true, ipv6: false };

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const problems: string[] = [];
  const onRejection = (r: unknown): void => void problems.push(`unhandled rejection: ${String((r as Error)?.stack ?? r)}`);
  const onException = (e: Error): void => void problems.push(`uncaught exception: ${e.stack ?? e.message}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  try {
    return await fuzz(o, problems);
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}

async function fuzz(o: FuzzOptions, problems: string[]): Promise<FuzzReport> {
  const log = o.log ?? ((): void => {});

  const seeds = loadCaptures().map((c) => c.data);
  const C = CAPTURE_CREDENTIALS;
  const gotT = { n: 0 };
  const gotD = { n: 0 };
  // T: the agent under fire, same ufrag as the captures' target but another password.
  const T = new IceAgent({ ...base, role: 'controlled', ufrag: C.b.ufrag, pwd: 'TTTTpasswordTTTTpasswordT', endpointFactory: counting(gotT) });
  const P = new IceAgent({ ...base, role: 'controlling' });
  // D: the deep target, whose password the re-signed mutations carry.
  const D = new IceAgent({ ...base, role: 'controlled', ufrag: C.b.ufrag, pwd: C.b.pwd, endpointFactory: counting(gotD) });
  const agents = [T, P, D];
  for (const [name, agent] of [['T', T], ['P', P], ['D', D]] as const) {
    agent.on('warning', (w) => { if (!/send error/.test(w.message)) problems.push(`${name} warning ${w.code}: ${w.message}`); });
  }
  await Promise.all(agents.map((a) => a.gather()));
  D.setRemoteParameters({ ufrag: C.a.ufrag, pwd: C.a.pwd });
  const tAddr = hostOf(T);
  const dAddr = hostOf(D);
  const fuzzer: Socket = await bindUdp();
  let replies = 0;
  fuzzer.on('message', (m) => void (isProbeAnswer(m) || replies++));

  const rng = new Rng(o.seed);
  const gen = { seeds, signKeys: [shortTermKey(C.b.pwd), randomBytes(16)] };
  const byKind: Record<FuzzKind, number> = { random: 0, structured: 0, mutated: 0, 'mutated-fixed': 0, 'mutated-signed': 0 };
  const failures: Record<string, number> = {};
  let decodeOk = 0;
  let exceptions = 0;
  let sentT = 0;
  let sentD = 0;
  let connectStarted = false;
  let connected: Promise<unknown> | undefined;
  let connectedUnderFire = false;
  const warmup = Math.min(20_000, Math.floor(o.count / 10));
  let heapBefore = 0;
  const started = process.hrtime.bigint();
  let lastLog = Date.now();
  const batch = 128;

  for (let i = 0; i < o.count; ) {
    const end = Math.min(o.count, i + batch);
    const sentDBefore = sentD;
    for (; i < end; i++) {
      const input = nextInput(rng, gen);
      byKind[input.kind]++;
      try {
        const r = decodeMessage(input.data);
        if (r.ok) decodeOk++;
        else failures[r.reason] = (failures[r.reason] ?? 0) + 1;
      } catch (err) {
        exceptions++;
        if (exceptions <= 5) problems.push(`decodeMessage threw on ${input.data.toString('hex')}: ${(err as Error).stack}`);
      }
      fuzzer.send(input.data, tAddr.port, tAddr.address);
      sentT++;
      if (input.kind === 'mutated-signed' || input.kind === 'mutated-fixed') {
        fuzzer.send(input.data, dAddr.port, dAddr.address);
        sentD++;
      }
    }
    // Flow control: a round trip to each target proves it has read and handled the whole batch
    // (UDP between two loopback sockets arrives in order; what the kernel dropped never will).
    await roundTrip(fuzzer, T, tAddr, 250);
    if (sentD > sentDBefore) await roundTrip(fuzzer, D, dAddr, 250);

    if (!connectStarted && i >= warmup) {
      connectStarted = true;
      gc();
      heapBefore = process.memoryUsage().heapUsed;
      // Signal T and P while the fuzzing goes on.
      signalGathered(T, P);
      connected = Promise.all([T.waitFor(['connected', 'completed'], 30_000), P.waitFor(['connected', 'completed'], 30_000)]).then(
        () => { connectedUnderFire = true; },
        (err: Error) => { problems.push(`T and P did not connect under fire: ${err.message}`); },
      );
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      log(`  ${i.toLocaleString('en')} datagrams, ${Math.round(i / s).toLocaleString('en')}/s, T ${T.iceState}, heap ${(process.memoryUsage().heapUsed / 1048576).toFixed(1)} MiB`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await connected;

  let dataAfter = false;
  try {
    await exchange(P, T, 'after the storm: P to T');
    await exchange(T, P, 'after the storm: T to P');
    dataAfter = true;
  } catch (err) {
    problems.push(`no data between T and P after fuzzing: ${(err as Error).message} (T ${T.iceState}, P ${P.iceState})`);
  }
  // T only ever heard unauthenticated noise: nothing of the fuzzer may be in its checklist.
  const fuzzPort = fuzzer.address().port;
  for (const p of T.getPairs()) {
    if (p.remote.port === fuzzPort) problems.push(`T paired with the fuzzer: ${p.remote.type} ${p.remote.address}:${p.remote.port}`);
  }
  if (T.role !== 'controlled') problems.push(`T's role changed to ${T.role}`);
  if (T.localCandidates.some((c) => c.type === 'prflx' && c.port === fuzzPort)) problems.push('T learned a candidate from the fuzzer');
  for (const [name, a] of [['T', T], ['D', D]] as const) {
    if (a.getPairs().length > DEFAULT_LIMITS.maxPairs) problems.push(`${name} has ${a.getPairs().length} pairs > ${DEFAULT_LIMITS.maxPairs}`);
  }
  const remoteD = new Set(D.getPairs().map((p) => `${p.remote.address}:${p.remote.port}`)).size;

  const report = {
    pairsT: T.getPairs().length,
    pairsD: D.getPairs().length,
    dropsT: { ...T.drops },
    dropsD: { ...D.drops },
  };
  await Promise.all(agents.map((a) => a.close()));
  await closeSocket(fuzzer);
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const bound = o.heapBoundBytes ?? 16 * 1048576;
  if (heapAfter - heapBefore > bound) problems.push(`heap grew by ${((heapAfter - heapBefore) / 1048576).toFixed(1)} MiB (bound ${(bound / 1048576).toFixed(0)} MiB)`);
  if (exceptions > 0) problems.push(`decodeMessage threw ${exceptions} times`);
  return {
    datagrams: o.count,
    byKind,
    decode: { ok: decodeOk, failures, exceptions },
    socket: { sentToT: sentT, receivedByT: gotT.n, sentToD: sentD, receivedByD: gotD.n, repliesToFuzzer: replies },
    seconds,
    ratePerSecond: Math.round(o.count / seconds),
    heap: { before: heapBefore, after: heapAfter, growth: heapAfter - heapBefore, bound },
    ...report,
    remoteCandidatesD: remoteD,
    problems,
    connectedUnderFire,
    dataAfter,
  };
}
