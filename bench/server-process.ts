// The server side of bench/server.ts: one IceServer with N ICE-lite agents, in its own process
// (node --expose-gc), answering the orchestrator's requests. Agents get no listener: what is
// measured is the agent, the router entry and the timer heap entry, not the bench's bookkeeping.
import type { IceAgent } from '../lib/index.js';
import { IceServer } from '../lib/server/index.js';
import { CLIENT, benchPwd, benchUfrag, serveRequests } from './server-ipc.js';

let server: IceServer | undefined;
let agents: IceAgent[] = [];

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('the server process needs node --expose-gc');
  for (let i = 0; i < 3; i++) g();
};

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

async function makeAgents(s: IceServer, worker: number, n: number, from = 0): Promise<IceAgent[]> {
  const made: IceAgent[] = [];
  for (let i = from; i < from + n; i++) {
    const a = s.createAgent({ ufrag: benchUfrag(worker, i), pwd: benchPwd(i) });
    a.setRemoteParameters(CLIENT);
    made.push(a);
  }
  await Promise.all(made.map((a) => a.gather()));
  return made;
}

/** Listens, warms the code up (agents made and closed), then makes `n` agents: the heap baseline is taken between. */
async function setup(args: Record<string, unknown>): Promise<unknown> {
  const worker = Number(args['worker'] ?? 0);
  const n = Number(args['n']);
  server = await IceServer.listen({ address: '127.0.0.1', worker });
  for (const a of await makeAgents(server, worker, 500, n)) await a.close();
  const heapBefore = heapUsed();
  const t0 = performance.now();
  agents = await makeAgents(server, worker, n);
  return { port: server.localAddresses[0]!.port, setupMs: performance.now() - t0, heapBefore };
}

function counts(): unknown {
  const s = server!.stats();
  const cpu = process.cpuUsage();
  return {
    completed: agents.reduce((k, a) => k + (a.iceState === 'completed' ? 1 : 0), 0),
    received: s.sockets[0]!.received,
    answered: s.sockets[0]!.sent,
    addresses: s.router.addresses,
    cpuUs: cpu.user + cpu.system,
    systemUs: cpu.system,
  };
}

serveRequests(async (op, args) => {
  switch (op) {
    case 'setup': return setup(args);
    case 'counts': return counts();
    case 'heap': return heapUsed();
    case 'close': await server?.close(); agents = []; return true;
    default: throw new Error(`unknown request ${op}`);
  }
});
