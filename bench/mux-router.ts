// Micro-benchmark of the pure shared-port router (lib/mux) at 10 000 agents × 8 addresses:
// routes per second on the data path (address map), the check path (ufrag read from USERNAME)
// and the response path (transaction id); and three keyings of the address map, as lookups
// alone: AddressTable (port → chain of slots, or a Map past 8), a Map per port (port → Map by
// address), and one Map keyed by an "address:port" string built per datagram. Each datagram's
// source address is a fresh string (node:dgram makes one per rinfo), re-read from bytes.
// Run: `node dist/bench/mux-router.js [--quick]`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AddressTable } from '../lib/mux/address-table.js';
import { MuxRouter, type PeerAddress } from '../lib/mux/index.js';
import type { AddressSlot, AgentRecord } from '../lib/mux/router-types.js';
import { METHOD_BINDING, encodeMessage, shortTermKey } from '../lib/stun/index.js';
import { randomIceString, seededRandom } from '../lib/util/random.js';
import { nowMs, row, runMain, type BenchOptions, type Row } from './stats.js';

const AGENTS = 10_000;
const ADDRESSES_PER_AGENT = 8;
const POOL = 1 << 16;

interface Source {
  readonly bytes: Buffer; // the address text, re-read into a fresh string per datagram
  readonly port: number;
}

const fresh = (s: Source): PeerAddress => ({ address: s.bytes.toString('latin1'), port: s.port });

function setup(): { router: MuxRouter<number>; ufrags: string[]; sources: Source[] } {
  const random = seededRandom(1);
  const router = new MuxRouter<number>({ maxAgents: AGENTS });
  const ufrags: string[] = [];
  const sources: Source[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const ufrag = randomIceString(random, 8);
    ufrags.push(ufrag);
    router.register(i, ufrag);
    for (let k = 0; k < ADDRESSES_PER_AGENT; k++) {
      const address = `10.${(i >> 8) & 255}.${i & 255}.${k + 1}`;
      const port = 1024 + (Math.imul(i * ADDRESSES_PER_AGENT + k, 2654435761) >>> 0) % 64512; // ephemeral, spread
      router.authenticated(i, { address, port }, 0);
      sources.push({ bytes: Buffer.from(address, 'latin1'), port });
    }
  }
  return { router, ufrags, sources };
}

/** Measures the heap a build step retains (after full GCs). */
function heapOf(): (build: () => void) => number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return (build) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    build();
    gc();
    return process.memoryUsage().heapUsed - before;
  };
}

function rate(n: number, fn: (i: number) => unknown): number {
  const t0 = nowMs();
  let sink = 0;
  for (let i = 0; i < n; i++) if (fn(i) !== undefined) sink++;
  const ms = nowMs() - t0;
  if (sink === 0) throw new Error('nothing routed: the benchmark measures a no-op');
  return (n / ms) * 1000;
}

function encodeChecks(ufrags: readonly string[]): Buffer[] {
  const key = shortTermKey('benchmark-password-0123');
  return Array.from({ length: 4096 }, (_, i) => encodeMessage({
    method: METHOD_BINDING, cls: 'request', transactionId: Buffer.alloc(12, i),
    attributes: [
      { type: 'USERNAME', value: `${ufrags[(i * 7919) % AGENTS]!}:peer` },
      { type: 'PRIORITY', value: 1845501695 }, { type: 'ICE-CONTROLLING', value: 1n },
    ],
  }, { integrityKey: key, fingerprint: true }));
}

type Lookup = (port: number, address: string) => unknown;

