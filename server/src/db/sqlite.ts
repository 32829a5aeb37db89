import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type SqliteDatabase, SqliteDialect, type SqliteStatement } from "kysely";
import { migrateToLatest } from "./migrations";
import type { Database } from "./schema";

/**
 * Opens (or creates) the embedded database. WAL lets readers go on while a write commits;
 * synchronous=FULL makes a commit wait for the disk, so an acknowledged message survives a power
 * cut.
 */
export async function openSqlite(dataDir: string): Promise<Kysely<Database>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = new SQLite(path.join(dataDir, "letterbox.sqlite"));
  file.pragma("journal_mode = WAL");
  file.pragma("synchronous = FULL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(file) }) });
  await migrateToLatest(db as Kysely<unknown>);
  return db;
}

/**
 * Kysely prepares every statement afresh; preparing costs as much as running a small query. The
 * relay's statements are a fixed set, so each is prepared once. (Kysely uses one connection and
 * one query at a time, so a cached statement is never in use twice.)
 */
function withStatementCache(file: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => file.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = file.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
