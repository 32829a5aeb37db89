import { Kysely, type LogConfig, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Logger } from "../log";
import type { Database } from "./schema";

export type PostgresOptions = {
  /** Connections the relay opens at most (DATABASE_POOL_SIZE); more queries than that wait their turn. */
  poolSize: number;
  /** A query that runs longer is cancelled, so a stuck one gives its connection back. */
  statementTimeoutMs?: number;
  log: Logger;
  /** Sees every statement sent, transactions' begin and commit included (Kysely's `log`). */
  queryLog?: LogConfig;
};

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
/** How long a query waits for a connection (or for the server to answer one) before it fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the relay's PostgreSQL database, without migrating it (db/open-database.ts does both).
 *
 * synchronous_commit is asked for explicitly, whatever the server or role defaults to: a commit
 * waits for the write-ahead log to reach the disk, as synchronous=FULL does for SQLite, so an
 * acknowledged message survives a power cut.
 *
 * A pooled connection the server drops while idle (a restart, a failover) is reported through the
 * pool's 'error' event; it is logged, the pool opens a new connection for the next query, and the
 * relay goes on rather than crash.
 */
export function openPostgres(url: string, options: PostgresOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    options: "-c synchronous_commit=on",
    application_name: "letterbox",
    types: relayTypes,
  });
  pool.on("error", (err) => options.log("database.connection_lost", { error: err.message }));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.queryLog && { log: options.queryLog }) });
}

/**
 * Values come back as the SQLite store gets them, so one store runs on both engines:
 * - int8 (COUNT(*), SUM of integers, bigint columns such as a tablet's storage bytes) becomes a
 *   number rather than node-postgres's string. Every such value the relay keeps is far below 2^53;
 *   one that is not fails its query rather than come back rounded.
 * - integer, real and double precision are numbers already; text stays text (times are ISO-8601
 *   text on both engines, so no date parsing is involved).
 * - numeric (SUM of a bigint, AVG) becomes a number too, as SQLite gives: a whole one under the
 *   same rule as int8, a fraction rounded to the nearest double as SQLite's REAL would be.
 * - numUpdatedRows / numDeletedRows are bigint on both engines (Kysely makes them so), and
 *   insertId is undefined on PostgreSQL: use `.returning(...)` for a new row's id.
 */
const relayTypes = new pg.TypeOverrides();
relayTypes.setTypeParser(pg.types.builtins.INT8, (text: string) => wholeNumber(text));
relayTypes.setTypeParser(pg.types.builtins.NUMERIC, (text: string) => (/[.eE]/.test(text) ? Number(text) : wholeNumber(text)));

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${text} is too large for the relay to read as a number`);
  return value;
}

/**
 * Runs `run` on the connection `db` is bound to (from `db.connection().execute`) with no statement
 * timeout, then gives the connection back its usual one.
 */
export async function withoutStatementTimeout<T>(db: Kysely<unknown>, run: () => Promise<T>): Promise<T> {
  await sql`SET statement_timeout = 0`.execute(db);
  let result: T;
  try {
    result = await run();
  } catch (err) {
    // The connection may be what failed; the first error is the one worth reporting.
    await sql`RESET statement_timeout`.execute(db).catch(() => undefined);
    throw err;
  }
  await sql`RESET statement_timeout`.execute(db);
  return result;
}
