// 6. Relays: time to connected over a relay (coturn on loopback; two relay-only agents of ours and
// two werift-ice agents with forceTurn, interleaved round by round), and the client-side CPU per
// relayed datagram against our host path (goal <= 1.10x). coturn's own CPU is another process: not
// counted. Skipped (one row saying why) when turnserver is missing.
import { Candidate, Connection } from 'werift-ice';
import type { IceAgentOptions } from '../lib/index.js';
import type * as dgram from 'node:dgram';
import { coturnMissing, PASS, startCoturn, USER, type Coturn } from '../test/support/coturn.js';
import { TurnDriver } from '../test/turn/support/turn-driver.js';
import { oursPipe, pump, type Pipe } from './datapath.js';
import { closeAll, connectOurs, LOOPBACK, type Connected } from './peers.js';
import { nowMs, rotate, row, runMain, withTimeout, type BenchOptions, type Row } from './stats.js';

function relayOptions(c: Coturn): IceAgentOptions {
  return { iceServers: [{ urls: `turn:${LOOPBACK}:${c.port}`, username: USER, credential: PASS }], iceTransportPolicy: 'relay' };
}

/** werift-ice relay only (forceTurn), its TURN client bound on loopback. */
async function connectWeriftRelay(c: Coturn, timeoutMs = 10_000): Promise<Connected<Connection>> {
  const make = (controlling: boolean): Connection => {
    const x = new Connection(controlling, {
      useIpv4: false, useIpv6: false, interfaceAddresses: { udp4: LOOPBACK },
      turnServer: [LOOPBACK, c.port], turnUsername: USER, turnPassword: PASS, forceTurn: true,
    });
    (x as { stunServer?: unknown }).stunServer = undefined;
    return x;
  };
  const a = make(true);
  const b = make(false);
  try {
    const t0 = nowMs();
    await Promise.all([a.gatherCandidates(), b.gatherCandidates()]);
    const gatherMs = nowMs() - t0;
    for (const x of [a, b]) {
      if (x.localCandidates.length === 0 || x.localCandidates.some((l) => l.type !== 'relay')) throw new Error(`werift candidates: ${x.localCandidates.map((l) => l.toSdp()).join(', ')}`);
    }
    const t1 = nowMs();
    a.setRemoteParams({ iceLite: false, usernameFragment: b.localUsername, password: b.localPassword });
    b.setRemoteParams({ iceLite: false, usernameFragment: a.localUsername, password: a.localPassword });
    for (const l of b.localCandidates) await a.addRemoteCandidate(Candidate.fromSdp(l.toSdp()));
    for (const l of a.localCandidates) await b.addRemoteCandidate(Candidate.fromSdp(l.toSdp()));
    await a.addRemoteCandidate(undefined);
    await b.addRemoteCandidate(undefined);
    const [ta, tb] = await withTimeout(Promise.all([a, b].map((x) => x.connect().then(() => nowMs() - t1))), timeoutMs, 'werift connect over TURN');
    return { a, b, gatherMs, connectMs: Math.max(ta!, tb!), controllingMs: ta!, controlledMs: tb! };
  } catch (err) {
    await Promise.all([a.close(), b.close()]);
    throw err;
  }
}

interface Variant {
  readonly impl: string;
  readonly connect: () => Promise<Connected<{ close(): Promise<void> }>>;
}

async function connectRows(c: Coturn, trials: number): Promise<Row[]> {
  const variants: Variant[] = [
    { impl: 'ice-agent', connect: () => connectOurs({ extra: relayOptions(c), onlyType: 'relay' }) },
    { impl: 'werift-ice', connect: () => connectWeriftRelay(c) },
  ];
  const connect = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  const gather = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (const v of variants) {
    const x = await v.connect(); // warm-up
    await closeAll([x.a, x.b]);
  }
  for (let r = 0; r < trials; r++) {
    for (const v of rotate(variants, r)) {
      const x = await v.connect();
      connect.get(v)!.push(x.connectMs);
      gather.get(v)!.push(x.gatherMs);
      await closeAll([x.a, x.b]);
    }
  }
  const [ours, werift] = variants as [Variant, Variant];
  const out: Row[] = [];
  for (const v of variants) {
    const vs = v === ours ? { ratioVs: 'werift-ice' } : {};
    out.push(row({ bench: 'relay', impl: v.impl, unit: 'ms', metric: 'time to connected over a relay (relay only, coturn on loopback)', ...vs },
      connect.get(v)!, v === ours ? connect.get(werift) : undefined));
    out.push(row({ bench: 'relay', impl: v.impl, unit: 'ms', metric: 'gather time with a TURN allocation (both agents)', ...vs },
      gather.get(v)!, v === ours ? gather.get(werift) : undefined));
  }
  return out;
}

/** Our relay-only pair, its channel bound (data goes as ChannelData from the driver's route). */
async function relayPipe(c: Coturn): Promise<Pipe> {
  const { a, b } = await connectOurs({ extra: relayOptions(c), onlyType: 'relay' });
  for (let i = 0; i < 200 && (a.relays[0]?.channels !== 1 || b.relays[0]?.channels !== 1); i++) await new Promise((r) => setTimeout(r, 10));
  if (a.relays[0]?.channels !== 1) throw new Error('no channel bound');
  const pipe: Pipe = { name: 'ice-agent relay', send: (buf) => a.send(1, buf), onArrival: () => {}, close: () => closeAll([a, b]) };
  b.on('data', (_component, data) => pipe.onArrival(data.length));
  return pipe;
}

