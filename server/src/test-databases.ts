/**
 * Databases for tests that must hold on both engines: a SQLite file in a temp folder, or a
 * PostgreSQL database of the test's own on the server LETTERBOX_TEST_POSTGRES_URL names. Either is
 * removed when the test finishes.
 *
 *   describe.each(engines)("the store on $name", (engine) => {
 *     it("…", async () => { const db = await engine.migrated(); … });
 *   });
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import { onTestFinished } from "vitest";
import { migrateToLatest } from "./db/migrations";
import { openPostgres } from "./db/postgres";
import type { Database } from "./db/schema";
import { DATABASE_FILE, openSqliteFile } from "./db/sqlite";
import { silentLogger } from "./log";

export const TEST_POSTGRES_URL = process.env.LETTERBOX_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";

export type FreshPostgres = {
  /** The new database's address: the server's, with the database name replaced. */
  url: string;
  name: string;
  /** Ends every connection to the database and drops it. */
  drop(): Promise<void>;
};

/**
 * Creates an empty database with a name no other test (or test process) uses. `serverUrl` is any
 * database on the server, used only to create and drop this one.
 */
export async function freshPostgres(serverUrl = TEST_POSTGRES_URL): Promise<FreshPostgres> {
  // Test files run in parallel processes and workers; the random part keeps their names apart.
  const name = `letterbox_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function onServer(serverUrl: string, statement: string) {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    const where = new URL(serverUrl);
    where.password = "";
    throw new Error(
      `The PostgreSQL tests cannot reach a server at ${where} (${err instanceof Error ? err.message : String(err)}). ` +
        "Start one (on Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start, or run .ci/run, which installs and starts it), " +
        "or set LETTERBOX_TEST_POSTGRES_URL to a server where the tests may create databases.",
      { cause: err },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export type TestDatabase = {
  /** A new connection to the database (not migrated), closed when the test finishes if not before. */
  open(): Kysely<Database>;
};

export type Engine = {
  name: "sqlite" | "postgres";
  /** An empty database of the test's own. Call inside a test. */
  empty(): Promise<TestDatabase>;
  /** A new database with every migration run. Call inside a test. */
  migrated(): Promise<Kysely<Database>>;
};

function engine(name: Engine["name"], create: () => Promise<{ open(): Kysely<Database>; remove(): Promise<void> }>): Engine {
  const empty = async (): Promise<TestDatabase> => {
    const database = await create();
    const opened: Kysely<Database>[] = [];
    onTestFinished(async () => {
      // Kysely's destroy does nothing the second time, so a test may close a connection itself.
      for (const db of opened) await db.destroy();
      await database.remove();
    });
    return {
      open() {
        const db = database.open();
        opened.push(db);
        return db;
      },
    };
  };
  return {
    name,
    empty,
    async migrated() {
      const db = (await empty()).open();
      await migrateToLatest(db as Kysely<unknown>);
      return db;
    },
  };
}

export const sqlite: Engine = engine("sqlite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-engine-"));
  return {
    open: () => openSqliteFile(path.join(dir, DATABASE_FILE)),
    remove: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

export const postgres: Engine = engine("postgres", async () => {
  const database = await freshPostgres();
  return { open: () => openPostgres(database.url, { poolSize: 4, log: silentLogger }), remove: database.drop };
});

export const engines: readonly Engine[] = [sqlite, postgres];
