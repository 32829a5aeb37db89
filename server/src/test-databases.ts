/**
 * Databases for tests that must hold on both engines: a SQLite file in a temp folder, or a
 * PostgreSQL database of the test's own on the server LETTERBOX_TEST_POSTGRES_URL names. Either is
 * removed when the test finishes.
 *
 *   describe.each(engines)("the store on $name", (engine) => {
 *     it("…", async () => { const db = await engine.migrated(); … });
 *   });
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely, LogConfig } from "kysely";
import { afterAll, onTestFinished } from "vitest";
import type { DatabaseConfig } from "./config";
import { migrateToLatest } from "./db/migrations";
import { openPostgres } from "./db/postgres";
import type { Database } from "./db/schema";
import { DATABASE_FILE, openSqliteFile } from "./db/sqlite";
import { silentLogger } from "./log";

export { type FreshPostgres, freshPostgres, TEST_POSTGRES_URL } from "./fresh-postgres";

import { type FreshPostgres, freshPostgres, TEST_POSTGRES_URL } from "./fresh-postgres";

export type TestDatabase = {
  /** A new connection to the database (not migrated), closed when the test finishes if not before. */
  open(): Kysely<Database>;
};

export type MigratedDatabase = {
  /** The first connection, on a database with every migration run. */
  db: Kysely<Database>;
  /**
   * Another connection to the same database, as a second relay instance would have; closed with
   * the test. `queryLog` sees each statement it sends (Kysely's `log`).
   */
  open(queryLog?: LogConfig): Kysely<Database>;
  /** What the relay's configuration says for this database (DATABASE_URL on PostgreSQL). */
  config: DatabaseConfig;
};

export type Engine = {
  name: "sqlite" | "postgres";
  /** An empty database of the test's own. Call inside a test. */
  empty(): Promise<TestDatabase>;
  /** A new database with every migration run. Call inside a test. */
  migrated(): Promise<Kysely<Database>>;
  /** The same, with the means to open more connections to it. Call inside a test. */
  migratedDatabase(): Promise<MigratedDatabase>;
  /**
   * The database a test relay with the data folder `dataDir` keeps its records in, made for the
   * test and removed after it: the folder's own SQLite file, or a migrated PostgreSQL database.
   */
  relayDatabase(dataDir: string): Promise<DatabaseConfig>;
};

type Created = { open(queryLog?: LogConfig): Kysely<Database>; remove(): Promise<void>; config: DatabaseConfig };

function engine(
  name: Engine["name"],
  create: { empty(): Promise<Created>; migrated(): Promise<Created>; forRelay(dataDir: string): Promise<Created> },
): Engine {
  const track = (database: Created) => {
    const opened: Kysely<Database>[] = [];
    onTestFinished(async () => {
      // Kysely's destroy does nothing the second time, so a test may close a connection itself.
      for (const db of opened) await db.destroy();
      await database.remove();
    });
    return (queryLog?: LogConfig) => {
      const db = database.open(queryLog);
      opened.push(db);
      return db;
    };
  };
  const migratedDatabase = async (): Promise<MigratedDatabase> => {
    const database = await create.migrated();
    const open = track(database);
    return { db: open(), open, config: database.config };
  };
  return {
    name,
    empty: async () => ({ open: track(await create.empty()) }),
    migratedDatabase,
    migrated: async () => (await migratedDatabase()).db,
    async relayDatabase(dataDir) {
      const database = await create.forRelay(dataDir);
      // The relay opens its own connections; this only removes the database after the test.
      onTestFinished(() => database.remove());
      return database.config;
    },
  };
}

function sqliteIn(dir: string, removeDir: boolean): Created {
  return {
    open: (queryLog) => openSqliteFile(path.join(dir, DATABASE_FILE), queryLog),
    remove: async () => {
      if (removeDir) fs.rmSync(dir, { recursive: true, force: true });
    },
    config: { engine: "sqlite" },
  };
}

const tempFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-engine-"));

export const sqlite: Engine = engine("sqlite", {
  empty: async () => sqliteIn(tempFolder(), true),
  async migrated() {
    const database = sqliteIn(tempFolder(), true);
    const db = database.open();
    await migrateToLatest(db as Kysely<unknown>);
    await db.destroy();
    return database;
  },
  // The relay makes and migrates the file in its data folder, which the test removes itself.
  forRelay: async (dataDir) => sqliteIn(dataDir, false),
});

const POOL_SIZE = 4;

function postgresAt(database: FreshPostgres): Created {
  return {
    open: (queryLog) => openPostgres(database.url, { poolSize: POOL_SIZE, log: silentLogger, queryLog }),
    remove: database.drop,
    config: { engine: "postgres", url: database.url, poolSize: POOL_SIZE },
  };
}

export const postgres: Engine = engine("postgres", {
  empty: async () => postgresAt(await freshPostgres()),
  migrated: async () => postgresAt(await migratedPostgres()),
  forRelay: async () => postgresAt(await migratedPostgres()),
});

export const engines: readonly Engine[] = [sqlite, postgres];

/**
 * Running the migrations takes a good fraction of a second on PostgreSQL; copying a migrated
 * database is quicker. So each test file migrates one template database, once, and every test
 * that wants a migrated database gets a copy of it (CREATE DATABASE … TEMPLATE).
 */
let template: Promise<FreshPostgres> | undefined;

async function migratedPostgres(): Promise<FreshPostgres> {
  template ??= (async () => {
    const database = await freshPostgres();
    const db = openPostgres(database.url, { poolSize: 1, log: silentLogger });
    try {
      await migrateToLatest(db as Kysely<unknown>);
    } finally {
      // A template must have no connections while it is copied.
      await db.destroy();
    }
    return database;
  })();
  return freshPostgres(TEST_POSTGRES_URL, { options: `TEMPLATE ${(await template).name}` });
}

afterAll(async () => {
  const made = template;
  template = undefined;
  if (made) await (await made).drop();
});
