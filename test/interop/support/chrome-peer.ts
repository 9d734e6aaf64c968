/**
 * One ICE exchange between headless Chromium (libwebrtc) and our IceAgent, run
 * inside whatever network namespace this process was started in (the test
 * starts it with `ip netns exec <ns>` on a namespace that has only `lo`).
 *
 *   node dist/test/interop/support/chrome-peer.js --direction chrome-offers|agent-offers
 *        --profile <empty dir> [--media-permission] [--chromium /usr/bin/chromium] [--timeout 15000]
 *        [--trace] [--flag <extra chromium flag>]... [--drop-flag <default flag>]... [--lite-server]
 *
 * chrome-offers: Chrome is the offerer (controlling, full ICE) and nominates; we answer, controlled.
 * agent-offers:  we offer (controlling) and nominate; Chrome answers, controlled.
 * --lite-server: our agent is an ICE-lite agent on an IceServer's shared port (always controlled,
 *                `a=ice-lite` in our description): Chrome controls and nominates in both directions.
 *
 * Prints exactly one JSON line (PeerResult) on stdout; diagnostics go to stderr.
 * Exit code 0 when the line was printed, whatever the outcome inside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as dgram from 'node:dgram';
import { IceAgent } from '../../../lib/ice-agent.js';
import { IceServer } from '../../../lib/server/index.js';
import type { UdpEndpoint } from '../../../lib/net/udp-socket.js';
import type { RelayInfo } from '../../../lib/relay/types.js';
import { PASS, startCoturn, USER, type Coturn } from '../../support/coturn.js';
import { udpEndpointFactory, type EndpointFactory } from '../../../lib/net/datagram-endpoint.js';
import type { TransportAddress } from '../../../lib/stun/types.js';
import type { IceState } from '../../../lib/ice/ice-state.js';
import { CdpPipe } from './cdp-pipe.js';
import { buildDataChannelSdp, parseMediaIce } from './sdp.js';

export type Direction = 'chrome-offers' | 'agent-offers';

/** The flags Chromium runs with; see chrome.test.ts for which ones matter and why. */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox', // we are root; the setuid/namespace sandbox refuses to start as root
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns', // plain 127.0.0.1 host candidate instead of <uuid>.local
  '--allow-loopback-in-peer-connection', // libwebrtc ignores loopback interfaces otherwise
];

/** With --media-permission: a fake microphone and an auto-accepted permission prompt. */
export const MEDIA_PERMISSION_FLAGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

export interface ChromeStats {
  readonly iceConnectionState: string;
  readonly iceStates: readonly { state: string; at: number }[];
  readonly pairId?: string;
  readonly pairState?: string;
  readonly nominated?: boolean;
  readonly selected: boolean;
  readonly currentRoundTripTime?: number;
  readonly totalRoundTripTime?: number;
  readonly requestsSent?: number;
  readonly requestsReceived?: number;
  readonly responsesSent?: number;
  readonly responsesReceived?: number;
  readonly consentRequestsSent?: number;
  readonly localCandidate?: { type: string; address: string; port: number; protocol: string };
  readonly remoteCandidate?: { type: string; address: string; port: number; protocol: string };
  readonly pairCount: number;
  readonly dtlsState?: string;
  readonly iceRole?: string;
}

export interface StunTap {
  requestsIn: number;
  successIn: number;
  errorsIn: number;
  requestsOut: number;
  successOut: number;
  errorsOut: number;
  /** Attribute types of the first request Chrome sent, in order (hex). */
  firstRequestAttributes: string[];
  /** Distinct GOOG-NETWORK-INFO (0xC057) values seen, hex. */
  googNetworkInfo: string[];
  useCandidateIn: number;
  useCandidateOut: number;
  firstRequestInAt?: number;
  firstUseCandidateInAt?: number;
  firstRequestOutAt?: number;
  firstSuccessInAt?: number;
  peerRoleAttribute?: 'ICE-CONTROLLING' | 'ICE-CONTROLLED';
  nonStunIn: number;
  firstNonStunIn?: { at: number; firstByte: number; length: number };
}

