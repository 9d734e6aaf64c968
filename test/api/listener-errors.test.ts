// A listener that throws never costs the agent an event, a promise or a socket; its exception
// comes back as an `error` event, or uncaught when nobody listens for `error` (lib/listener-guard.ts).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IceAgent } from '../../lib/ice-agent.js';
import { STUN, collectUncaught, track, virtualWorld } from './support/virtual-pair.js';
import { nextData } from '../support/waits.js';
import { wire } from '../support/signalling.js';

class ListenerError extends Error {}
const thrower = (what: string) => (): never => {
  throw new ListenerError(what);
};

/** Gathers host + srflx on the virtual network with a throwing candidate listener registered first. */
async function gatherWithThrowingCandidateListener(onError: ((e: unknown) => void) | undefined) {
  const { clock, net, agent } = virtualWorld();
  const a = agent('10.0.0.1', { stunServers: [STUN] });
  const seen: string[] = [];
  a.on('candidate', thrower('candidate'));
  a.on('candidate', (c) => seen.push(`candidate ${c.type}`));
  a.on('gatheringstatechange', (s) => seen.push(`gathering ${s}`));
  a.on('endofcandidates', () => seen.push('endofcandidates'));
  if (onError) a.on('error', onError);
  const gathered = track(a.gather());
  await clock.runUntilTrue(() => gathered.settled, 5000);
  await clock.advance(0);
  expect(clock.errors, 'nothing escaped a scheduled callback').to.deep.equal([]);
  return { clock, net, a, seen, gathered };
}

