/** Monotonic milliseconds. The core never reads a clock; drivers pass `now` in. */
export interface Clock {
  now(): number;
}

export const monotonicClock: Clock = {
  now: () => performance.now(),
};