export interface PeerResult {
  readonly direction: Direction;
  readonly mediaPermission: boolean;
  readonly liteServer: boolean;
  /** With --turn: coturn's relay ports, and what our agent's allocation became. */
  readonly turn?: { readonly relayPorts: { readonly min: number; readonly max: number }; readonly ours: readonly RelayInfo[] };
  readonly ok: boolean;
  readonly error?: string;
  readonly chromeVersion?: string;
  /** Epoch ms when both sides had all signalling (our timeline zero). */
  readonly t0?: number;
  readonly chromeOfferOrAnswer?: { gatheringComplete: boolean; ufrag: string; pwdLength: number; mid: string; setup?: string; candidates: readonly string[] };
  readonly ourCandidates: readonly string[];
  readonly agent: {
    readonly role: string;
    readonly states: readonly { state: IceState; at: number; reason: string }[];
    readonly connectedMs?: number;
    readonly completedMs?: number;
    readonly selected?: { local: string; localType: string; remote: string; remoteType: string; nominated: boolean; rttMs?: number; state: string };
    readonly selectedChanges: number;
    readonly pairs: readonly { local: string; remote: string; remoteType: string; state: string; nominated: boolean; rttMs?: number }[];
    readonly drops: Record<string, number>;
    readonly dataPackets: number;
    readonly firstData?: { at: number; component: number; firstByte: number; length: number; from: string };
    readonly warnings: readonly string[];
  };
  readonly chrome?: ChromeStats & { connectedMs?: number };
  readonly stun: StunTap;
  readonly chromeStderrTail?: readonly string[];
  readonly wallMs: number;
}

/** How long Chrome may gather before we take its description as it is. */
const GATHER_WAIT_MS = 5000;

const now = (): number => performance.timeOrigin + performance.now();
const round = (n: number): number => Math.round(n * 10) / 10;
const addr = (a: TransportAddress | { address: string; port: number }): string => `${a.address}:${a.port}`;

// ---- a passive tap on our agent's sockets: counts STUN by kind and notes Chrome's attributes ----

const MAGIC = 0x2112a442;

function newTap(): StunTap {
  return {
    requestsIn: 0, successIn: 0, errorsIn: 0, requestsOut: 0, successOut: 0, errorsOut: 0,
    firstRequestAttributes: [], googNetworkInfo: [], useCandidateIn: 0, useCandidateOut: 0, nonStunIn: 0,
  };
}

function stunAttributes(b: Buffer): { type: number; value: Buffer }[] {
  const out: { type: number; value: Buffer }[] = [];
  const end = Math.min(b.length, 20 + b.readUInt16BE(2));
  for (let o = 20; o + 4 <= end; ) {
    const type = b.readUInt16BE(o);
    const len = b.readUInt16BE(o + 2);
    out.push({ type, value: b.subarray(o + 4, Math.min(end, o + 4 + len)) });
    o += 4 + ((len + 3) & ~3);
  }
  return out;
}

function observe(tap: StunTap, dir: 'in' | 'out', data: Buffer): void {
  const isStun = data.length >= 20 && (data[0]! & 0xc0) === 0 && data.readUInt32BE(4) === MAGIC;
  const at = now();
  if (!isStun) {
    if (dir === 'in') {
      tap.nonStunIn++;
      tap.firstNonStunIn ??= { at, firstByte: data[0] ?? -1, length: data.length };
    }
    return;
  }
  const type = data.readUInt16BE(0);
  const attrs = stunAttributes(data);
  const useCandidate = attrs.some((a) => a.type === 0x0025);
  if (type === 0x0001) {
    if (dir === 'in') {
      tap.requestsIn++;
      tap.firstRequestInAt ??= at;
      if (tap.firstRequestAttributes.length === 0) tap.firstRequestAttributes = attrs.map((a) => `0x${a.type.toString(16).padStart(4, '0')}`);
      for (const a of attrs) {
        if (a.type === 0xc057) {
          const v = a.value.toString('hex');
          if (!tap.googNetworkInfo.includes(v)) tap.googNetworkInfo.push(v);
        }
        if (a.type === 0x802a) tap.peerRoleAttribute = 'ICE-CONTROLLING';
        if (a.type === 0x8029) tap.peerRoleAttribute = 'ICE-CONTROLLED';
      }
      if (useCandidate) {
        tap.useCandidateIn++;
        tap.firstUseCandidateInAt ??= at;
      }
    } else {
      tap.requestsOut++;
      tap.firstRequestOutAt ??= at;
      if (useCandidate) tap.useCandidateOut++;
    }
  } else if (type === 0x0101) {
    if (dir === 'in') {
      tap.successIn++;
      tap.firstSuccessInAt ??= at;
    } else tap.successOut++;
  } else if (type === 0x0111) {
    if (dir === 'in') tap.errorsIn++;
    else tap.errorsOut++;
  }
}

