/**
 * Network discipline for real-socket tests: nothing is sent anywhere but loopback (127.0.0.0/8,
 * ::1). The guard wraps dgram's send, so it covers our agent, the STUN servers and third-party
 * agents (werift) in the same process; a datagram to anything else is dropped and recorded.
 */
import * as dgram from 'node:dgram';
import { expect } from 'chai';

/** Whether `address` (as a test or a third-party agent writes it) is on loopback. */
export function isLoopbackDestination(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^127\./.test(address) || /^::ffff:127\./i.test(address);
}

export interface EgressGuard {
  /** Removes the guard; returns the destinations it refused. */
  restore(): string[];
}

/** Installs the guard on dgram.Socket.prototype.send until `restore()`. */
export function guardLoopbackEgress(): EgressGuard {
  const proto = dgram.Socket.prototype as unknown as { send: (...args: unknown[]) => void };
  const original = proto.send;
  const refused: string[] = [];
  proto.send = function (this: dgram.Socket, ...args: unknown[]): void {
    // send(msg, port, address, cb) or send(msg, offset, length, port, address, cb); a missing address means localhost.
    const address = typeof args[2] === 'string' ? args[2] : typeof args[4] === 'string' ? args[4] : undefined;
    if (address !== undefined && !isLoopbackDestination(address)) {
      refused.push(address);
      const cb = [...args].reverse().find((a) => typeof a === 'function') as ((err: Error) => void) | undefined;
      cb?.(new Error(`test network discipline: refused to send to ${address}`));
      return;
    }
    original.apply(this, args);
  };
  return {
    restore: () => {
      proto.send = original;
      return refused;
    },
  };
}

/** Call inside a describe(): the guard is on for its tests, and the suite fails if anything was refused. */
export function loopbackEgressOnly(): void {
  let guard: EgressGuard | undefined;
  before(() => {
    guard = guardLoopbackEgress();
  });
  after(() => {
    expect(guard?.restore(), 'datagrams addressed outside loopback').to.deep.equal([]);
  });
}
