import type { Kysely, LogConfig } from "kysely";
import type { Config } from "../config";
import type { Logger } from "../log";
import { migrateToLatest } from "./migrations";
import { openPostgres } from "./postgres";
import type { Database } from "./schema";
import { openSqlite } from "./sqlite";

/**
 * The relay's database as the configuration names it, migrated: the SQLite file in the data folder
 * by default, or PostgreSQL when DATABASE_URL is set.
 */
export async function openDatabase(
  config: Pick<Config, "dataDir" | "database">,
  log: Logger,
  queryLog?: LogConfig,
): Promise<Kysely<Database>> {
  if (config.database.engine === "sqlite") return openSqlite(config.dataDir, queryLog);
  const db = openPostgres(config.database.url, { poolSize: config.database.poolSize, log, queryLog });
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    // The pool would keep the process alive after the start has failed.
    await db.destroy();
    throw err;
  }
  return db;
}
