import { FAILED_ATTEMPTS } from "@letterbox/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { FixedClock } from "../../clock";
import type { AppError } from "../../errors";
import { FailureLimiter } from "../../services/failure-limiter";
import { SignInThrottle } from "../../services/sign-in-throttle";
import { openTestDatabase, rowCounts, START } from "../../test-support";
import { kyselyStore } from "../kysely-store";
import { openSqliteFile } from "../sqlite";
import { KyselyLimitStore } from "./limit-store";

const NOW = START.toISOString();
const later = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();

/** A second relay instance on the same database: its own connection, its own store objects. */
function secondInstance(dbFile: string) {
  const db = openSqliteFile(dbFile);
  onTestFinished(() => db.destroy());
  return kyselyStore(db);
}

describe("the limit counters", () => {
  it("give two relay instances on one database one budget of wrong guesses", async () => {
    const { store, dbFile } = await openTestDatabase();
    const clock = new FixedClock(START);
    const a = new FailureLimiter(store.limits, clock);
    const b = new FailureLimiter(secondInstance(dbFile).limits, clock);
    for (let i = 0; i < FAILED_ATTEMPTS.max; i++) await (await (i % 2 ? a : b).reserve("pair:192.0.2.1")).failed();
    expect(await a.reserve("pair:192.0.2.1").catch((e: AppError) => e.code)).toBe("too_many_attempts");
    expect(await b.reserve("pair:192.0.2.1").catch((e: AppError) => e.code)).toBe("too_many_attempts");
  });

  it("share sign-in budgets between instances: a second instance does not give a guesser more tries", async () => {
    const { store, dbFile } = await openTestDatabase();
    const clock = new FixedClock(START);
    const a = new SignInThrottle(store.limits, clock);
    const b = new SignInThrottle(secondInstance(dbFile).limits, clock);
    for (let i = 0; i < 5; i++) await (await (i % 2 ? a : b).reserve("priya@council.example", "192.0.2.7")).failed();
    await expect(a.reserve("priya@council.example", "192.0.2.7")).rejects.toMatchObject({ code: "too_many_attempts" });
    await expect(b.reserve("priya@council.example", "192.0.2.7")).rejects.toMatchObject({ code: "too_many_attempts" });
  });

  it("change nothing when the decision throws, and keep no row for a key left without a counter", async () => {
    const { store, dbFile } = await openTestDatabase();
    const refused = new Error("refused");
    await expect(
      store.limits.change(["a", "b"], NOW, () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
    await store.limits.change(["a", "b"], NOW, () => ({
      changes: new Map([["a", { value: 1, expiresAt: later(5) }]]),
      result: undefined,
    }));
    expect(rowCounts({ dbFile }).limit_counters).toBe(1);
    expect(await store.limits.change(["a", "b"], later(1), (current) => ({ changes: new Map(), result: [...current] }))).toEqual([
      ["a", 1],
    ]);
  });

  it("read an expired counter as absent, and clear expired ones as they go", async () => {
    const { db, dbFile } = await openTestDatabase();
    const limits = new KyselyLimitStore(db, 10);
    const keep = (key: string, minutes: number) =>
      limits.change([key], NOW, () => ({
        changes: new Map([[key, { value: key, expiresAt: later(minutes) }]]),
        result: undefined,
      }));
    await keep("short", 1);
    const seen = await limits.change(["short"], later(2), (current) => ({ changes: new Map(), result: current.has("short") }));
    expect(seen).toBe(false);
    // Made-up keys (an attacker's) each leave a counter; they go once expired, without a job.
    // (The expired one was dropped as it was read.) Ten changes in all, the tenth sweeps.
    for (let i = 0; i < 6; i++) await keep(`k${i}`, 1);
    await keep("fresh", 5);
    expect(rowCounts({ dbFile }).limit_counters).toBe(7);
    await limits.change(["late"], later(2), () => ({ changes: new Map(), result: undefined }));
    expect(rowCounts({ dbFile }).limit_counters).toBe(1);
  });
});
