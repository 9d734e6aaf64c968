// 2. Time to connected on loopback: two agents in one process, host candidates on 127.0.0.1 only.
// The clock starts once both agents have gathered; it covers handing each the other's parameters and
// candidates and stops when both report connected. werift-ice has no multi-component support
// (its candidates are always component 1), so the 2-component rows are ours only.
import { closeAll, connectOurs, connectWerift, type Connected } from './peers.js';
import { rotate, row, runMain, type BenchOptions, type Row } from './stats.js';

interface Variant {
  readonly impl: string;
  readonly label: string;
  readonly connect: () => Promise<Connected<{ close(): Promise<void> }>>;
}

const VARIANTS: readonly Variant[] = [
  { impl: 'ice-agent', label: '1 component', connect: () => connectOurs({ components: 1 }) },
  { impl: 'werift-ice', label: '1 component', connect: () => connectWerift() },
  { impl: 'ice-agent', label: '2 components', connect: () => connectOurs({ components: 2 }) },
  { impl: 'ice-agent', label: '2 components, taMs 20', connect: () => connectOurs({ components: 2, timers: { taMs: 20 } }) },
];

export async function main(o: BenchOptions): Promise<Row[]> {
  const trials = o.quick ? 12 : 60;
  const connect = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const gather = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  for (const v of VARIANTS) {
    const c = await v.connect(); // warm-up
    await closeAll([c.a, c.b]);
  }
  for (let r = 0; r < trials; r++) {
    for (const v of rotate(VARIANTS, r)) {
      const c = await v.connect();
      connect.get(v)!.push(c.connectMs);
      gather.get(v)!.push(c.gatherMs);
      await closeAll([c.a, c.b]);
    }
  }
  const werift = VARIANTS[1]!;
  const rows: Row[] = [];
  for (const v of VARIANTS) {
    const vsWerift = v.label === '1 component' && v.impl === 'ice-agent';
    const note = v.label.startsWith('2') ? 'werift: 1 component only' : undefined;
    const base = { bench: 'connect', impl: v.impl, unit: 'ms', ...(note && { note }) };
    rows.push(row({ ...base, metric: `time to connected, ${v.label}${v.label.includes('taMs') ? '' : ', default timers'}`, ...(vsWerift && { ratioVs: 'werift-ice' }) },
      connect.get(v)!, vsWerift ? connect.get(werift) : undefined));
  }
  for (const v of VARIANTS.slice(0, 3)) {
    const vsWerift = v.label === '1 component' && v.impl === 'ice-agent';
    rows.push(row({ bench: 'connect', impl: v.impl, unit: 'ms', metric: `gather time (both agents), ${v.label}`, ...(vsWerift && { ratioVs: 'werift-ice' }) },
      gather.get(v)!, vsWerift ? gather.get(werift) : undefined));
  }
  return rows;
}

runMain(import.meta.url, main);
