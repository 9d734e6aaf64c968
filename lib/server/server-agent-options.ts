import type { IceAgentOptions } from '../ice-agent-types.js';
import { IceError } from '../util/errors.js';

/** What a server's port and timer decide for its agents: not options of a server agent. */
const SERVER_OWNED = [
  'stunServers', 'portRange', 'endpointFactory', 'interfaceSource', 'lookup', 'scheduler',
  'interfaces', 'addresses', 'ipv4', 'ipv6', 'includeLoopback', 'includeLinkLocal', 'filter',
] as const;

/** IceAgent options for an agent on an IceServer: the agent's own, not its sockets' (those are the server's). */
export type ServerAgentOptions = Omit<IceAgentOptions, (typeof SERVER_OWNED)[number]>;

/**
 * Rejects options that belong to the server (sockets, addresses, clock, STUN servers: a server
 * agent's candidates are the server's addresses, an `announcedAddress` for a 1:1 NAT) and more
 * components than the server has sockets for. The rest is checked by IceAgent itself.
 */
export function checkServerAgentOptions(options: unknown, serverComponents: number): ServerAgentOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new IceError('ERR_INVALID_ARGUMENT', `IceServer.createAgent options: expected an object, got ${String(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of SERVER_OWNED) {
    if (o[key] !== undefined) {
      throw new IceError('ERR_INVALID_ARGUMENT', `IceServer.createAgent option ${key}: a server agent uses the server's sockets, addresses and clock (set them on the IceServer; announcedAddress for a 1:1 NAT)`);
    }
  }
  const components = o['components'];
  if (typeof components === 'number' && components > serverComponents) {
    throw new IceError('ERR_INVALID_ARGUMENT', `IceServer.createAgent option components: ${components}, but the server has sockets for ${serverComponents} (its components option)`);
  }
  return options as ServerAgentOptions;
}
