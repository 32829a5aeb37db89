import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { conversationSchema } from "@letterbox/shared";
import { describe, expect, it, onTestFinished } from "vitest";
import { expectBody, firstStaff, type Relay, send, startRelay, sync } from "../test-support";
import { BackupError, backupDatabase, restoreDatabase } from "./backup";

function backupFolder() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-backups-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A tablet as the sync contract asks it to behave: it keeps its cursor and the log identity it
 * came from, and reads again from the start when the identity changes or its cursor is beyond the
 * relay's head. It keeps every message it has (by id), as the real one does.
 */
class ContractTablet {
  cursor = 0;
  logId: string | null = null;
  readonly messages = new Map<string, string>();

  constructor(readonly deviceToken: string) {}

  async catchUp(relay: Relay) {
    for (;;) {
      const page = await sync(relay, this.deviceToken, `?after=${this.cursor}`);
      if ((this.logId !== null && page.logId !== this.logId) || this.cursor > page.head) {
        this.logId = page.logId;
        this.cursor = 0;
        continue;
      }
      this.logId = page.logId;
      for (const e of page.entries) if (e.kind === "message") this.messages.set(e.message.id, e.message.text);
      this.cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }

  texts() {
    return [...this.messages.values()];
  }
}

describe("log identity", () => {
  it("is in every sync page with the resident's head, and in the family's conversation", async () => {
    const relay = await startRelay();
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    for (const text of ["one", "two", "three"]) await send(relay, familyToken, text);

    const first = await sync(relay, deviceToken, "?after=0&limit=1");
    expect(first).toMatchObject({ cursor: 1, head: 3, hasMore: true });
    expect(first.logId).toMatch(/^[0-9a-f-]{36}$/);
    const beyond = await sync(relay, deviceToken, "?after=7");
    expect(beyond).toMatchObject({ entries: [], cursor: 7, head: 3, logId: first.logId });

    const res = await relay.request("/api/family/conversation", { bearer: familyToken });
    expect((await expectBody(res, 200, conversationSchema)).logId).toBe(first.logId);
  });

  it("survives a restart and changes with a restore, so a tablet ahead of the backup still gets every new message", async () => {
    const before = await startRelay();
    const staff = await firstStaff(before);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const tablet = new ContractTablet(deviceToken);
    await send(before, familyToken, "before the backup 1");
    await send(before, familyToken, "before the backup 2");
    await tablet.catchUp(before);

    // Online: the relay is running while the copy is made.
    const file = path.join(backupFolder(), "letterbox-backup.sqlite");
    await backupDatabase(before.dataDir, file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await send(before, familyToken, "after the backup 1");
    await send(before, familyToken, "after the backup 2");
    await send(before, familyToken, "after the backup 3");
    await tablet.catchUp(before);
    expect(tablet.cursor).toBe(5);
    const oldLogId = tablet.logId;

    await before.db.destroy();
    const restored = await restoreDatabase(before.dataDir, file);
    expect(restored.previous).not.toBeNull();
    expect(fs.existsSync(restored.previous ?? "")).toBe(true);

    const after = await startRelay({ dataDir: before.dataDir });
    // Up to the restored head plus one more: with no identity the tablet would ask for "after 5",
    // and the first new messages would be skipped for good.
    const fresh = ["after the restore 1", "after the restore 2", "after the restore 3", "after the restore 4"];
    for (const text of fresh) await send(after, familyToken, text);
    const page = await sync(after, deviceToken, "?after=0");
    expect(page.logId).not.toBe(oldLogId);
    expect(page.head).toBe(6);
    const res = await after.request("/api/family/conversation", { bearer: familyToken });
    expect((await expectBody(res, 200, conversationSchema)).logId).toBe(page.logId);

    await tablet.catchUp(after);
    expect(tablet.texts()).toEqual([
      "before the backup 1",
      "before the backup 2",
      "after the backup 1",
      "after the backup 2",
      "after the backup 3",
      ...fresh,
    ]);
    expect(tablet.cursor).toBe(6);

    // A restart keeps the identity: only a restore (or a backup copy) changes it.
    await after.db.destroy();
    const again = await startRelay({ dataDir: before.dataDir });
    expect((await sync(again, deviceToken, "?after=6")).logId).toBe(page.logId);
  });

  it("differs between the live database, its backup and each restore of that backup", async () => {
    const relay = await startRelay();
    const staff = await firstStaff(relay);
    const { deviceToken } = await staff.household("Margaret");
    const live = (await sync(relay, deviceToken)).logId;
    const file = path.join(backupFolder(), "copy.sqlite");
    const { logId: copy } = await backupDatabase(relay.dataDir, file);
    await relay.db.destroy();
    const { logId: first } = await restoreDatabase(relay.dataDir, file);
    const { logId: second } = await restoreDatabase(relay.dataDir, file);
    expect(new Set([live, copy, first, second]).size).toBe(4);
    const reopened = await startRelay({ dataDir: relay.dataDir });
    expect((await sync(reopened, deviceToken)).logId).toBe(second);
  });
});

describe("backup and restore refuse", () => {
  it("to overwrite a file, to restore under a running relay, or to restore what is not a Letterbox backup", async () => {
    const relay = await startRelay();
    const dir = backupFolder();
    const file = path.join(dir, "copy.sqlite");
    await backupDatabase(relay.dataDir, file);
    await expect(backupDatabase(relay.dataDir, file)).rejects.toThrow(/already exists/);

    await expect(restoreDatabase(relay.dataDir, file)).rejects.toThrow(/The relay is running/);

    const notABackup = path.join(dir, "notes.txt");
    fs.writeFileSync(notABackup, "not a database at all, but long enough to look like a file of some sort");
    await expect(restoreDatabase(relay.dataDir, notABackup)).rejects.toBeInstanceOf(BackupError);
    await expect(restoreDatabase(relay.dataDir, path.join(dir, "missing.sqlite"))).rejects.toThrow(/There is no file/);
    // Still the relay's own database, untouched by the refusals.
    expect(fs.readdirSync(relay.dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);
  });
});