/**
 * The floor: two raw dgram sockets exchanging ChannelData through coturn (allocations, permissions
 * and channels made by the test TurnDriver, then its socket used directly: a fixed header out,
 * subarray(4) in). What relaying costs the kernel and the event loop with no library in the way.
 */
async function rawRelayPipe(c: Coturn): Promise<Pipe> {
  const server = { address: LOOPBACK, port: c.port, family: 4 as const };
  const [x, y] = await Promise.all([0, 1].map(() => TurnDriver.open({ server, transport: 'udp', username: USER, password: PASS })));
  const drivers = [x!, y!];
  for (const d of drivers) d.start();
  await Promise.all(drivers.map((d) => d.waitFor(() => d.event('allocated') !== undefined, 5000, 'allocated')));
  const relayed = drivers.map((d) => d.allocation.relayedAddress!);
  const channels = drivers.map((d, i) => d.bindChannel(relayed[1 - i]!)!);
  await Promise.all(drivers.map((d) => d.waitFor(() => d.event('channel-bound') !== undefined, 5000, 'channel-bound')));
  // The driver's socket, taken over: no TURN code on the data path.
  const [sa, sb] = drivers.map((d) => (d as unknown as { udp: dgram.Socket }).udp) as [dgram.Socket, dgram.Socket];
  sb.removeAllListeners('message');
  const pipe: Pipe = {
    name: 'raw dgram relay',
    send: (buf) => {
      const h = Buffer.allocUnsafe(4);
      h.writeUInt16BE(channels[0]!, 0);
      h.writeUInt16BE(buf.length, 2);
      sa.send([h, buf], c.port, LOOPBACK);
    },
    onArrival: () => {},
    close: async () => { for (const d of drivers) d.shutdown(); },
  };
  sb.on('message', (msg: Buffer) => pipe.onArrival(msg.subarray(4, 4 + msg.readUInt16BE(2)).length));
  return pipe;
}

async function cpuRows(c: Coturn, o: BenchOptions): Promise<Row[]> {
  const rounds = o.quick ? 5 : 15;
  const total = o.quick ? 5_000 : 20_000;
  const window = 32;
  const sizes = [100, 1200];
  const host = await oursPipe();
  const relay = await relayPipe(c);
  const raw = await rawRelayPipe(c);
  const pipes = [host, relay, raw];
  const cpu = new Map<string, number[]>();
  const rate = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => void m.set(k, [...(m.get(k) ?? []), v]);
  try {
    for (const p of pipes) for (const size of sizes) await pump(p, size, 2000, window); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const size of sizes) {
        for (const p of rotate(pipes, r)) {
          const res = await pump(p, size, total, window);
          push(cpu, `${p.name}/${size}`, res.cpuUsPerDatagram);
          push(rate, `${p.name}/${size}`, res.perSecond);
        }
      }
    }
  } finally {
    await Promise.all(pipes.map((p) => p.close()));
  }
  const rows: Row[] = [];
  for (const size of sizes) {
    const base = `${host.name}/${size}`;
    const k = `${relay.name}/${size}`;
    const floor = `${raw.name}/${size}`;
    rows.push(row({ bench: 'relay', impl: 'ice-agent', metric: `CPU per relayed datagram ${size} B (send+receive, channel)`, unit: 'us', ratioVs: 'our host path', note: 'goal <= 1.10x host' }, cpu.get(k)!, cpu.get(base)));
    rows.push(row({ bench: 'relay', impl: 'raw dgram', metric: `CPU per relayed datagram ${size} B (send+receive, channel)`, unit: 'us', ratioVs: 'our host path', note: 'the floor: no library' }, cpu.get(floor)!, cpu.get(base)));
    rows.push(row({ bench: 'relay', impl: 'ice-agent', metric: `CPU per relayed datagram ${size} B vs raw dgram through coturn`, unit: 'us', ratioVs: 'raw dgram relay' }, cpu.get(k)!, cpu.get(floor)));
    rows.push(row({ bench: 'relay', impl: 'ice-agent', metric: `relayed send->data ${size} B, window ${window} (through coturn)`, unit: 'dgram/s', higherIsBetter: true, ratioVs: 'our host path' }, rate.get(k)!, rate.get(base)));
  }
  return rows;
}

export async function main(o: BenchOptions): Promise<Row[]> {
  const missing = coturnMissing();
  if (missing) return [row({ bench: 'relay', impl: 'all', metric: 'skipped', unit: '-', note: missing }, [0])];
  // werift does not delete its allocations on close: each trial holds two relay ports for 10 minutes.
  const c = await startCoturn({ auth: 'static', relayPortCount: 2000 });
  try {
    return [...(await connectRows(c, o.quick ? 8 : 30)), ...(await cpuRows(c, o))];
  } finally {
    await c.stop();
  }
}

runMain(import.meta.url, main);
