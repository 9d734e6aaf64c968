/**
 * `iceServers` in the shape users know from RTCIceServer: `{ urls, username?, credential? }`,
 * `urls` a string or an array of `stun:`, `turn:` and `turns:` URIs (RFC 7064, RFC 7065).
 * STUN URLs join `stunServers`; TURN URLs become relay servers (resolved once, at gather()).
 */
import { isIP } from 'node:net';
import { resolveStunServer, type LookupFn } from './net/stun-server-spec.js';
import type { RelayServer } from './relay/types.js';
import { parseIceServerUri, type IceServerUri } from './turn/uri.js';
import { IceError } from './util/errors.js';

export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** One TURN URL with its credentials, before its host name is resolved. */
export interface TurnEntry {
  readonly uri: IceServerUri;
  readonly username: string;
  readonly credential: string;
}

export interface SplitServers {
  /** `host:port` specs for the STUN gatherer. */
  readonly stun: string[];
  readonly turn: TurnEntry[];
}

function urlsOf(s: IceServer): readonly string[] {
  return typeof s.urls === 'string' ? [s.urls] : s.urls;
}

/** Parses every URL (throws IceError ERR_INVALID_ARGUMENT naming the bad one) and sorts them by kind. */
export function splitIceServers(servers: readonly IceServer[]): SplitServers {
  const stun: string[] = [];
  const turn: TurnEntry[] = [];
  servers.forEach((s, i) => {
    for (const url of urlsOf(s)) {
      const where = `iceServers[${i}] '${url}'`;
      let uri: IceServerUri;
      try {
        uri = parseIceServerUri(url);
      } catch (err) {
        throw new IceError('ERR_INVALID_ARGUMENT', `iceServers[${i}]: ${(err as Error).message}`, { cause: err });
      }
      if (uri.scheme === 'stuns') throw new IceError('ERR_INVALID_ARGUMENT', `${where}: stuns: (STUN over TLS) is not supported`);
      if (uri.scheme === 'stun') {
        stun.push(uri.hostKind === 'ipv6' ? `[${uri.host}]:${uri.port}` : `${uri.host}:${uri.port}`);
        continue;
      }
      if (typeof s.username !== 'string' || typeof s.credential !== 'string') {
        throw new IceError('ERR_INVALID_ARGUMENT', `${where}: a TURN server needs a username and a credential`);
      }
      turn.push({ uri, username: s.username, credential: s.credential });
    }
  });
  return { stun, turn };
}

/** Resolves one TURN entry to an address (a name through `lookup`). */
export async function resolveTurnServer(e: TurnEntry, lookup?: LookupFn): Promise<RelayServer> {
  const address = await resolveStunServer({ host: e.uri.host, port: e.uri.port }, undefined, lookup);
  return {
    uri: e.uri.uri, address, transport: e.uri.transport, hostname: isIP(e.uri.host) === 0 ? e.uri.host : address.address,
    username: e.username, password: e.credential,
  };
}
