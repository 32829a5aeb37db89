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
  swept ??= sweepStaleTestDatabases(serverUrl).catch(() => []);
  await swept;
  // Test files run in parallel processes and workers; the pid says whose a database is, and the
  // random part keeps one process's databases apart.
  const name = `letterbox_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}${create.options ? ` ${create.options}` : ""}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

let swept: Promise<string[]> | undefined;

const TEST_DATABASE_NAME = /^letterbox_test_(\d+)_[0-9a-f]{8}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", ""]);

/**
 * Drops the test databases that a killed test run left behind: those named for a process that is
 * no longer running on this machine, with nobody connected. It does nothing on a server elsewhere,
 * whose test processes' ids mean nothing here. Returns the names dropped. Each process runs it once,
 * before its first database.
 */
export async function sweepStaleTestDatabases(serverUrl = TEST_POSTGRES_URL): Promise<string[]> {
  if (!LOOPBACK.has(new URL(serverUrl).hostname)) return [];
  const rows = await onServer<{ name: string }>(
    serverUrl,
    `SELECT datname AS name FROM pg_database d
      WHERE datname LIKE 'letterbox\\_test\\_%'
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)`,
  );
  const stale = rows.map((row) => row.name).filter((name) => !processRunning(Number(TEST_DATABASE_NAME.exec(name)?.[1])));
  for (const name of stale) await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name}`);
  return stale;
}

function processRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

async function onServer<Row = unknown>(serverUrl: string, statement: string): Promise<Row[]> {
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
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}