/** The same addresses in the three keyings, with the heap each retains (slots and strings included). */
function keyings(sources: readonly Source[]): { name: string; lookup: Lookup; bytes: number }[] {
  const owner: AgentRecord<number> = { agent: 0, ufrag: 'bench', addresses: [], pendingTransactions: 0, alive: true };
  const slot = (address: string, port: number): AddressSlot<number> => ({ address, port, owner, authenticatedAt: 0, nextSamePort: undefined });
  const heap = heapOf();
  const table = new AddressTable<number>();
  const tableBytes = heap(() => sources.forEach((s) => table.insert(slot(s.bytes.toString('latin1'), s.port))));
  const perPort = new Map<number, Map<string, AddressSlot<number>>>();
  const perPortBytes = heap(() => sources.forEach((s) => {
    let inner = perPort.get(s.port);
    if (!inner) perPort.set(s.port, (inner = new Map()));
    const address = s.bytes.toString('latin1');
    inner.set(address, slot(address, s.port));
  }));
  const flat = new Map<string, AddressSlot<number>>();
  const flatBytes = heap(() => sources.forEach((s) => {
    const address = s.bytes.toString('latin1');
    flat.set(`${address}:${s.port}`, slot(address, s.port));
  }));
  return [
    { name: 'port → chain or Map (AddressTable)', lookup: (p, a) => table.lookup(p, a), bytes: tableBytes },
    { name: 'Map port → Map address', lookup: (p, a) => perPort.get(p)?.get(a), bytes: perPortBytes },
    { name: 'one Map, "address:port" key', lookup: (p, a) => flat.get(`${a}:${p}`), bytes: flatBytes },
  ];
}

/** Responses routed per second, each to a request recorded just before (under the table's caps). */
function transactionRate(router: MuxRouter<number>, checks: readonly Buffer[], round: number): number {
  const server = { address: '203.0.113.1', port: 3478 };
  const m = 60_000;
  for (let i = 0; i < m; i++) {
    checks[i & 4095]!.writeUInt32BE(i, 8);
    router.requestSent(i % AGENTS, server, checks[i & 4095]!, round);
  }
  const responses = checks.map((c) => { const b = Buffer.from(c); b[0] = 0x01; b[1] = 0x01; return b; });
  let j = 0;
  return rate(m, () => {
    const b = responses[j & 4095]!;
    b.writeUInt32BE(j++, 8);
    return router.route(server, b, round);
  });
}

async function main(o: BenchOptions): Promise<Row[]> {
  const rounds = o.quick ? 3 : 7;
  const n = o.quick ? 200_000 : 1_000_000;
  const { router, ufrags, sources } = setup();
  const pick = Array.from({ length: POOL }, (_, i) => sources[(i * 2654435761) % sources.length]!);
  const from = (i: number): PeerAddress => fresh(pick[i & (POOL - 1)]!);
  const data = Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const checks = encodeChecks(ufrags);
  const maps = keyings(sources);
  const byAddress: number[] = [];
  const byUfrag: number[] = [];
  const byTransaction: number[] = [];
  const lookups = maps.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    byAddress.push(rate(n, (i) => router.route(from(i), data, 0)));
    maps.forEach((k, m) => lookups[m]!.push(rate(n, (i) => { const f = from(i); return k.lookup(f.port, f.address); })));
    byUfrag.push(rate(n, (i) => router.route(from(i), checks[i & 4095]!, 0)));
    byTransaction.push(transactionRate(router, checks, r));
  }
  const note = `${AGENTS} agents × ${ADDRESSES_PER_AGENT} addresses, fresh source string per datagram`;
  const base = { bench: 'mux-router', impl: 'ice-agent', unit: 'route/s', higherIsBetter: true, note };
  const impl = (m: number): string => (m === 0 ? 'ice-agent' : m === 1 ? 'Map per port' : 'string key');
  return [
    row({ ...base, metric: 'data by address (MuxRouter.route)' }, byAddress),
    ...maps.map((k, m) => row({ ...base, impl: impl(m), unit: 'lookup/s', metric: `address lookup: ${k.name}` }, lookups[m]!, m > 0 ? lookups[0] : undefined)),
    ...maps.map((k, m) => row({ bench: 'mux-router', impl: impl(m), unit: 'B/address', metric: `address map heap: ${k.name}`, note: 'heap after GC' },
      [k.bytes / sources.length], m > 0 ? [maps[0]!.bytes / sources.length] : undefined)),
    row({ ...base, metric: 'check by ufrag (USERNAME peek)' }, byUfrag),
    row({ ...base, metric: 'response by transaction id' }, byTransaction),
  ];
}

runMain(import.meta.url, main);
