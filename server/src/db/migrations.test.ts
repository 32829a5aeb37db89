import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { type Kysely, type Migration, PostgresAdapter, sql } from "kysely";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { silentLogger } from "../log";
import { engines, freshPostgres, postgres, sqlite, TEST_POSTGRES_URL } from "../test-databases";
import { kyselyStore } from "./kysely-store";
import { allMigrations, migrateToLatest, runMigrations } from "./migrations";
import { openPostgres } from "./postgres";
import type { Database } from "./schema";
import { DATABASE_FILE, openSqlite } from "./sqlite";

function tempFolder() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-migrations-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir, file: path.join(dataDir, DATABASE_FILE) };
}

/** Creates a table, then fails: what a kill or a bug half-way through an upgrade leaves behind. */
const halfWay: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("half_done").addColumn("id", "text").execute();
    throw new Error("disk full half-way");
  },
};

const migrationNames = Object.keys(allMigrations).sort();

async function tablesOf(db: Kysely<unknown>) {
  const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).map((t) => t.name).sort();
  const ran = tables.includes("kysely_migration")
    ? (await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db)).rows.map((r) => r.name).sort()
    : [];
  return { tables, ran };
}

const asUnknown = (db: Kysely<Database>) => db as unknown as Kysely<unknown>;

