import { type Kysely, sql } from "kysely";
import pg from "pg";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { Logger } from "../log";
import { silentLogger } from "../log";
import { engines, freshPostgres } from "../test-databases";
import { openPostgres, type PostgresOptions } from "./postgres";

/** A fresh database, opened as the relay opens it; closed and dropped when the test finishes. */
async function relayDatabase(options: Partial<PostgresOptions> = {}) {
  const database = await freshPostgres();
  const db = openPostgres(database.url, { poolSize: 4, log: silentLogger, ...options });
  onTestFinished(async () => {
    await db.destroy();
    await database.drop();
  });
  return { db, database };
}

const show = async (db: Kysely<unknown>, setting: "synchronous_commit" | "statement_timeout") =>
  (await sql.raw<Record<string, string>>(`SHOW ${setting}`).execute(db)).rows[0]?.[setting];

/** A client of the test's own on the database, outside the relay's pool. */
async function sideConnection(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

describe("openPostgres", () => {
  it("asks for synchronous commits even where the database's default says off", async () => {
    const { db, database } = await relayDatabase();
    const side = await sideConnection(database.url);
    await side.query(`ALTER DATABASE ${database.name} SET synchronous_commit = off`);
    expect(await show(db as Kysely<unknown>, "synchronous_commit")).toBe("on");
  });

  it("cancels a statement that runs past the statement timeout, 15 s unless told", async () => {
    const { db } = await relayDatabase();
    expect(await show(db as Kysely<unknown>, "statement_timeout")).toBe("15s");
    const { db: impatient } = await relayDatabase({ statementTimeoutMs: 50 });
    await expect(sql`SELECT pg_sleep(10)`.execute(impatient)).rejects.toThrow(/statement timeout/);
  });

  it("opens no more connections than the pool size; other queries wait their turn", async () => {
    const { db, database } = await relayDatabase({ poolSize: 2 });
    const side = await sideConnection(database.url);
    await side.query("SELECT pg_advisory_lock(42)");
    const queries = Array.from({ length: 5 }, () =>
      sql`SELECT pg_advisory_lock_shared(42), pg_advisory_unlock_shared(42)`.execute(db),
    );
    const relayConnections = async () =>
      (
        await side.query<{ n: number; waiting: number }>(
          "SELECT count(*)::int AS n, count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'letterbox'",
        )
      ).rows[0];
    await vi.waitUntil(async () => (await relayConnections())?.waiting === 2, { timeout: 10_000, interval: 20 });
    expect(await relayConnections()).toEqual({ n: 2, waiting: 2 });
    await side.query("SELECT pg_advisory_unlock(42)");
    expect(await Promise.all(queries)).toHaveLength(5);
  });

  it("logs a connection the server drops, and the next query opens a new one", async () => {
    const events: { event: string; fields?: Record<string, unknown> }[] = [];
    const log: Logger = (event, fields) => events.push({ event, ...(fields && { fields }) });
    const { db, database } = await relayDatabase({ log });
    await sql`SELECT 1`.execute(db);
    const side = await sideConnection(database.url);
    await side.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'letterbox'",
    );
    await vi.waitUntil(() => events.length > 0, { timeout: 10_000, interval: 20 });
    expect(events).toEqual([{ event: "database.connection_lost", fields: { error: expect.stringMatching(/terminat/) } }]);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it("refuses an int8 too large to read as a number exactly, rather than round it", async () => {
    const { db } = await relayDatabase();
    expect((await sql<{ n: number }>`SELECT 9007199254740991::int8 AS n`.execute(db)).rows).toEqual([{ n: 9007199254740991 }]);
    await expect(sql`SELECT 9007199254740993::int8 AS n`.execute(db)).rejects.toThrow(
      "9007199254740993 is too large for the relay to read as a number",
    );
  });
});

describe.each(engines)("query results on $name", (engine) => {
  it("have the JavaScript types the store expects: numbers for counts and sums, bigint for rows changed", async () => {
    const db = await engine.migrated();
    const at = "2026-11-28T10:00:00.000Z";
    await db
      .insertInto("org_settings")
      .values([
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ])
      .execute();
    const counted = await db
      .selectFrom("org_settings")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("key").as("last")])
      .executeTakeFirstOrThrow();
    expect(counted).toEqual({ n: 2, last: "b" });
    const updated = await db.updateTable("org_settings").set({ value: "3" }).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom("org_settings").where("key", "=", "a").executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    await db
      .insertInto("audit_log")
      .values({ at, staff_id: null, staff_name: "Priya", action: "a", resident_id: null, detail: "{}", source: "web" })
      .execute();
    const summed = await db
      .selectFrom("audit_log")
      .select((eb) => [eb.fn.sum<number>("id").as("total"), eb.fn.avg<number>("id").as("mean"), eb.fn.max("id").as("id")])
      .executeTakeFirstOrThrow();
    expect(summed).toEqual({ total: 1, mean: 1, id: 1 });
  });
});
