import type { Kysely } from "kysely";
import type { Database } from "../schema";

/** A counter's value (any JSON its limiter chooses) and when it has recovered and may be forgotten. */
export type Counter<T> = { value: T; expiresAt: string };
/** What a change leaves: the new counter for a key, or undefined to forget it. */
export type CounterChanges<T> = Map<string, Counter<T> | undefined>;

/**
 * The counters behind the relay's limits on guessing (set-up codes, links, staff sign-in), kept in
 * the database so that every instance of the relay draws on the same budgets: N instances must not
 * give an attacker N budgets.
 */
export interface LimitStore {
  /**
   * Reads the keys' counters (expired ones read as absent), lets `decide` say what they become,
   * and writes that, as one step: no other call, on this instance or another, reads or changes
   * these keys in between. `decide` may throw to change nothing.
   */
  change<T, R>(
    keys: readonly string[],
    now: string,
    decide: (current: Map<string, T>) => { changes: CounterChanges<T>; result: R },
  ): Promise<R>;
}

/** Expired counters are cleared every this many changes, so keys an attacker makes up do not pile up. */
const SWEEP_EVERY = 500;

export class KyselyLimitStore implements LimitStore {
  private changesSinceSweep = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sweepEvery = SWEEP_EVERY,
  ) {}

  async change<T, R>(
    keys: readonly string[],
    now: string,
    decide: (current: Map<string, T>) => { changes: CounterChanges<T>; result: R },
  ): Promise<R> {
    const sorted = [...new Set(keys)].sort();
    const result = await this.db.transaction().execute(async (tx) => {
      // Lock the keys' rows, in one order so that two changes cannot deadlock: a row that is not
      // there yet is made first, so there is always a row to lock. An update takes PostgreSQL's
      // row lock until the commit, and SQLite's write lock, on either engine without dialect SQL.
      await tx
        .insertInto("limit_counters")
        .values(sorted.map((key) => ({ key, value: "null", expires_at: now })))
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
      for (const key of sorted) {
        await tx
          .updateTable("limit_counters")
          .set((eb) => ({ key: eb.ref("key") }))
          .where("key", "=", key)
          .execute();
      }
      const rows = await tx
        .selectFrom("limit_counters")
        .select(["key", "value"])
        .where("key", "in", sorted)
        .where("expires_at", ">", now)
        .execute();
      const current = new Map(rows.map((r) => [r.key, JSON.parse(r.value) as T]));
      const { changes, result } = decide(current);
      for (const key of sorted) {
        const counter = changes.has(key) ? changes.get(key) : current.has(key) ? "keep" : undefined;
        if (counter === "keep") continue;
        if (counter === undefined) await tx.deleteFrom("limit_counters").where("key", "=", key).execute();
        else {
          await tx
            .updateTable("limit_counters")
            .set({ value: JSON.stringify(counter.value), expires_at: counter.expiresAt })
            .where("key", "=", key)
            .execute();
        }
      }
      return result;
    });
    if (++this.changesSinceSweep >= this.sweepEvery) {
      this.changesSinceSweep = 0;
      await this.db.deleteFrom("limit_counters").where("expires_at", "<=", now).execute();
    }
    return result;
  }
}