describe.each(engines)("migrations on $name", (engine) => {
  it("leave a new database empty when one fails at first start, and the next start succeeds", async () => {
    const database = await engine.empty();
    const db = asUnknown(database.open());
    const failing = runMigrations(db, { ...allMigrations, "0999_half_way": halfWay });
    await expect(failing).rejects.toThrow(/Database migration 0999_half_way failed: disk full half-way/);

    // Nothing of the earlier migrations in the same run stays either: `staff already exists` was
    // the error that kept such a folder from ever starting again.
    const after = await tablesOf(db);
    expect(after.tables).not.toContain("staff");
    expect(after.tables).not.toContain("half_done");
    expect(after.ran).toEqual([]);

    const reopened = asUnknown(database.open());
    await migrateToLatest(reopened);
    expect((await tablesOf(reopened)).ran).toEqual(migrationNames);
  });

  it("leave an upgraded database exactly as it was when the new migration fails", async () => {
    const database = await engine.empty();
    const db = asUnknown(database.open());
    await migrateToLatest(db);
    const before = await tablesOf(db);
    expect(before.tables).toContain("staff");

    await expect(runMigrations(db, { ...allMigrations, "0999_half_way": halfWay })).rejects.toThrow("disk full half-way");
    expect(await tablesOf(db)).toEqual(before);

    const again = asUnknown(database.open());
    await migrateToLatest(again);
    expect(await tablesOf(again)).toEqual(before);
  });

  it("say why in the message when the database has run a migration this relay does not know", async () => {
    const database = await engine.empty();
    const db = asUnknown(database.open());
    await migrateToLatest(db);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('0999_from_a_newer_relay', '2026-12-01')`.execute(db);
    await expect(migrateToLatest(asUnknown(database.open()))).rejects.toThrow(
      /^Database migrations could not run: corrupted migrations: previously executed migration 0999_from_a_newer_relay is missing/,
    );
  });

  it("leave family links, messages and tablets from before relationships and battery readings without either", async () => {
    const database = await engine.empty();
    const old = asUnknown(database.open());
    await runMigrations(old, Object.fromEntries(Object.entries(allMigrations).filter(([name]) => name < "0010")));
    await sql`INSERT INTO residents (id, full_name, preferred_name, created_at) VALUES ('r', 'Margaret Jones', 'Margaret', '2026-11-01')`.execute(
      old,
    );
    await sql`INSERT INTO family_links (id, resident_id, label, token_hash, created_at) VALUES ('l', 'r', 'Sarah (daughter)', 'h', '2026-11-01')`.execute(
      old,
    );
    await sql`INSERT INTO messages (id, resident_id, family_link_id, sender_name, text, sent_at, seq) VALUES ('m', 'r', 'l', 'Sarah (daughter)', 'Hi', '2026-11-01', 1)`.execute(
      old,
    );
    await sql`INSERT INTO devices (id, resident_id, token_hash, paired_at) VALUES ('d', 'r', 'dh', '2026-11-01')`.execute(old);

    const db = database.open();
    await migrateToLatest(asUnknown(db));
    expect(await db.selectFrom("family_links").select(["label", "relationship"]).execute()).toEqual([
      { label: "Sarah (daughter)", relationship: null },
    ]);
    expect(await db.selectFrom("messages").select(["sender_name", "sender_relationship"]).execute()).toEqual([
      { sender_name: "Sarah (daughter)", sender_relationship: null },
    ]);
    expect(await db.selectFrom("devices").select(["battery_level", "battery_charging"]).execute()).toEqual([
      { battery_level: null, battery_charging: null },
    ]);
  });

  it("give every audit entry a new, increasing number and keep a tablet's storage and battery reading exact", async () => {
    const db = await engine.migrated();
    const entry = {
      at: "2026-11-28T10:00:00.000Z",
      staff_id: null,
      staff_name: "Priya",
      action: "a",
      resident_id: null,
      detail: "{}",
      source: "web",
    };
    await db.insertInto("audit_log").values([entry, entry, entry]).execute();
    expect((await db.selectFrom("audit_log").select("id").orderBy("id").execute()).map((r) => r.id)).toEqual([1, 2, 3]);

    await db
      .insertInto("residents")
      .values({
        id: "r",
        full_name: "Margaret Jones",
        preferred_name: "Margaret",
        created_at: entry.at,
        last_seq: 0,
        language: "en-GB",
        reply_options: null,
        quiet_start: null,
        quiet_end: null,
        text_size: "large",
        paused: 0,
        family_sees_all: 0,
        archived_at: null,
        retention_days: 365,
      })
      .execute();
    // 5 GB of 60 GB: past what a 32-bit integer holds; a level with more digits than 4 bytes keep.
    const reading = { storage_used: 5_000_000_000, storage_quota: 60_000_000_000, battery_level: 4 / 7 };
    await db
      .insertInto("devices")
      .values({
        id: "d",
        resident_id: "r",
        token_hash: "h",
        paired_at: entry.at,
        last_seen_at: null,
        revoked_at: null,
        app_version: null,
        storage_persisted: 1,
        language: null,
        status_at: null,
        battery_charging: 0,
        ...reading,
      })
      .execute();
    expect(await db.selectFrom("devices").select(["storage_used", "storage_quota", "battery_level"]).executeTakeFirst()).toEqual(
      reading,
    );
  });
});

describe("migrations on sqlite", () => {
  it("give SQLite the schema it had before PostgreSQL support, so old and new data folders agree", async () => {
    const db = asUnknown((await sqlite.empty()).open());
    await runMigrations(db, Object.fromEntries(Object.entries(allMigrations).filter(([name]) => name < "0012")));
    const { rows } = await sql<{ sql: string }>`
      SELECT sql FROM sqlite_master WHERE name NOT LIKE 'kysely_%' AND sql IS NOT NULL ORDER BY name`.execute(db);
    await expect(`${rows.map((r) => `${r.sql};`).join("\n")}\n`).toMatchFileSnapshot("./sqlite-schema-0011.sql");
  });

  it("are why the relay says it cannot start, in the line it prints", async () => {
    const { dataDir, file } = tempFolder();
    await (await openSqlite(dataDir)).destroy();
    const raw = new SQLite(file);
    raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('0999_from_a_newer_relay', '2026-12-01')").run();
    raw.close();
    const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.split("\n")[0]).toContain("previously executed migration 0999_from_a_newer_relay is missing");
  }, 30_000);
});

describe("migrations on postgres", () => {
  /** Kysely's own migration lock, taken and given back as its Migrator does. */
  const migrationLock = {
    adapter: new PostgresAdapter(),
    options: { lockTable: "kysely_migration_lock", lockRowId: "migration_lock" },
  };
  const waitingForTheLock = async (db: Kysely<unknown>) =>
    (
      await sql<{ n: number }>`
        SELECT count(*) AS n FROM pg_locks
        WHERE locktype = 'advisory' AND NOT granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(db)
    ).rows[0]?.n;

  it("let two relays start at once on an empty database: one migrates, the other waits, and both start", async () => {
    const database = await postgres.empty();
    const other = asUnknown(database.open());
    await other.connection().execute(async (holder) => {
      // Held here first, so that both relays are sure to arrive while it is taken.
      await migrationLock.adapter.acquireMigrationLock(holder, migrationLock.options);
      const relays = Promise.all([migrateToLatest(asUnknown(database.open())), migrateToLatest(asUnknown(database.open()))]);
      await vi.waitUntil(async () => (await waitingForTheLock(other)) === 2, { timeout: 20_000, interval: 20 });
      await migrationLock.adapter.releaseMigrationLock(holder, migrationLock.options);
      await relays;
    });
    expect((await tablesOf(other)).ran).toEqual(migrationNames);
    // 0006 makes the log's identity: run twice, there would be two or the second run would fail.
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM log_identity`.execute(other)).rows).toEqual([{ n: 1 }]);
  }, 30_000);

  it("let a relay wait for another's migration longer than its statement timeout, and keep the timeout after", async () => {
    const database = await freshPostgres();
    const holderDb = openPostgres(database.url, { poolSize: 2, log: silentLogger });
    const relay = openPostgres(database.url, { poolSize: 1, statementTimeoutMs: 200, log: silentLogger });
    onTestFinished(async () => {
      await relay.destroy();
      await holderDb.destroy();
      await database.drop();
    });
    const other = asUnknown(holderDb);
    await other.connection().execute(async (holder) => {
      await migrationLock.adapter.acquireMigrationLock(holder, migrationLock.options);
      let outcome: string | undefined;
      const migrating = migrateToLatest(asUnknown(relay)).then(
        () => "migrated",
        (err: Error) => err.message,
      );
      void migrating.then((o) => {
        outcome = o;
      });
      // Waiting five times as long as the timeout allows one statement, or failing meanwhile.
      await vi.waitUntil(
        async () =>
          outcome !== undefined ||
          (
            await sql<{ waited: boolean }>`
              SELECT bool_or(now() - query_start > interval '1 second') AS waited FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(other)
          ).rows[0]?.waited === true,
        { timeout: 20_000, interval: 50 },
      );
      await migrationLock.adapter.releaseMigrationLock(holder, migrationLock.options);
      expect(await migrating).toBe("migrated");
    });
    expect((await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(relay)).rows).toEqual([
      { statement_timeout: "200ms" },
    ]);
  }, 30_000);

  it("make the same tables, columns, types, defaults and NOT NULLs as on SQLite", async () => {
    const sameTypeAsSqlite: Record<string, string> = { int4: "integer", int8: "integer", float8: "real", text: "text" };
    type Column = { name: string; dataType: string; isNullable: boolean; hasDefaultValue: boolean };
    const shape = async (db: Kysely<unknown>, column: (table: string, c: Column) => Promise<Record<string, unknown>>) =>
      Promise.all(
        (await db.introspection.getTables())
          .sort((a, b) => a.name.localeCompare(b.name))
          .map(async (t) => ({
            table: t.name,
            columns: await Promise.all(t.columns.sort((a, b) => a.name.localeCompare(b.name)).map((c) => column(t.name, c))),
          })),
      );
    const onSqlite = await (async (db) =>
      shape(db, async (table, c) => ({
        name: c.name,
        type: c.dataType.toLowerCase(),
        // SQLite lets a primary key other than an integer one hold NULL, an old quirk it keeps;
        // the store never writes one, and PostgreSQL refuses it.
        nullable:
          c.isNullable &&
          (await sql<{ pk: number }>`SELECT pk FROM pragma_table_info(${table}) WHERE name = ${c.name}`.execute(db)).rows[0]
            ?.pk === 0,
        default: c.hasDefaultValue,
      })))(asUnknown(await sqlite.migrated()));
    const onPostgres = await shape(asUnknown(await postgres.migrated()), async (_table, c) => ({
      name: c.name,
      type: sameTypeAsSqlite[c.dataType] ?? c.dataType,
      nullable: c.isNullable,
      default: c.hasDefaultValue,
    }));
    expect(onSqlite.length).toBeGreaterThan(15);
    expect(onPostgres).toEqual(onSqlite);
  });
});

