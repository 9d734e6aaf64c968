import type { Checks } from '../ice/checks.js';
import type { CoreContext } from '../ice/context.js';
import type { SocketId } from '../ice/transport.js';
import type { RelaySlot } from './relay-slot.js';
import type { RelayCommand, RelayEvent, RelayLayerOptions, Unwrapped } from './types.js';

/** What a slot (one allocation) gets from the layer that owns it. */
export interface SlotHost {
  readonly ctx: CoreContext;
  readonly checks: Checks;
  readonly options: RelayLayerOptions;
  /** A fresh socket id from the layer's range (client sockets and virtual ones alike). */
  newSocketId(): SocketId;
  /** Datagrams on `socket` (a client socket, or a relay candidate's virtual one) go to `slot`. */
  claim(socket: SocketId, slot: RelaySlot): void;
  unclaim(socket: SocketId): void;
  command(c: RelayCommand): void;
  event(e: RelayEvent): void;
  /** Run handleTimeout at `now` (so the core publishes state changes a socket verb caused). */
  nudge(now: number): void;
  unwrapped(u: Unwrapped): void;
}
