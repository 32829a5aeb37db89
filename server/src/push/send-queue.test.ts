import { describe, expect, it } from "vitest";
import { type Attempt, SendQueue, type Timers } from "./send-queue";

type Item = { id: string; seq: number };

/** Work that finishes only when the test says so, so the test sees what runs at once. */
class HeldWork {
  readonly started: { item: Item; attempt: number; finish: (a?: Attempt) => void }[] = [];
  readonly run = (item: Item, attempt: number) =>
    new Promise<Attempt>((resolve) => {
      this.started.push({ item, attempt, finish: (a = { outcome: "done" }) => resolve(a) });
    });
}

class ManualTimers implements Timers {
  readonly pending: { ms: number; fn: () => void }[] = [];
  set(ms: number, fn: () => void) {
    const entry = { ms, fn };
    this.pending.push(entry);
    return () => {
      const at = this.pending.indexOf(entry);
      if (at >= 0) this.pending.splice(at, 1);
    };
  }
  fireNext() {
    const next = this.pending.shift();
    next?.fn();
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function queue(options: Partial<ConstructorParameters<typeof SendQueue<Item>>[0]> = {}) {
  const work = new HeldWork();
  const timers = new ManualTimers();
  const gaveUp: { item: Item; error: string; attempts: number }[] = [];
  const logged: string[] = [];
  const q = new SendQueue<Item>({
    work: work.run,
    giveUp: (item, error, attempts) => {
      gaveUp.push({ item, error, attempts });
    },
    merge: (waiting, incoming) => (incoming.seq > waiting.seq ? incoming : waiting),
    log: (event) => logged.push(event),
    timers,
    ...options,
  });
  return { q, work, timers, gaveUp, logged };
}

describe("the send queue", () => {
  it("runs at most `concurrency` jobs at once and starts the next as one finishes", async () => {
    const { q, work } = queue({ options: { concurrency: 8 } });
    for (let i = 0; i < 20; i++) q.push(`s${i}`, { id: `s${i}`, seq: i });
    expect(work.started).toHaveLength(8);
    expect(q.stats()).toMatchObject({ inFlight: 8, queued: 12 });

    work.started[0]?.finish();
    await flush();
    expect(work.started).toHaveLength(9);
    expect(work.started[8]?.item.id).toBe("s8");

    for (let i = 0; i < 20; i++) {
      work.started[i]?.finish();
      await flush();
    }
    await q.idle();
    expect(work.started.map((s) => s.item.id)).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`));
    expect(q.stats()).toMatchObject({ inFlight: 0, queued: 0, sent: 20, dropped: 0 });
  });

  it("lets a newer job for the same key replace one still waiting, in its place, but not one in flight", async () => {
    const { q, work } = queue({ options: { concurrency: 1 } });
    q.push("a", { id: "a", seq: 1 });
    q.push("b", { id: "b", seq: 2 });
    q.push("a", { id: "a", seq: 3 });
    q.push("c", { id: "c", seq: 4 });
    q.push("a", { id: "a", seq: 5 });
    expect(q.stats().queued).toBe(3);
    for (let i = 0; i < 4; i++) {
      work.started[i]?.finish();
      await flush();
    }
    await q.idle();
    expect(work.started.map((s) => `${s.item.id}${s.item.seq}`)).toEqual(["a1", "b2", "a5", "c4"]);
  });

  it("runs one job per lane at a time, however many keys wait in it, while other lanes pass", async () => {
    const { q, work } = queue({ options: { concurrency: 8 } });
    // Eight pushes to one subscription (two topics), then one to another.
    for (let i = 0; i < 8; i++) q.push(`a ${i % 2}`, { id: "a", seq: i }, { lane: "a" });
    q.push("b", { id: "b", seq: 100 }, { lane: "b" });
    expect(work.started.map((s) => `${s.item.id}${s.item.seq}`)).toEqual(["a0", "b100"]);
    expect(q.stats()).toMatchObject({ inFlight: 2, queued: 2 });

    work.started[1]?.finish();
    await flush();
    expect(work.started).toHaveLength(2);
    work.started[0]?.finish();
    await flush();
    // The newest of each topic, one after the other.
    expect(work.started.map((s) => `${s.item.id}${s.item.seq}`)).toEqual(["a0", "b100", "a7"]);
    work.started[2]?.finish();
    await flush();
    expect(work.started.map((s) => `${s.item.id}${s.item.seq}`)).toEqual(["a0", "b100", "a7", "a6"]);
    work.started[3]?.finish();
    await q.idle();
  });

  it("holds at most `groupConcurrency` jobs of one group in flight, leaving the other slots to other groups", async () => {
    const { q, work } = queue({ options: { concurrency: 4, groupConcurrency: 2 } });
    for (let i = 0; i < 5; i++) q.push(`slow${i}`, { id: `slow${i}`, seq: i }, { group: "hung.example" });
    q.push("fast", { id: "fast", seq: 9 }, { group: "fcm.googleapis.com" });
    expect(work.started.map((s) => s.item.id)).toEqual(["slow0", "slow1", "fast"]);
    work.started[2]?.finish();
    await flush();
    expect(q.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    work.started[0]?.finish();
    await flush();
    expect(work.started.map((s) => s.item.id)).toEqual(["slow0", "slow1", "fast", "slow2"]);
    for (let i = 1; i < 6; i++) {
      work.started[i]?.finish();
      await flush();
    }
    await q.idle();
    expect(q.stats()).toMatchObject({ inFlight: 0, queued: 0, sent: 6 });
  });

  it("drops the oldest waiting job when full, with one log line per overload", async () => {
    const { q, work, logged } = queue({ options: { concurrency: 1, capacity: 4 } });
    for (let i = 0; i < 10; i++) q.push(`s${i}`, { id: `s${i}`, seq: i });
    expect(q.stats()).toMatchObject({ inFlight: 1, queued: 4, dropped: 5 });
    expect(logged).toEqual(["push.queue_full"]);

    for (let i = 0; i < 5; i++) {
      work.started[i]?.finish();
      await flush();
    }
    await q.idle();
    // s0 was already running; s1–s5 were dropped for the newest four.
    expect(work.started.map((s) => s.item.id)).toEqual(["s0", "s6", "s7", "s8", "s9"]);
    expect(logged).toEqual(["push.queue_full", "push.queue_recovered"]);
  });

  it("waits as long as asked before a retry, without holding a slot, and backs off 4 times longer when not asked", async () => {
    const { q, work, timers, gaveUp } = queue({ options: { concurrency: 1, maxAttempts: 3, baseDelayMs: 100 } });
    q.push("a", { id: "a", seq: 1 });
    q.push("b", { id: "b", seq: 2 });
    work.started[0]?.finish({ outcome: "retry", afterMs: 7_000, error: "http_429" });
    await flush();
    expect(timers.pending.map((t) => t.ms)).toEqual([7_000]);
    // b runs while a waits.
    expect(work.started.map((s) => s.item.id)).toEqual(["a", "b"]);
    work.started[1]?.finish();
    await flush();

    timers.fireNext();
    await flush();
    expect(work.started[2]).toMatchObject({ item: { id: "a" }, attempt: 2 });
    work.started[2]?.finish({ outcome: "retry", error: "http_503" });
    await flush();
    expect(timers.pending.map((t) => t.ms)).toEqual([400]);

    timers.fireNext();
    await flush();
    work.started[3]?.finish({ outcome: "retry", error: "http_503" });
    await q.idle();
    expect(timers.pending).toEqual([]);
    expect(gaveUp).toEqual([{ item: { id: "a", seq: 1 }, error: "http_503", attempts: 3 }]);
  });

  it("gives up at once on a refusal, on an exception, and on a Retry-After beyond the longest wait", async () => {
    const { q, work, timers, gaveUp } = queue({ options: { maxDelayMs: 60_000 } });
    q.push("a", { id: "a", seq: 1 });
    q.push("b", { id: "b", seq: 2 });
    q.push("c", { id: "c", seq: 3 });
    work.started[0]?.finish({ outcome: "failed", error: "http_403" });
    work.started[1]?.finish({ outcome: "retry", afterMs: 3_600_000, error: "http_429" });
    await flush();
    const throwing = new SendQueue<Item>({
      work: async () => {
        throw new Error("boom");
      },
      giveUp: (item, error) => {
        gaveUp.push({ item, error, attempts: 1 });
      },
      log: () => {},
    });
    throwing.push("d", { id: "d", seq: 4 });
    await throwing.idle();
    work.started[2]?.finish();
    await q.idle();
    expect(timers.pending).toEqual([]);
    expect(gaveUp.map((g) => [g.item.id, g.error])).toEqual([
      ["a", "http_403"],
      ["b", "http_429"],
      ["d", "Error: boom"],
    ]);
  });

  it("on stop drops what waits, cancels retries and waits for what is in flight", async () => {
    const { q, work, timers } = queue({ options: { concurrency: 1 } });
    q.push("a", { id: "a", seq: 1 });
    q.push("b", { id: "b", seq: 2 });
    work.started[0]?.finish({ outcome: "retry", error: "http_503" });
    await flush();
    expect(timers.pending).toHaveLength(1);
    q.push("c", { id: "c", seq: 3 });

    let stopped = false;
    const stopping = q.stop().then(() => {
      stopped = true;
    });
    await flush();
    expect(stopped).toBe(false);
    expect(timers.pending).toEqual([]);
    work.started[1]?.finish();
    await stopping;
    q.push("d", { id: "d", seq: 4 });
    expect(work.started.map((s) => s.item.id)).toEqual(["a", "b"]);
  });
});
