/**
 * Builds and tears down a small "internet" in Linux network namespaces:
 *
 *   hostA (100.64.1.2) -- routerA [lan 100.64.1.1 | wan 198.18.0.2] --+
 *                                                                       br0 in pub (198.18.0.1, STUN server)
 *   hostB (100.64.2.2) -- routerB [lan 100.64.2.1 | wan 198.18.0.3] --+
 *
 * Every namespace is named `ice<pid>-<set>-<role>` so that stale sets from a
 * crashed run can be recognised (their pid is gone) and removed. veth pairs are
 * created directly inside the namespaces: nothing is added to the root
 * namespace, and deleting the namespaces deletes every interface. The public
 * namespace has no route out: blackhole routes silently DROP anything it cannot
 * deliver (no ICMP), including the private 100.64.0.0/10 of NATed sites.
 *
 * NAT behaviours (RFC 4787 terms), built with iptables (nf_tables backend) in a router:
 *   none             routed, no translation: pub gets a route to the site.
 *   port-restricted  MASQUERADE: endpoint-independent mapping (Linux keeps the
 *                    source port), address-and-port-dependent filtering (conntrack).
 *   address-restricted
 *                    MASQUERADE + xt_recent: every destination address a LAN
 *                    host sent to is remembered; a NEW inbound UDP flow from a
 *                    remembered address is DNATed to the host at the same port
 *                    (= its mapping, since MASQUERADE preserved it): endpoint-
 *                    independent mapping, address-dependent filtering.
 *   full-cone        MASQUERADE + DNAT of every NEW inbound UDP flow to the host
 *                    at the same port: endpoint-independent mapping and filtering.
 *   symmetric        MASQUERADE --random: a new random port for every new flow
 *                    (address-and-port-dependent mapping and filtering).
 * Routers drop anything addressed to themselves on the WAN side (no ICMP port
 * unreachable), like home routers. `lossPercent` drops that share of the
 * forwarded packets in each direction (iptables statistic; the kernel has no netem).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type NatKind = 'none' | 'port-restricted' | 'address-restricted' | 'full-cone' | 'symmetric';

export interface SiteSpec {
  readonly nat: NatKind;
  readonly lossPercent?: number;
}

export interface Topology {
  readonly prefix: string;
  readonly pub: string;
  readonly stunAddress: string;
  readonly hostA: { readonly ns: string; readonly address: string };
  readonly hostB: { readonly ns: string; readonly address: string };
  readonly namespaces: readonly string[];
}

export const PUBLIC_NET = '198.18.0';
export const NS_PREFIX = 'ice';

/** Why the system tests cannot run here, or undefined if they can. */
export function systemSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (run as root)';
  for (const [cmd, args] of [['ip', ['netns', 'list']], ['iptables', ['--version']]] as const) {
    try {
      execFileSync(cmd, args, { stdio: 'pipe' });
    } catch (err) {
      return `\`${cmd} ${args.join(' ')}\` is unavailable: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  // Creating a namespace is the real test (containers without CAP_SYS_ADMIN fail here).
  const probe = `${NS_PREFIX}${process.pid}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'nat', '-L'], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create a network namespace with iptables nat: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    try { execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' }); } catch { /* it was never made */ }
  }
  return undefined;
}

function listNamespaces(): string[] {
  try {
    return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n !== '');
  } catch {
    return [];
  }
}

/** Whether a process still exists (EPERM: it does, but is not ours). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills what runs inside a namespace (by pid) and deletes it. Synchronous: safe in signal handlers. */
export function destroyNamespace(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const p of pids.split('\n').map(Number).filter((n) => n > 0)) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
  } catch { /* no such namespace */ }
  try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** Removes namespace sets left by earlier runs whose process no longer exists. */
