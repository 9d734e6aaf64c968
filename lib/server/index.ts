// Server mode: many ICE agents (ICE-lite by default) on one UDP port, one timer; see README "Server mode".
export { IceServer, type IceServerEvents, type IceServerStats } from './ice-server.js';
export type { IceServerOptions } from './server-options.js';
export type { ServerAgentOptions } from './server-agent-options.js';
export { reusePortSupport, REUSE_PORT_WARNING } from './reuse-port.js';
export { workerUfrag, workerOf, MAX_WORKERS, DuplicateUfragError, type PeerAddress, type MuxStats, type PacerStats } from '../mux/index.js';
