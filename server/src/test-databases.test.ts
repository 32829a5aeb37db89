import { spawn } from "node:child_process";
import { once } from "node:events";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { sweepStaleTestDatabases } from "./fresh-postgres";
import { freshPostgres, TEST_POSTGRES_URL } from "./test-databases";

async function databaseExists(name: string) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("freshPostgres", () => {
  it("makes an empty database of the test's own, and drop takes it away though a connection is still open", async () => {
    const [first, second] = await Promise.all([freshPostgres(), freshPostgres()]);
    if (!first || !second) throw new Error("two databases were asked for");
    expect(first.name).not.toBe(second.name);
    expect(first.name).toMatch(/^letterbox_test_\d+_[0-9a-f]{8}$/);
    await second.drop();

    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    client.on("error", () => {});
    expect(
      (
        await client.query(
          "SELECT current_database() AS name, count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'",
        )
      ).rows,
    ).toEqual([{ name: first.name, tables: 0 }]);
    await first.drop();
    expect(await databaseExists(first.name)).toBe(false);
    expect(await databaseExists(second.name)).toBe(false);
    await client.end().catch(() => undefined);
  });

  it("fails, saying how to start PostgreSQL, when no server answers", async () => {
    await expect(freshPostgres("postgres://postgres:secret@127.0.0.1:1/postgres")).rejects.toThrow(
      /^The PostgreSQL tests cannot reach a server at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres \(.*ECONNREFUSED.*\)\. Start one \(on Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start, or run \.ci\/run, which installs and starts it\), or set LETTERBOX_TEST_POSTGRES_URL/,
    );
  });
});

/** A process of this machine's that is running until the test ends, and its pid. */
async function runningProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  await once(child, "spawn");
  onTestFinished(() => {
    child.kill();
  });
  return child;
}

async function endedProcessId() {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  if (!child.pid) throw new Error("the process had no pid");
  return child.pid;
}

async function createDatabase(name: string) {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  onTestFinished(async () => {
    const cleanup = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await cleanup.end();
  });
}

describe("sweepStaleTestDatabases", () => {
  it("drops the databases of test processes that have ended, and keeps those of running ones and those in use", async () => {
    const ended = await endedProcessId();
    const running = await runningProcess();
    const left = `letterbox_test_${ended}_0badc0de`;
    const kept = `letterbox_test_${running.pid}_0badc0de`;
    const inUse = `letterbox_test_${ended}_feedf00d`;
    const notOurs = "letterbox_test_reports";
    for (const name of [left, kept, inUse, notOurs]) await createDatabase(name);
    const connected = new pg.Client({ connectionString: TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${inUse}`) });
    await connected.connect();
    connected.on("error", () => {});
    onTestFinished(() => connected.end().catch(() => undefined));

    // Other test runs on this server may have left databases too, so only these four are checked.
    const dropped = await sweepStaleTestDatabases();
    expect(dropped).toContain(left);
    for (const name of [kept, inUse, notOurs]) expect(dropped).not.toContain(name);
    expect(await databaseExists(left)).toBe(false);
    for (const name of [kept, inUse, notOurs]) expect(await databaseExists(name)).toBe(true);
  });

  it("leaves a server on another machine alone", async () => {
    await expect(sweepStaleTestDatabases("postgres://postgres@db.example.invalid:5432/postgres")).resolves.toEqual([]);
  });
});
