import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from "kysely";

/**
 * What one migration must say differently to each engine. On SQLite each helper gives exactly the
 * words the migration used before PostgreSQL was supported, so a data folder made then and one
 * made now have the same schema (db/sqlite-schema-0011.sql is the record of it).
 */
export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A primary key the database numbers. SQLite's AUTOINCREMENT has no PostgreSQL spelling; an
 * identity column is its equivalent. "By default" lets a copied row keep its number.
 */
export function identityPrimaryKey(db: Kysely<unknown>): [type: "bigint" | "integer", build: ColumnBuilder] {
  return isPostgres(db)
    ? ["bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity()]
    : ["integer", (c) => c.primaryKey().autoIncrement()];
}

type ColumnBuilder = (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/** A whole number that may pass 2^31 (a tablet's storage in bytes): SQLite's integer is 64-bit, PostgreSQL's is not. */
export function bigInteger(db: Kysely<unknown>) {
  return isPostgres(db) ? "bigint" : "integer";
}

/** An 8-byte float, as SQLite's real is; PostgreSQL's real has 4 bytes. */
export function double(db: Kysely<unknown>) {
  return isPostgres(db) ? "double precision" : "real";
}
