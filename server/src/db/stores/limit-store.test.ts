import { FAILED_ATTEMPTS } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { FixedClock } from "../../clock";
import type { AppError } from "../../errors";
import { FailureLimiter } from "../../services/failure-limiter";
import { SignInThrottle } from "../../services/sign-in-throttle";
import { type Engine, engines } from "../../test-databases";
import { openTestDatabase, rowCounts, START } from "../../test-support";
import { kyselyStore } from "../kysely-store";
import { KyselyLimitStore } from "./limit-store";

const NOW = START.toISOString();
const later = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();

/**
 * Two relay instances on one database, each with its own connection (a second pool on
 * PostgreSQL, a second connection to the file on SQLite) and its own store objects.
 */
async function twoInstances(engine: Engine) {
  const database = await engine.migratedDatabase();
  return { db: database.db, a: kyselyStore(database.db), b: kyselyStore(database.open()) };
}

/**
 * Each try, alternating between the instances: at once on PostgreSQL, where the instances really
 * run side by side; one after another on SQLite, whose driver runs each connection's queries in
 * this thread, so a transaction on one connection would wait out the other's busy timeout.
 */
async function tryAll(engine: Engine, tries: (() => Promise<unknown>)[]) {
  if (engine.name === "postgres") return Promise.allSettled(tries.map((t) => t()));
  const results: PromiseSettledResult<unknown>[] = [];
  for (const t of tries)
    results.push(
      await t().then(
        (value) => ({ status: "fulfilled" as const, value }),
        (reason) => ({ status: "rejected" as const, reason }),
      ),
    );
  return results;
}

const outcomes = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === "fulfilled" ? "tried" : (r.reason as AppError).code)).sort();

describe.each(engines)("the limit counters on $name", (engine) => {
  it("give two relay instances on one database one budget of wrong guesses", async () => {
    const { a: storeA, b: storeB } = await twoInstances(engine);
    const clock = new FixedClock(START);
    const a = new FailureLimiter(storeA.limits, clock);
    const b = new FailureLimiter(storeB.limits, clock);
    const guess = (i: number) => async () => (await (i % 2 ? a : b).reserve("pair:192.0.2.1")).failed();
    const results = await tryAll(
      engine,
      Array.from({ length: FAILED_ATTEMPTS.max * 2 }, (_, i) => guess(i)),
    );
    expect(outcomes(results)).toEqual([
      ...Array(FAILED_ATTEMPTS.max).fill("too_many_attempts"),
      ...Array(FAILED_ATTEMPTS.max).fill("tried"),
    ]);
    expect(await a.reserve("pair:192.0.2.1").catch((e: AppError) => e.code)).toBe("too_many_attempts");
    expect(await b.reserve("pair:192.0.2.1").catch((e: AppError) => e.code)).toBe("too_many_attempts");
  });

  it("share sign-in budgets between instances: a second instance does not give a guesser more tries", async () => {
    const { a: storeA, b: storeB } = await twoInstances(engine);
    const clock = new FixedClock(START);
    const a = new SignInThrottle(storeA.limits, clock);
    const b = new SignInThrottle(storeB.limits, clock);
    const guess = (i: number) => async () => (await (i % 2 ? a : b).reserve("priya@council.example", "192.0.2.7")).failed();
    // The first try makes the counters' rows; the rest race for them.
    await guess(0)();
    const results = await tryAll(
      engine,
      Array.from({ length: 11 }, (_, i) => guess(i + 1)),
    );
    expect(outcomes(results).filter((o) => o === "tried")).toHaveLength(4);
    await expect(a.reserve("priya@council.example", "192.0.2.7")).rejects.toMatchObject({ code: "too_many_attempts" });
    await expect(b.reserve("priya@council.example", "192.0.2.7")).rejects.toMatchObject({ code: "too_many_attempts" });
  });

  it("change nothing when the decision throws, and keep no row for a key left without a counter", async () => {
    const { db, store } = await openTestDatabase({ engine });
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
    expect((await rowCounts({ db })).limit_counters).toBe(1);
    expect(await store.limits.change(["a", "b"], later(1), (current) => ({ changes: new Map(), result: [...current] }))).toEqual([
      ["a", 1],
    ]);
  });

  it("read an expired counter as absent, and clear expired ones as they go", async () => {
    const { db } = await openTestDatabase({ engine });
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
    expect((await rowCounts({ db })).limit_counters).toBe(7);
    await limits.change(["late"], later(2), () => ({ changes: new Map(), result: undefined }));
    expect((await rowCounts({ db })).limit_counters).toBe(1);
  });
});
