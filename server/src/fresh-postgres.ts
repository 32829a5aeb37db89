/**
 * A throwaway PostgreSQL database on the server LETTERBOX_TEST_POSTGRES_URL names, for tests,
 * end-to-end specs and benchmarks. No test runner in here: the e2e suite and the benchmarks run
 * outside vitest (test-databases.ts builds vitest's helpers on it).
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_POSTGRES_URL = process.env.LETTERBOX_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres";

export type FreshPostgres = {
  /** The new database's address: the server's, with the database name replaced. */
  url: string;
  name: string;
  /** Ends every connection to the database and drops it. */
  drop(): Promise<void>;
};

/**
 * Creates an empty database with a name no other test (or test process) uses; `options` are
 * CREATE DATABASE's (a TEMPLATE to copy, a collation). `serverUrl` is any database on the server,
 * used only to create and drop this one.
 */
export async function freshPostgres(serverUrl = TEST_POSTGRES_URL, create: { options?: string } = {}): Promise<FreshPostgres> {
  // Test files run in parallel processes and workers; the random part keeps their names apart.
  const name = `letterbox_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}${create.options ? ` ${create.options}` : ""}`);
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
