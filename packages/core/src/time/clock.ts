/** Milliseconds since the epoch. Injected everywhere so tests never sleep to wait for expiry. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Whole seconds since the epoch, the unit of JWT `iat`/`exp` and of stored expiries. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}

/** A clock tests can move forward by hand. */
export interface ManualClock extends Clock {
  advance(seconds: number): void;
  set(ms: number): void;
}

export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  const clock = (() => now) as ManualClock;
  clock.advance = (seconds: number) => {
    now += seconds * 1000;
  };
  clock.set = (ms: number) => {
    now = ms;
  };
  return clock;
}