export function preCleanStale(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = /^ice(\d+)-/.exec(ns);
    if (!m || (Number(m[1]) !== process.pid && alive(Number(m[1])))) continue;
    destroyNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

/** Removes every namespace of this process (all sets), or only those with `prefix`. */
export function destroyAll(prefix = `${NS_PREFIX}${process.pid}-`): void {
  for (const ns of listNamespaces()) if (ns.startsWith(prefix)) destroyNamespace(ns);
}

async function sh(...args: string[]): Promise<void> {
  try {
    await run(args[0]!, args.slice(1));
  } catch (err) {
    throw new Error(`${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
}

const nsExec = (ns: string, ...args: string[]): Promise<void> => sh('ip', 'netns', 'exec', ns, ...args);
const ipt = (ns: string, ...args: string[]): Promise<void> => nsExec(ns, 'iptables', '-w', ...args);

async function configureNat(router: string, site: number, spec: SiteSpec): Promise<void> {
  const host = `100.64.${site}.2`;
  switch (spec.nat) {
    case 'none':
      break;
    case 'port-restricted':
      await ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE');
      break;
    case 'symmetric':
      await ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', '--random');
      break;
    case 'full-cone':
      await ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE');
      await ipt(router, '-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'udp', '-j', 'DNAT', '--to-destination', host);
      break;
    case 'address-restricted':
      await ipt(router, '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE');
      await ipt(router, '-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-m', 'recent', '--name', 'contacted', '--rdest', '--set');
      await ipt(router, '-t', 'nat', '-A', 'PREROUTING', '-i', 'wan', '-p', 'udp', '-m', 'recent', '--name', 'contacted', '--rsource', '--rcheck', '--seconds', '120', '-j', 'DNAT', '--to-destination', host);
      break;
  }
  // Nothing on the router itself answers from the WAN side: drop, never reject.
  await ipt(router, '-A', 'INPUT', '-i', 'wan', '-j', 'DROP');
  const loss = spec.lossPercent ?? 0;
  if (loss > 0) {
    // Inserted first so loss applies before the recent-table bookkeeping; once per direction.
    for (const [i, o] of [['lan', 'wan'], ['wan', 'lan']] as const) {
      await ipt(router, '-I', 'FORWARD', '1', '-i', i, '-o', o, '-m', 'statistic', '--mode', 'random', '--probability', String(loss / 100), '-j', 'DROP');
    }
  }
}

/** Builds one independent set (own pub, routers, hosts). `set` distinguishes parallel sets. */
export async function createTopology(set: string, a: SiteSpec, b: SiteSpec): Promise<Topology> {
  const prefix = `${NS_PREFIX}${process.pid}-${set}`;
  const pub = `${prefix}-pub`;
  const names = { pub, ra: `${prefix}-ra`, rb: `${prefix}-rb`, ha: `${prefix}-ha`, hb: `${prefix}-hb` };
  const namespaces = Object.values(names);
  try {
    for (const ns of namespaces) {
      await sh('ip', 'netns', 'add', ns);
      await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    }
    await sh('ip', '-n', pub, 'link', 'add', 'br0', 'type', 'bridge');
    await sh('ip', '-n', pub, 'addr', 'add', `${PUBLIC_NET}.1/24`, 'dev', 'br0');
    await sh('ip', '-n', pub, 'link', 'set', 'br0', 'up');
    await nsExec(pub, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0', 'net.ipv4.conf.default.send_redirects=0', 'net.ipv4.conf.br0.send_redirects=0');
    // Unroutable destinations are silently dropped (blackhole: no ICMP back).
    await sh('ip', '-n', pub, 'route', 'add', 'blackhole', '100.64.0.0/10');
    await sh('ip', '-n', pub, 'route', 'add', 'blackhole', 'default');
    const sites = [
      { n: 1, spec: a, router: names.ra, host: names.ha },
      { n: 2, spec: b, router: names.rb, host: names.hb },
    ];
    for (const s of sites) {
      const wan = `${PUBLIC_NET}.${s.n + 1}`;
      await sh('ip', '-n', s.router, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', `r${s.n}`, 'netns', pub);
      await sh('ip', '-n', pub, 'link', 'set', `r${s.n}`, 'master', 'br0', 'up');
      await sh('ip', '-n', s.router, 'addr', 'add', `${wan}/24`, 'dev', 'wan');
      await sh('ip', '-n', s.router, 'link', 'set', 'wan', 'up');
      await sh('ip', '-n', s.router, 'link', 'add', 'lan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', s.host);
      await sh('ip', '-n', s.router, 'addr', 'add', `100.64.${s.n}.1/24`, 'dev', 'lan');
      await sh('ip', '-n', s.router, 'link', 'set', 'lan', 'up');
      await sh('ip', '-n', s.router, 'route', 'add', 'default', 'via', `${PUBLIC_NET}.1`);
      await nsExec(s.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=0');
      await sh('ip', '-n', s.host, 'addr', 'add', `100.64.${s.n}.2/24`, 'dev', 'eth0');
      await sh('ip', '-n', s.host, 'link', 'set', 'eth0', 'up');
      await sh('ip', '-n', s.host, 'route', 'add', 'default', 'via', `100.64.${s.n}.1`);
      if (s.spec.nat === 'none') await sh('ip', '-n', pub, 'route', 'add', `100.64.${s.n}.0/24`, 'via', wan);
      await configureNat(s.router, s.n, s.spec);
    }
  } catch (err) {
    for (const ns of namespaces) destroyNamespace(ns);
    throw err;
  }
  return {
    prefix,
    pub,
    stunAddress: `${PUBLIC_NET}.1`,
    hostA: { ns: names.ha, address: '100.64.1.2' },
    hostB: { ns: names.hb, address: '100.64.2.2' },
    namespaces,
  };
}

export function destroyTopology(t: Topology): void {
  for (const ns of t.namespaces) destroyNamespace(ns);
}

/** Waits until a UDP port is bound in a namespace (the STUN server is up). */
export async function waitForUdpPort(ns: string, port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const { stdout } = await run('ip', ['netns', 'exec', ns, 'ss', '-Hnlu', `sport = :${port}`]);
      if (stdout.trim() !== '') return;
    } catch { /* ss not ready */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on udp ${port} in ${ns} after ${timeoutMs} ms`);
}