function tappedFactory(tap: StunTap): EndpointFactory {
  return async (address, handlers, range) => {
    const ep = await udpEndpointFactory(
      address,
      {
        onMessage: (data, from) => {
          observe(tap, 'in', data);
          handlers.onMessage(data, from);
        },
        ...(handlers.onError !== undefined && { onError: handlers.onError }),
      },
      range,
    );
    return {
      local: ep.local,
      send: (to, data, header) => {
        observe(tap, 'out', data);
        ep.send(to, data, header);
      },
      close: () => ep.close(),
    };
  };
}

/**
 * The same tap on an IceServer's shared port. Test-only: the server's sockets are not injectable,
 * so the tap reaches into them (a listener before the server's, and a wrapped send).
 */
function tapServer(server: IceServer, tap: StunTap): void {
  const ep = (server as unknown as { sockets: readonly { endpoint: UdpEndpoint }[] }).sockets[0]!.endpoint;
  (ep as unknown as { socket: dgram.Socket }).socket.prependListener('message', (data: Buffer) => observe(tap, 'in', data));
  const send = ep.send.bind(ep);
  ep.send = (to, data, header) => {
    observe(tap, 'out', data);
    send(to, data, header);
  };
}

// ---- the page side --------------------------------------------------------------------

/** Installed once in the page: helpers the exchange calls by name. */
const PAGE_HELPERS = String.raw`
(() => {
  const now = () => performance.timeOrigin + performance.now();
  window.__iceStates = [];
  window.__makePc = () => {
    const pc = new RTCPeerConnection(window.__pcConfig || { iceServers: [] });
    pc.addEventListener('iceconnectionstatechange', () => window.__iceStates.push({ state: pc.iceConnectionState, at: now() }));
    window.__pc = pc;
    return pc;
  };
  // Resolves true when gathering completes, false after ms (the SDP then has what was gathered so far).
  window.__gathered = (pc, ms) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(true); } });
  });
  window.__waitIce = (states, ms) => new Promise((resolve) => {
    const pc = window.__pc;
    if (states.includes(pc.iceConnectionState)) return resolve(pc.iceConnectionState);
    const t = setTimeout(() => resolve('timeout:' + pc.iceConnectionState), ms);
    pc.addEventListener('iceconnectionstatechange', () => {
      if (states.includes(pc.iceConnectionState)) { clearTimeout(t); resolve(pc.iceConnectionState); }
    });
  });
  window.__stats = async () => {
    const pc = window.__pc;
    const report = await pc.getStats();
    let transport;
    const pairs = [];
    const cands = new Map();
    report.forEach((r) => {
      if (r.type === 'transport') transport = r;
      else if (r.type === 'candidate-pair') pairs.push(r);
      else if (r.type === 'local-candidate' || r.type === 'remote-candidate') cands.set(r.id, r);
    });
    const selectedId = transport && transport.selectedCandidatePairId;
    const p = pairs.find((x) => x.id === selectedId) || pairs.find((x) => x.nominated && x.state === 'succeeded');
    const cand = (id) => {
      const c = cands.get(id);
      return c && { type: c.candidateType, address: c.address, port: c.port, protocol: c.protocol };
    };
    const out = { iceConnectionState: pc.iceConnectionState, iceStates: window.__iceStates, pairCount: pairs.length,
      selected: !!p && p.id === selectedId, dtlsState: transport && transport.dtlsState, iceRole: transport && transport.iceRole };
    if (p) Object.assign(out, {
      pairId: p.id, pairState: p.state, nominated: p.nominated, currentRoundTripTime: p.currentRoundTripTime,
      totalRoundTripTime: p.totalRoundTripTime, requestsSent: p.requestsSent, requestsReceived: p.requestsReceived,
      responsesSent: p.responsesSent, responsesReceived: p.responsesReceived, consentRequestsSent: p.consentRequestsSent,
      localCandidate: cand(p.localCandidateId), remoteCandidate: cand(p.remoteCandidateId),
    });
    return out;
  };
  return true;
})()`;

