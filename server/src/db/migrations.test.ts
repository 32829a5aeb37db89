import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import type { Kysely, Migration } from "kysely";
import { describe, expect, it, onTestFinished } from "vitest";
import { allMigrations, runMigrations } from "./migrations";
import { DATABASE_FILE, openSqlite, openSqliteFile } from "./sqlite";

function tempFolder() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-migrations-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir, file: path.join(dataDir, DATABASE_FILE) };
}

/** Creates a table, then fails: what a kill or a bug half-way through an upgrade leaves behind. */
const halfWay: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable("half_done").addColumn("id", "text").execute();
    throw new Error("disk full half-way");
  },
};

function tablesOf(file: string) {
  const db = new SQLite(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const ran = tables.includes("kysely_migration")
      ? db.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all()
      : [];
    return { tables, ran };
  } finally {
    db.close();
  }
}

describe("migrations", () => {
  it("leave a new database empty when one fails at first start, and the next start succeeds", async () => {
    const { dataDir, file } = tempFolder();
    const db = openSqliteFile(file);
    const failing = runMigrations(db as Kysely<unknown>, { ...allMigrations, "0999_half_way": halfWay });
    await expect(failing).rejects.toThrow(/Database migration 0999_half_way failed: disk full half-way/);
    await db.destroy();

    // Nothing of the earlier migrations in the same run stays either: `staff already exists` was
    // the error that kept such a folder from ever starting again.
    const after = tablesOf(file);
    expect(after.tables).not.toContain("staff");
    expect(after.tables).not.toContain("half_done");
    expect(after.ran).toEqual([]);

    const reopened = await openSqlite(dataDir);
    onTestFinished(() => reopened.destroy());
    expect(tablesOf(file).ran).toEqual(Object.keys(allMigrations).sort());
  });

  it("leave an upgraded database exactly as it was when the new migration fails", async () => {
    const { dataDir, file } = tempFolder();
    const first = await openSqlite(dataDir);
    await first.destroy();
    const before = tablesOf(file);

    const db = openSqliteFile(file);
    await expect(runMigrations(db as Kysely<unknown>, { ...allMigrations, "0999_half_way": halfWay })).rejects.toThrow(
      "disk full half-way",
    );
    await db.destroy();
    expect(tablesOf(file)).toEqual(before);

    const again = await openSqlite(dataDir);
    onTestFinished(() => again.destroy());
    expect(tablesOf(file)).toEqual(before);
  });

  it("say why in the message when the database has run a migration this relay does not know", async () => {
    const { dataDir, file } = tempFolder();
    await (await openSqlite(dataDir)).destroy();
    const raw = new SQLite(file);
    raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('0999_from_a_newer_relay', '2026-12-01')").run();
    raw.close();
    await expect(openSqlite(dataDir)).rejects.toThrow(
      /^Database migrations could not run: corrupted migrations: previously executed migration 0999_from_a_newer_relay is missing/,
    );
  });

  it("leave family links, messages and tablets from before relationships and battery readings without either", async () => {
    const { dataDir, file } = tempFolder();
    const before = Object.fromEntries(Object.entries(allMigrations).filter(([name]) => name < "0010"));
    const old = openSqliteFile(file);
    await runMigrations(old as Kysely<unknown>, before);
    await old.destroy();
    const raw = new SQLite(file);
    raw.exec(`
      INSERT INTO residents (id, full_name, preferred_name, created_at) VALUES ('r', 'Margaret Jones', 'Margaret', '2026-11-01');
      INSERT INTO family_links (id, resident_id, label, token_hash, created_at) VALUES ('l', 'r', 'Sarah (daughter)', 'h', '2026-11-01');
      INSERT INTO messages (id, resident_id, family_link_id, sender_name, text, sent_at, seq) VALUES ('m', 'r', 'l', 'Sarah (daughter)', 'Hi', '2026-11-01', 1);
      INSERT INTO devices (id, resident_id, token_hash, paired_at) VALUES ('d', 'r', 'dh', '2026-11-01');`);
    raw.close();

    const db = await openSqlite(dataDir);
    onTestFinished(() => db.destroy());
    expect(await db.selectFrom("family_links").select(["label", "relationship"]).execute()).toEqual([
      { label: "Sarah (daughter)", relationship: null },
    ]);
    expect(await db.selectFrom("messages").select(["sender_name", "sender_relationship"]).execute()).toEqual([
      { sender_name: "Sarah (daughter)", sender_relationship: null },
    ]);
    expect(await db.selectFrom("devices").select(["battery_level", "battery_charging"]).execute()).toEqual([
      { battery_level: null, battery_charging: null },
    ]);
  });

  it("are why the relay says it cannot start, in the line it prints", async () => {
    const { dataDir, file } = tempFolder();
    await (await openSqlite(dataDir)).destroy();
    const raw = new SQLite(file);
    raw.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('0999_from_a_newer_relay', '2026-12-01')").run();
    raw.close();
    const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: serverDir,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.split("\n")[0]).toContain("previously executed migration 0999_from_a_newer_relay is missing");
  }, 30_000);
});
