/**
 * How every retry loop of the apps waits after failures in a row: `baseMs` after the first,
 * doubling each time, never more than `maxMs`. A flaky network is not hammered and a short blip
 * costs little.
 */
export function doublingDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/** Half to all of `ms`: devices that failed together (the relay restarted) do not come back together. */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.5 + random() / 2));
}
