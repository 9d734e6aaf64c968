/**
 * `npm run fuzz`: one million (or FUZZ_COUNT / argv[2]) random and mutated datagrams
 * into decodeMessage and into live IceAgents' sockets; see harness.ts.
 *
 *   node dist/test/fuzz/run.js [count] [seed]
 *
 * Exits 1 if anything escaped, leaked or broke the agents.
 */
import { runFuzz } from './harness.js';

const count = Number(process.argv[2] ?? process.env['FUZZ_COUNT'] ?? 1_000_000);
const seed = Number(process.argv[3] ?? process.env['FUZZ_SEED'] ?? Date.now() % 0x7fffffff);
const mib = (n: number): string => `${(n / 1048576).toFixed(2)} MiB`;

console.log(`fuzz: ${count.toLocaleString('en')} datagrams, seed ${seed} (replay: node dist/test/fuzz/run.js ${count} ${seed})`);
const r = await runFuzz({ count, seed, log: (l) => console.log(l) });
console.log(`
datagrams        ${r.datagrams.toLocaleString('en')} in ${r.seconds.toFixed(1)} s = ${r.ratePerSecond.toLocaleString('en')}/s
by kind          ${Object.entries(r.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}
decodeMessage    ok ${r.decode.ok}, exceptions ${r.decode.exceptions}, failures ${JSON.stringify(r.decode.failures)}
socket T         sent ${r.socket.sentToT}, datagrams read by T ${r.socket.receivedByT} (its peer P's included; UDP may drop some under load)
socket D         sent ${r.socket.sentToD}, read by D ${r.socket.receivedByD}; replies to the fuzzer ${r.socket.repliesToFuzzer}
drops T          ${JSON.stringify(r.dropsT)}
drops D          ${JSON.stringify(r.dropsD)}
checklists       T ${r.pairsT} pairs, D ${r.pairsD} pairs (${r.remoteCandidatesD} remote addresses)
heap after GC    before ${mib(r.heap.before)}, after ${mib(r.heap.after)}, growth ${mib(r.heap.growth)} (bound ${mib(r.heap.bound)})
T and P          connected under fire: ${r.connectedUnderFire}; data both ways afterwards: ${r.dataAfter}`);
if (r.problems.length > 0) {
  console.log(`\nFAILED: ${r.problems.length} problem(s):\n${r.problems.slice(0, 20).map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\nOK: nothing escaped, heap flat, agents intact.');
process.exit(0);