// ---- the exchange ---------------------------------------------------------------------

interface Options {
  direction: Direction;
  profile: string | undefined;
  chromium: string;
  timeoutMs: number;
  trace: boolean;
  /** Extra Chromium flags (experiments), and default flags to leave out. */
  extraFlags: string[];
  dropFlags: string[];
  /**
   * Grant media permission first (getUserMedia with Chromium's fake device and auto-accepted
   * prompt, on an http://127.0.0.1 page: a secure context). Only then does Chrome enumerate
   * interfaces and signal a plain `127.0.0.1` host candidate; without it its SDP has no
   * candidates at all and it checks from a wildcard-bound socket (peer-reflexive for us).
   */
  mediaPermission: boolean;
  /** Our agent is ICE-lite on an IceServer (lib/server) instead of a stand-alone full agent. */
  liteServer: boolean;
  /**
   * Relay only: a coturn on 127.0.0.1 in this namespace; Chrome gets it with iceTransportPolicy
   * 'relay', our agent too, so every packet goes through the relay.
   */
  turn: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { direction: 'chrome-offers', profile: undefined, chromium: process.env['CHROMIUM'] ?? '/usr/bin/chromium', timeoutMs: 15_000, trace: false, extraFlags: [], dropFlags: [], mediaPermission: false, liteServer: false, turn: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--direction' && (v === 'chrome-offers' || v === 'agent-offers')) { o.direction = v; i++; }
    else if (a === '--profile' && v !== undefined) { o.profile = v; i++; }
    else if (a === '--chromium' && v !== undefined) { o.chromium = v; i++; }
    else if (a === '--timeout' && v !== undefined) { o.timeoutMs = Number(v); i++; }
    else if (a === '--trace') o.trace = true;
    else if (a === '--media-permission') o.mediaPermission = true;
    else if (a === '--lite-server') o.liteServer = true;
    else if (a === '--turn') o.turn = true;
    else if (a === '--flag' && v !== undefined) { o.extraFlags.push(v); i++; }
    else if (a === '--drop-flag' && v !== undefined) { o.dropFlags.push(v); i++; }
    else throw new Error(`bad argument ${a}`);
  }
  return o;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

export async function runExchange(o: Options): Promise<PeerResult> {
  const started = now();
  const tap = newTap();
  const ourCandidates: string[] = [];
  const states: { state: IceState; at: number; reason: string }[] = [];
  const warnings: string[] = [];
  let selectedChanges = 0;
  let dataPackets = 0;
  let firstData: PeerResult['agent']['firstData'];
  let resolveHello: () => void = () => undefined;
  const clientHello = new Promise<void>((r) => { resolveHello = r; });
  const trace = (msg: string, fields?: Record<string, unknown>): void => {
    if (o.trace) process.stderr.write(`[${round(now() - started)}] ${msg}${fields ? ' ' + JSON.stringify(fields, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : ''}\n`);
  };

  const logger = { debug: trace, info: trace, warn: trace };
  const server = o.liteServer ? await IceServer.listen({ address: '127.0.0.1' }) : undefined;
  if (server) tapServer(server, tap);
  const coturn: Coturn | undefined = o.turn ? await startCoturn({ auth: 'static' }) : undefined;
  const turnUrl = coturn && `turn:127.0.0.1:${coturn.port}?transport=udp`;
  const agent = server ? server.createAgent({ lite: true, logger }) : new IceAgent({
    addresses: ['127.0.0.1'],
    role: o.direction === 'chrome-offers' ? 'controlled' : 'controlling',
    endpointFactory: tappedFactory(tap),
    logger,
    ...(turnUrl !== undefined && { iceServers: [{ urls: turnUrl, username: USER, credential: PASS }], iceTransportPolicy: 'relay' as const }),
  });
  agent.on('candidate', (_c, line) => ourCandidates.push(line));
  agent.on('statechange', (state, _prev, reason) => { states.push({ state, at: now(), reason }); trace(`agent ${state}`, { reason }); });
  agent.on('selectedpairchange', (component, pair) => { selectedChanges++; trace('selected', { component, local: addr(pair.local), remote: addr(pair.remote) }); });
  agent.on('warning', (w) => warnings.push(`${w.code}: ${w.message}`));
  agent.on('data', (component, data, from) => {
    dataPackets++;
    firstData ??= { at: now(), component, firstByte: data[0] ?? -1, length: data.length, from: addr(from) };
    if (component === 1 && data[0] === 22) resolveHello();
  });

  let cdp: CdpPipe | undefined;
  let ownProfile: string | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    try { if (cdp?.child.pid !== undefined) process.kill(cdp.child.pid, 'SIGKILL'); } catch { /* gone */ }
    if (ownProfile !== undefined) rmSync(ownProfile, { recursive: true, force: true });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let session: string | undefined;
  let httpServer: Server | undefined;
  let chromeVersion: string | undefined;
  let chromeSdp: ReturnType<typeof parseMediaIce> | undefined;
  let t0: number | undefined;
  let chromeGatheringComplete: boolean | undefined;
  let chrome: PeerResult['chrome'];
  let error: string | undefined;
  try {
    const profile = o.profile ?? (ownProfile = mkdtempSync(join(tmpdir(), `ice-chrome-${process.pid}-`)));
    const flags = [...CHROMIUM_FLAGS.filter((f) => !o.dropFlags.includes(f)), ...(o.mediaPermission ? MEDIA_PERMISSION_FLAGS : []), ...o.extraFlags];
    trace('chromium flags', { flags });
    cdp = CdpPipe.launch(o.chromium, [...flags, `--user-data-dir=${profile}`, 'about:blank']);
    const version = await cdp.send('Browser.getVersion');
    chromeVersion = String(version['product']);
    session = await cdp.attachToPage();
    await cdp.evaluate(session, PAGE_HELPERS);
    trace('chromium ready', { chromeVersion });
    const pcConfig = turnUrl === undefined ? undefined : { iceServers: [{ urls: turnUrl, username: USER, credential: PASS }], iceTransportPolicy: 'relay' };
    if (o.mediaPermission) {
      // getUserMedia needs a secure context: http://127.0.0.1 is one, about:blank is not.
      const server = createServer((_req, res) => res.end('<!doctype html><title>ice</title>'));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      httpServer = server;
      const { port } = server.address() as AddressInfo;
      await cdp.send('Page.enable', {}, session);
      await cdp.send('Page.navigate', { url: `http://127.0.0.1:${port}/` }, session);
      for (let i = 0; i < 100 && (await cdp.evaluate<string>(session, 'document.readyState')) !== 'complete'; i++) await new Promise((r) => setTimeout(r, 50));
      await cdp.evaluate(session, PAGE_HELPERS);
      await cdp.evaluate(session, 'navigator.mediaDevices.getUserMedia({ audio: true }).then((s) => (window.__stream = s, true))');
    }

    const gathered = agent.gather();
    if (o.direction === 'chrome-offers') {
      const { sdp: offer, complete } = await cdp.evaluate<{ sdp: string; complete: boolean }>(session, `(async () => {
        window.__pcConfig = ${JSON.stringify(pcConfig ?? null)};
        const pc = window.__makePc();
        pc.createDataChannel('probe');
        await pc.setLocalDescription(await pc.createOffer());
        const complete = await window.__gathered(pc, ${GATHER_WAIT_MS});
        return { sdp: pc.localDescription.sdp, complete };
      })()`);
      chromeGatheringComplete = complete;
      trace('chrome offer', { offer, complete });
      chromeSdp = parseMediaIce(offer);
      await gathered;
      agent.setRemoteParameters({ ufrag: chromeSdp.ufrag, pwd: chromeSdp.pwd });
      for (const c of chromeSdp.candidates) agent.addRemoteCandidate(c);
      agent.addRemoteCandidate(null);
      const answer = buildDataChannelSdp({ ...agent.localParameters, mid: chromeSdp.mid, setup: 'passive', candidates: ourCandidates, lite: o.liteServer });
      trace('our answer', { answer });
      // Times are measured from the moment both sides hold the other's parameters.
      t0 = now();
      await cdp.evaluate(session, `window.__pc.setRemoteDescription({ type: 'answer', sdp: ${JSON.stringify(answer)} }).then(() => true)`);
    } else {
      await gathered;
      const offer = buildDataChannelSdp({ ...agent.localParameters, mid: '0', setup: 'actpass', candidates: ourCandidates, lite: o.liteServer });
      trace('our offer', { offer });
      const { sdp: answer, complete } = await cdp.evaluate<{ sdp: string; complete: boolean }>(session, `(async () => {
        window.__pcConfig = ${JSON.stringify(pcConfig ?? null)};
        const pc = window.__makePc();
        await pc.setRemoteDescription({ type: 'offer', sdp: ${JSON.stringify(offer)} });
        await pc.setLocalDescription(await pc.createAnswer());
        const complete = await window.__gathered(pc, ${GATHER_WAIT_MS});
        return { sdp: pc.localDescription.sdp, complete };
      })()`);
      chromeGatheringComplete = complete;
      trace('chrome answer', { answer, complete });
      chromeSdp = parseMediaIce(answer);
      agent.setRemoteParameters({ ufrag: chromeSdp.ufrag, pwd: chromeSdp.pwd });
      for (const c of chromeSdp.candidates) agent.addRemoteCandidate(c);
      agent.addRemoteCandidate(null);
      t0 = now();
    }

    const chromeIce = cdp.evaluate<string>(session, `window.__waitIce(['connected', 'completed'], ${o.timeoutMs})`, o.timeoutMs + 5000);
    const ourConnected = agent.waitFor(['connected', 'completed'], o.timeoutMs);
    const [chromeState] = await Promise.all([chromeIce, ourConnected]);
    if (!['connected', 'completed'].includes(chromeState)) throw new Error(`chrome ICE ${chromeState}`);
    await agent.waitFor(['completed'], o.timeoutMs);
    await withTimeout(clientHello, o.timeoutMs, 'DTLS ClientHello from Chrome');
    chrome = await cdp.evaluate<ChromeStats>(session, 'window.__stats()');
    // On the controlled side Chrome marks the pair nominated, and its own check on a peer-reflexive
    // pair succeeded, a little after it reports connected: give it a moment.
    const settled = (c: ChromeStats): boolean => c.nominated === true && c.pairState === 'succeeded' && (c.responsesReceived ?? 0) >= 1;
    for (let i = 0; i < 40 && !settled(chrome); i++) {
      await new Promise((r) => setTimeout(r, 100));
      chrome = await cdp.evaluate<ChromeStats>(session, 'window.__stats()');
    }
    // Relayed: the selected pair's channel is bound right after the selection (give it a moment).
    for (let i = 0; coturn && i < 40 && agent.relays[0]?.channels !== 1; i++) await new Promise((r) => setTimeout(r, 50));
  } catch (err) {
    error = (err as Error).message;
    if (cdp && session !== undefined && chrome === undefined) {
      try {
        chrome = await cdp.evaluate<ChromeStats>(session, 'window.__pc ? window.__stats() : null');
      } catch { /* chromium is gone */ }
    }
  }

  const chromeConnectedAt = chrome?.iceStates.find((s) => s.state === 'connected' || s.state === 'completed')?.at;
  const rel = (at: number | undefined): number | undefined => (at === undefined || t0 === undefined ? undefined : round(at - t0));
  const sel = agent.getSelectedPair(1);
  const pairs = agent.getPairs().map((p) => ({
    local: addr(p.local), remote: addr(p.remote), remoteType: p.remote.type, state: p.state, nominated: p.nominated,
    ...(p.rttMs !== undefined && { rttMs: round(p.rttMs) }),
  }));
  const result: PeerResult = {
    direction: o.direction,
    mediaPermission: o.mediaPermission,
    liteServer: o.liteServer,
    ...(coturn && { turn: { relayPorts: coturn.relayPorts, ours: agent.relays } }),
    ok: error === undefined,
    ...(error !== undefined && { error }),
    ...(chromeVersion !== undefined && { chromeVersion }),
    ...(t0 !== undefined && { t0 }),
    ...(chromeSdp !== undefined && {
      chromeOfferOrAnswer: {
        gatheringComplete: chromeGatheringComplete === true,
        ufrag: chromeSdp.ufrag, pwdLength: chromeSdp.pwd.length, mid: chromeSdp.mid,
        ...(chromeSdp.setup !== undefined && { setup: chromeSdp.setup }), candidates: chromeSdp.candidates,
      },
    }),
    ourCandidates,
    agent: {
      role: agent.role,
      states: states.map((s) => ({ ...s, at: rel(s.at) ?? round(s.at - started) })),
      ...(rel(states.find((s) => s.state === 'connected')?.at) !== undefined && { connectedMs: rel(states.find((s) => s.state === 'connected')?.at)! }),
      ...(rel(states.find((s) => s.state === 'completed')?.at) !== undefined && { completedMs: rel(states.find((s) => s.state === 'completed')?.at)! }),
      ...(sel !== undefined && {
        selected: {
          local: addr(sel.local), localType: sel.local.type, remote: addr(sel.remote), remoteType: sel.remote.type, nominated: sel.nominated, state: sel.state,
          ...(sel.rttMs !== undefined && { rttMs: round(sel.rttMs) }),
        },
      }),
      selectedChanges,
      pairs,
      drops: { ...agent.drops },
      dataPackets,
      ...(firstData !== undefined && { firstData: { ...firstData, at: rel(firstData.at) ?? firstData.at } }),
      warnings,
    },
    ...(chrome != null && {
      chrome: {
        ...chrome,
        iceStates: chrome.iceStates.map((s) => ({ state: s.state, at: rel(s.at) ?? s.at })),
        ...(rel(chromeConnectedAt) !== undefined && { connectedMs: rel(chromeConnectedAt)! }),
      },
    }),
    stun: {
      ...tap,
      ...(tap.firstRequestInAt !== undefined && { firstRequestInAt: rel(tap.firstRequestInAt)! }),
      ...(tap.firstUseCandidateInAt !== undefined && { firstUseCandidateInAt: rel(tap.firstUseCandidateInAt)! }),
      ...(tap.firstRequestOutAt !== undefined && { firstRequestOutAt: rel(tap.firstRequestOutAt)! }),
      ...(tap.firstSuccessInAt !== undefined && { firstSuccessInAt: rel(tap.firstSuccessInAt)! }),
      ...(tap.firstNonStunIn !== undefined && { firstNonStunIn: { ...tap.firstNonStunIn, at: rel(tap.firstNonStunIn.at)! } }),
    },
    ...(error !== undefined && cdp !== undefined && { chromeStderrTail: cdp.stderrTail.slice(-10) }),
    wallMs: round(now() - started),
  };

  await agent.close();
  await server?.close();
  if (o.trace && coturn) process.stderr.write(`--- coturn log ---\n${coturn.log()}\n`);
  await coturn?.stop();
  httpServer?.close();
  await cdp?.close().catch(() => undefined);
  if (ownProfile !== undefined) rmSync(ownProfile, { recursive: true, force: true });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return result;
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const o = parseArgs(process.argv.slice(2));
  runExchange(o).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (err: Error) => {
      process.stderr.write(`chrome-peer: ${err.stack ?? err.message}\n`);
      process.exit(2);
    },
  );
}
