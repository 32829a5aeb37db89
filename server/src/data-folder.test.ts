import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { describe, expect, it, onTestFinished } from "vitest";
import { openDataFolder } from "./data-folder";

function tempParent() {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-folder-"));
  onTestFinished(() => fs.rmSync(parent, { recursive: true, force: true }));
  return parent;
}

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

async function open(dataDir: string) {
  const folder = await openDataFolder(dataDir);
  onTestFinished(() => folder.db.destroy());
  return folder;
}

describe.skipIf(process.platform === "win32")("the data folder's permissions", () => {
  it("makes a new folder, its database, WAL and photos readable by the relay's user only", async () => {
    // Under the usual umask (022), which would leave everything readable by every local user.
    const dataDir = path.join(tempParent(), "var", "letterbox");
    const { db, photos, openToOthers } = await open(dataDir);
    await sql`CREATE TABLE IF NOT EXISTS probe (n INTEGER)`.execute(db);
    await sql`INSERT INTO probe VALUES (1)`.execute(db);
    const { id } = await photos.save({
      display: { bytes: Buffer.from("display image"), width: 2, height: 1 },
      thumb: { bytes: Buffer.from("thumbnail"), width: 1, height: 1 },
    } as Parameters<typeof photos.save>[0]);

    expect(modeOf(path.dirname(dataDir))).toBe("700");
    expect(modeOf(dataDir)).toBe("700");
    for (const file of ["letterbox.sqlite", "letterbox.sqlite-wal", "letterbox.sqlite-shm"]) {
      expect([file, modeOf(path.join(dataDir, file))]).toEqual([file, "600"]);
    }
    const shard = path.join(dataDir, "photos", id.slice(0, 2));
    expect(modeOf(path.join(dataDir, "photos"))).toBe("700");
    expect(modeOf(path.join(dataDir, "photos", ".incoming"))).toBe("700");
    expect(modeOf(shard)).toBe("700");
    expect(fs.readdirSync(shard).map((f) => [f, modeOf(path.join(shard, f))])).toEqual([
      [`${id}.jpg`, "600"],
      [`${id}.thumb.jpg`, "600"],
    ]);
    expect(openToOthers).toEqual([]);
  });

  it("reports what in an existing folder is open to others, and leaves it as the operator set it", async () => {
    const dataDir = path.join(tempParent(), "data");
    await (await open(dataDir)).db.destroy();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, "letterbox.sqlite"), 0o644);
    fs.mkdirSync(path.join(dataDir, "photos"), { mode: 0o750 });
    fs.chmodSync(path.join(dataDir, "photos"), 0o750);

    const { openToOthers } = await open(dataDir);
    expect(openToOthers).toEqual([
      `${dataDir} (755)`,
      `${path.join(dataDir, "letterbox.sqlite")} (644)`,
      `${path.join(dataDir, "photos")} (750)`,
    ]);
    expect(modeOf(dataDir)).toBe("755");
  });

  it("says nothing about a folder that is private", async () => {
    const dataDir = path.join(tempParent(), "data");
    await (await open(dataDir)).db.destroy();
    expect((await open(dataDir)).openToOthers).toEqual([]);
  });
});
