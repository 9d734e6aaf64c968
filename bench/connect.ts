// 2. Time to connected on loopback: two agents in one process, host candidates on 127.0.0.1 only.
// The clock starts once both agents have gathered; it covers handing each the other's parameters and
// candidates and stops when both report connected (each side's own time is reported too). werift-ice has no multi-component support
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
  { impl: 'ice-agent', label: '1 component, none signalled to controlled', connect: () => connectOurs({ components: 1, candidatesToControlled: false }) },
];

type Sample = 'connect' | 'gather' | 'controlling' | 'controlled';
const SAMPLES: readonly Sample[] = ['connect', 'gather', 'controlling', 'controlled'];

export async function main(o: BenchOptions): Promise<Row[]> {
  const trials = o.quick ? 12 : 60;
  const samples = new Map<string, number[]>();
  const put = (v: Variant, k: Sample, x: number): void => void samples.set(`${v.impl}/${v.label}/${k}`, [...(samples.get(`${v.impl}/${v.label}/${k}`) ?? []), x]);
  const get = (v: Variant, k: Sample): number[] => samples.get(`${v.impl}/${v.label}/${k}`) ?? [];
  for (const v of VARIANTS) {
    const c = await v.connect(); // warm-up
    await closeAll([c.a, c.b]);
  }
  for (let r = 0; r < trials; r++) {
    for (const v of rotate(VARIANTS, r)) {
      const c = await v.connect();
      const values: Record<Sample, number> = { connect: c.connectMs, gather: c.gatherMs, controlling: c.controllingMs, controlled: c.controlledMs };
      for (const k of SAMPLES) put(v, k, values[k]);
      await closeAll([c.a, c.b]);
    }
  }
  const werift = VARIANTS[1]!;
  const rows: Row[] = [];
  for (const v of VARIANTS) {
    const vsWerift = v.label === '1 component' && v.impl === 'ice-agent';
    const note = v.label.startsWith('2') ? 'werift: 1 component only' : undefined;
    const base = { bench: 'connect', impl: v.impl, unit: 'ms', ...(note && { note }) };
    rows.push(row({ ...base, metric: `time to connected, ${v.label}${v.label.includes('taMs') || v.label.includes('none') ? '' : ', default timers'}`, ...(vsWerift && { ratioVs: 'werift-ice' }) },
      get(v, 'connect'), vsWerift ? get(werift, 'connect') : undefined));
  }
  // Each side on its own (RFC 7675 consent before sending: the controlled side needs its own check answered too).
  for (const v of VARIANTS.slice(0, 2)) {
    for (const side of ['controlling', 'controlled'] as const) {
      rows.push(row({ bench: 'connect', impl: v.impl, unit: 'ms', metric: `time to connected, 1 component, ${side} side` }, get(v, side)));
    }
  }
  for (const v of [VARIANTS[0]!, VARIANTS[4]!]) {
    const lag = get(v, 'controlled').map((t, i) => t - get(v, 'controlling')[i]!);
    rows.push(row({ bench: 'connect', impl: 'ice-agent', unit: 'ms', metric: `controlled side lag, ${v.label}` }, lag));
  }
  for (const v of VARIANTS.slice(0, 3)) {
    const vsWerift = v.label === '1 component' && v.impl === 'ice-agent';
    rows.push(row({ bench: 'connect', impl: v.impl, unit: 'ms', metric: `gather time (both agents), ${v.label}`, ...(vsWerift && { ratioVs: 'werift-ice' }) },
      get(v, 'gather'), vsWerift ? get(werift, 'gather') : undefined));
  }
  return rows;
}

runMain(import.meta.url, main);
