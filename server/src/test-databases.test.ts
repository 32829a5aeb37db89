import pg from "pg";
import { describe, expect, it } from "vitest";
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
