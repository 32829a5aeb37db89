import { describe, expect, it } from "vitest";
import { type Connection, SyncLoop } from "./sync-loop";

/** Timers the test fires by hand. */
function manualTimers() {
  const pending: { run: () => void; ms: number }[] = [];
  return {
    pending,
    setTimer: (run: () => void, ms: number) => {
      const t = { run, ms };
      pending.push(t);
      return t;
    },
    clearTimer: (t: unknown) => {
      const i = pending.indexOf(t as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
    async fire() {
      const t = pending.shift();
      if (!t) throw new Error("no timer pending");
      t.run();
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

// Not a wait for time: one turn of the event loop lets the loop's pending promise callbacks run
// (all timers here are manual).
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the sync loop", () => {
  it("syncs at start and then every interval; after failures it waits longer, and goes back once one succeeds", async () => {
    const timers = manualTimers();
    let failing = true;
    const seen: Connection[] = [];
    const loop = new SyncLoop(
      async () => {
        if (failing) throw new Error("offline");
      },
      { intervalMs: 3_000, maxBackoffMs: 20_000, onConnection: (c) => seen.push(c), ...timers },
    );
    loop.start();
    await settle();
    const delays = [timers.pending[0]?.ms];
    for (let i = 0; i < 4; i++) {
      await timers.fire();
      delays.push(timers.pending[0]?.ms);
    }
    expect(delays).toEqual([6_000, 12_000, 20_000, 20_000, 20_000]);
    failing = false;
    await timers.fire();
    expect(timers.pending.map((t) => t.ms)).toEqual([3_000]);
    expect(seen.at(-1)).toBe("online");
    expect(seen.slice(0, 2)).toEqual(["offline", "offline"]);
    loop.stop();
    expect(timers.pending).toEqual([]);
  });

  it("never runs two syncs at once; a trigger during a run makes exactly one more", async () => {
    const timers = manualTimers();
    let active = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => {};
    const loop = new SyncLoop(
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await new Promise<void>((r) => {
          release = r;
        });
        active--;
      },
      { ...timers },
    );
    loop.start();
    await settle();
    void loop.trigger();
    void loop.trigger();
    release();
    await settle();
    release();
    await settle();
    expect(runs).toBe(2);
    expect(most).toBe(1);
    expect(timers.pending).toHaveLength(1);
    loop.stop();
  });

  it("an online event or a tapped reply syncs at once instead of waiting for the timer", async () => {
    const timers = manualTimers();
    let runs = 0;
    const loop = new SyncLoop(async () => void runs++, { ...timers });
    loop.start();
    await settle();
    await loop.trigger();
    expect(runs).toBe(2);
    expect(timers.pending).toHaveLength(1);
    loop.stop();
  });
});
