// Counting the handles (UDP sockets, timers) a test leaves behind.

/** Handles of the kinds a leaking agent would leave behind. */
export interface ResourceCounts {
  readonly UDPWrap: number;
  readonly Timeout: number;
}

export function resourceCounts(): ResourceCounts {
  const info = process.getActiveResourcesInfo();
  return {
    UDPWrap: info.filter((r) => r === 'UDPWrap').length,
    Timeout: info.filter((r) => r === 'Timeout').length,
  };
}

/**
 * The counts to compare with after a test. Mocha arms its own timeout timer only after
 * a test function's synchronous part has returned, so sample after one loop turn.
 */
export async function baselineResourceCounts(): Promise<ResourceCounts> {
  await new Promise((r) => setImmediate(r));
  return resourceCounts();
}

/**
 * A closed dgram socket stays listed until libuv's close callback runs, one or two
 * loop turns after `close()`'s callback; give it a few turns, then report what is left.
 */
export async function settledResourceCounts(baseline: ResourceCounts, turns = 10): Promise<ResourceCounts> {
  let now = resourceCounts();
  for (let i = 0; i < turns && (now.UDPWrap > baseline.UDPWrap || now.Timeout > baseline.Timeout); i++) {
    await new Promise((r) => setImmediate(r));
    now = resourceCounts();
  }
  return now;
}
