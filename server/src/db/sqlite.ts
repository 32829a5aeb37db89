import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  type DialectAdapter,
  Kysely,
  type LogConfig,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
} from "kysely";
import { migrateToLatest } from "./migrations";
import type { Database } from "./schema";

/**
 * Opens (or creates) the embedded database. WAL lets readers go on while a write commits;
 * synchronous=FULL makes a commit wait for the disk, so an acknowledged message survives a power
 * cut.
 */
export async function openSqlite(dataDir: string, queryLog?: LogConfig): Promise<Kysely<Database>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = openSqliteFile(path.join(dataDir, DATABASE_FILE), queryLog);
  await migrateToLatest(db as Kysely<unknown>);
  return db;
}

/** The database's name inside the data folder. */
export const DATABASE_FILE = "letterbox.sqlite";

/**
 * Opens one database file as the relay uses it, without migrating it. `queryLog` sees every
 * statement sent, transactions' begin and commit included (Kysely's `log`).
 */
export function openSqliteFile(filePath: string, queryLog?: LogConfig): Kysely<Database> {
  const file = new SQLite(filePath);
  file.pragma("journal_mode = WAL");
  file.pragma("synchronous = FULL");
  file.pragma("foreign_keys = ON");
  file.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({
    dialect: new TransactionalDdlSqliteDialect({ database: withStatementCache(file) }),
    ...(queryLog && { log: queryLog }),
  });
  sqliteFiles.set(db, file);
  return db;
}

const sqliteFiles = new WeakMap<Kysely<Database>, SQLite.Database>();

/**
 * The SQLite connection under a Kysely opened by openSqliteFile, for the hot paths that use it
 * directly (db/sqlite-hot.ts); undefined for any other database.
 */
export function sqliteFileOf(db: Kysely<Database>): SQLite.Database | undefined {
  return sqliteFiles.get(db);
}

/**
 * Kysely's SQLite adapter says DDL cannot run in a transaction, so its Migrator runs each
 * migration statement by statement, and a relay killed half-way through one leaves tables that
 * make every later start fail. SQLite's DDL is transactional: saying so makes the Migrator run all
 * pending migrations, and the rows that record them, in one transaction. (A future migration must
 * therefore not need `PRAGMA foreign_keys`, which SQLite ignores inside a transaction.)
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl() {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
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
