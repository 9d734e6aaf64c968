import type { IceAgentCore } from '../ice/agent-core.js';
import type { HostBinding, SocketId } from '../ice/transport.js';
import { selectHostAddresses, type AddressFilterOptions, type HostAddress, type InterfaceSource } from '../net/interfaces.js';
import { IceError } from '../util/errors.js';
import type { AgentLoop } from './agent-loop.js';
import type { HostTransport } from './environment.js';
import { unboundAddresses, vanishedHosts } from './regather.js';

/**
 * `restart({ regather: true })`: the machine's addresses are enumerated again; sockets of vanished
 * addresses are retired (closed once no selected pair uses them), new addresses get sockets.
 */
export class Regatherer {
  /** Host sockets retired by re-gathering, until the transport released them. */
  private readonly retired = new Set<SocketId>();

  constructor(
    private readonly core: IceAgentCore,
    private readonly loop: AgentLoop,
    private readonly hosts: HostTransport,
    private readonly options: AddressFilterOptions & { readonly interfaceSource?: InterfaceSource },
    private readonly warn: (code: string, message: string) => void,
  ) {}

  /** Retires the hosts whose address is gone; their sockets close once no selected pair uses them. */
  retireVanished(now: number): void {
    if (!this.hosts.bindings) throw new IceError('ERR_UNSUPPORTED', 'this agent\'s sockets are lent by a server: it cannot re-gather');
    const { addresses } = selectHostAddresses(this.options, this.options.interfaceSource);
    this.retire(now, this.hosts.bindings(), addresses);
  }

  /** Binds the addresses that are new (undefined once the agent closed). */
  async bindNew(): Promise<HostBinding[] | undefined> {
    if (this.core.isClosed) return undefined;
    const { addresses, warnings } = selectHostAddresses(this.options, this.options.interfaceSource);
    for (const w of warnings) this.warn(w.code, w.message);
    let bound = this.hosts.bindings?.() ?? [];
    this.loop.run((now) => this.retire(now, bound, addresses));
    // A retired socket (closed once unused) does not count as bound: its address may be back.
    bound = bound.filter((b) => !this.retired.has(b.socket));
    for (const s of this.retired) if (!(this.hosts.bindings?.() ?? []).some((b) => b.socket === s)) this.retired.delete(s);
    return this.hosts.bind(unboundAddresses(bound, addresses), this.core.config.components);
  }

  private retire(now: number, bound: readonly HostBinding[], addresses: readonly HostAddress[]): void {
    for (const h of vanishedHosts(bound, addresses)) {
      this.retired.add(h.socket);
      this.core.retireHost(now, h.socket);
    }
  }
}