describe('api: listener exceptions', () => {
  describe('on the virtual clock', () => {
    it("with an 'error' listener: the whole batch is dispatched, gather() resolves, each exception is an 'error' event", async () => {
      const errors: unknown[] = [];
      const { clock, net, a, seen, gathered } = await gatherWithThrowingCandidateListener((e) => errors.push(e));
      expect(gathered.error).to.equal(undefined);
      // The host candidate comes from gather()'s call, the srflx one from the STUN response (packet path).
      expect(seen).to.deep.equal(['candidate host', 'gathering gathering', 'candidate srflx', 'gathering complete', 'endofcandidates']);
      expect(errors).to.have.length(2);
      for (const e of errors) expect(e).to.be.instanceOf(ListenerError).with.property('message', 'candidate');
      await a.close();
      await clock.runUntilIdle();
      expect(net.boundEndpoints, 'only the STUN server').to.equal(1);
    });

    it("without an 'error' listener: the same, and each exception is thrown uncaught after the batch", async () => {
      await collectUncaught(async (caught) => {
        const { clock, a, seen, gathered } = await gatherWithThrowingCandidateListener(undefined);
        expect(gathered.error).to.equal(undefined);
        expect(seen).to.deep.equal(['candidate host', 'gathering gathering', 'candidate srflx', 'gathering complete', 'endofcandidates']);
        expect(caught).to.have.length(2);
        for (const e of caught) expect(e).to.be.instanceOf(ListenerError);
        await a.close();
        await clock.runUntilIdle();
      });
    });

    it('on the timer path (a silent STUN server given up): gather() resolves, endofcandidates still fires, nothing escapes the timer', async () => {
      const { clock, agent } = virtualWorld();
      const a = agent('10.0.0.1', { stunServers: ['198.18.0.99:3478'], timers: { gatherRetransmit: { rtoMs: 100, maxRequests: 2, finalWaitFactor: 1 } } });
      const errors: unknown[] = [];
      let ends = 0;
      a.on('gatheringstatechange', thrower('gathering'));
      a.on('endofcandidates', () => ends++);
      a.on('error', (e) => errors.push(e));
      const gathered = track(a.gather());
      await clock.runUntilTrue(() => gathered.settled, 5000);
      expect(clock.now(), 'completed by the timer that gave the server up').to.equal(200);
      expect(gathered.settled && gathered.error === undefined).to.equal(true);
      expect(ends).to.equal(1);
      await clock.advance(0);
      expect(errors.map((e) => (e as Error).message)).to.deep.equal(['gathering', 'gathering']);
      expect(clock.errors).to.deep.equal([]);
      await a.close();
      await clock.runUntilIdle();
    });

    it('close(): a throwing statechange listener does not keep the sockets open or close() pending', async () => {
      const { clock, net, agent } = virtualWorld();
      const a = agent('10.0.0.1');
      await Promise.all([a.gather(), clock.runUntilIdle()]);
      a.on('statechange', thrower('closed'));
      const errors: unknown[] = [];
      a.on('error', (e) => errors.push(e));
      await a.close();
      await clock.advance(0);
      expect(net.boundEndpoints, 'only the STUN server').to.equal(1);
      expect(errors).to.have.length(1);
    });

    it('a logger that throws is surfaced the same way; the agent carries on', async () => {
      const w = virtualWorld();
      const noop = (): void => {};
      const a = w.agent('10.0.0.1', { role: 'controlling', logger: { debug: thrower('logger'), info: noop, warn: noop } });
      const b = w.agent('10.0.0.2', { role: 'controlled' });
      const errors: unknown[] = [];
      a.on('error', (e) => errors.push(e));
      wire(a, b);
      const completed = track(a.waitFor(['completed']));
      await Promise.all([a.gather(), b.gather(), w.clock.runUntilTrue(() => completed.settled, 5000)]);
      expect(completed.value).to.equal('completed');
      expect(errors.length).to.be.greaterThan(0);
      for (const e of errors) expect(e).to.be.instanceOf(ListenerError).with.property('message', 'logger');
      await Promise.all([a.close(), b.close()]);
      await w.clock.runUntilIdle();
    });
  });

  describe('over real loopback sockets', function () {
    this.timeout(10_000);

    it("throwing candidate, statechange and data listeners: the agents still connect and exchange data; each exception is an 'error' event", async () => {
      const a = new IceAgent({ addresses: ['127.0.0.1'], role: 'controlling' });
      const b = new IceAgent({ addresses: ['127.0.0.1'], role: 'controlled' });
      const errors: string[] = [];
      for (const x of [a, b]) {
        x.on('candidate', thrower('candidate'));
        x.on('statechange', thrower('statechange'));
        x.on('error', (e) => errors.push((e as Error).message));
      }
      // Registered after the throwing listeners, so they only run if the guard isolates them.
      wire(a, b);
      b.on('data', thrower('data'));
      b.on('data', (c, d) => b.send(c, Buffer.from(`echo ${d}`)));
      try {
        await Promise.all([a.gather(), b.gather()]);
        await Promise.all([a.waitFor(['completed'], 5000), b.waitFor(['completed'], 5000)]);
        const reply = nextData(a, 1);
        a.send(1, Buffer.from('hi'));
        expect(String((await reply).data)).to.equal('echo hi');
        await new Promise((r) => process.nextTick(r));
        expect(errors.filter((m) => m === 'candidate')).to.have.length(2);
        // checking, connected, completed on each side.
        expect(errors.filter((m) => m === 'statechange')).to.have.length(6);
        expect(errors.filter((m) => m === 'data')).to.have.length(1);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    const child = fileURLToPath(new URL('./support/throwing-listener-child.js', import.meta.url));
    const run = (arg?: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [child, ...(arg ? [arg] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });

    it("in a program without an 'error' listener: the rest of the batch runs, then the exception is uncaught (stack on stderr, exit 1)", async () => {
      const r = await run();
      expect(r.code).to.equal(1);
      expect(r.stdout).to.include('candidate host 127.0.0.1\nendofcandidates\n');
      expect(r.stdout).to.not.include('closed');
      expect(r.stderr).to.include('Error: thrown by a candidate listener');
      expect(r.stderr).to.match(/at .*throwing-listener-child\.js:\d+/);
    });

    it("in a program with an 'error' listener: it gets the exception, gather() and close() complete, exit 0", async () => {
      const r = await run('with-error-listener');
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      // The error event comes on the next tick after the batch; gather()'s promise is settled by then
      // (here, dispatched from a promise continuation, its own continuation even runs first).
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 2)).to.deep.equal(['candidate host 127.0.0.1', 'endofcandidates']);
      expect(lines.slice(2, 4)).to.have.members(['error event: thrown by a candidate listener', 'gather resolved']);
      expect(lines.slice(4)).to.deep.equal(['closed']);
    });
  });
});
