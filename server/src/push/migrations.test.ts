import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { pushMigrations } from "./migrations";

let file: SQLite.Database | undefined;
afterEach(() => file?.close());

/** A database as 0003_push left it, with a devices table that still has the tablet-reported push_state. */
async function before0009() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-push-migration-"));
  file = new SQLite(path.join(dir, "letterbox.sqlite"));
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: file }) });
  await sql`CREATE TABLE residents (id text PRIMARY KEY)`.execute(db);
  await sql`CREATE TABLE family_links (id text PRIMARY KEY)`.execute(db);
  await sql`CREATE TABLE devices (id text PRIMARY KEY, push_state text)`.execute(db);
  await pushMigrations["0003_push"]?.up(db);
  return db;
}

const rows = (table: string) => file?.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();

describe("0009_push_state", () => {
  it("moves a tablet's push failure next to its push state, marks pruned ones failing, and drops the reported copy", async () => {
    const db = await before0009();
    const T = "2026-11-28T10:00:00.000Z";
    const U = "2026-11-29T08:00:00.000Z";
    file?.exec(`
      INSERT INTO residents VALUES ('r');
      INSERT INTO family_links VALUES ('f');
      INSERT INTO devices VALUES ('refused', 'subscribed'), ('pruned', 'subscribed'), ('denied', 'permission_denied'), ('fine', 'subscribed');
      INSERT INTO push_subscriptions VALUES
        ('s1', 'https://fcm.googleapis.com/1', 'k', 'a', 'r', 'refused', NULL, '${T}', '${T}', 'http_403'),
        ('s2', 'https://fcm.googleapis.com/2', 'k', 'a', 'r', NULL, 'f', '${T}', '${T}', 'http_503'),
        ('s3', 'https://fcm.googleapis.com/3', 'k', 'a', 'r', 'fine', NULL, '${T}', NULL, NULL);
      INSERT INTO push_device_states VALUES
        ('refused', 'subscribed', '${T}'), ('pruned', 'expired', '${U}'), ('denied', 'permission_denied', '${T}'),
        ('fine', 'subscribed', '${T}');
    `);

    await pushMigrations["0009_push_state"]?.up(db);

    expect(rows("push_device_states")).toEqual([
      { device_id: "refused", state: "subscribed", updated_at: T, failing_since: T, problem: "refused_key" },
      { device_id: "pruned", state: "expired", updated_at: U, failing_since: U, problem: "gone" },
      { device_id: "denied", state: "permission_denied", updated_at: T, failing_since: null, problem: null },
      { device_id: "fine", state: "subscribed", updated_at: T, failing_since: null, problem: null },
    ]);
    // A family member's subscription keeps its own failure; a tablet's lives with its push state now.
    expect(rows("push_subscriptions")?.map((r) => (r as { failing_since: string | null }).failing_since)).toEqual([
      null,
      T,
      null,
    ]);
    expect(rows("devices")).toEqual([{ id: "refused" }, { id: "pruned" }, { id: "denied" }, { id: "fine" }]);
  });
});
