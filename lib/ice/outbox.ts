import type { AgentEvent } from './events.js';
import type { Transmit } from './transport.js';
import { Fifo } from '../util/fifo.js';

/** What the core produced, drained by the driver after each call. */
export class Outbox {
  readonly transmits = new Fifo<Transmit>();
  readonly events = new Fifo<AgentEvent>();
}