describe("text on PostgreSQL", () => {
  it("compares by bytes in every text column, as SQLite does", async () => {
    const db = await postgres.migrated();
    const { rows } = await sql<{ column: string }>`
      SELECT table_name || '.' || column_name AS column FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'text' AND table_name NOT LIKE 'kysely%'
        AND collation_name IS DISTINCT FROM 'C'`.execute(db);
    // A later migration's text column needs COLLATE "C" on PostgreSQL too (see 0013).
    expect(rows.map((r) => r.column)).toEqual([]);
  });

  it("sorts names as SQLite does on a database whose own collation sorts them otherwise", async () => {
    // ICU's en-US puts "alice" before "Bob"; bytes put capitals first.
    const database = await freshPostgres(TEST_POSTGRES_URL, {
      options: "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'",
    });
    const db = openPostgres(database.url, { poolSize: 1, log: silentLogger });
    onTestFinished(async () => {
      await db.destroy();
      await database.drop();
    });
    await migrateToLatest(db as Kysely<unknown>);
    const store = kyselyStore(db);
    for (const name of ["alice", "Bob", "Émile", "Zoë"]) {
      await store.staff.create({
        id: randomUUID(),
        name,
        email: `${randomUUID()}@council.example`,
        passwordHash: "x",
        createdAt: "2026-11-28T10:00:00.000Z",
        role: "officer",
        disabledAt: null,
      });
    }
    expect((await store.staff.list()).map((s) => s.name)).toEqual(["Bob", "Zoë", "alice", "Émile"]);
  });
});
