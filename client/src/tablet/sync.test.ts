import "fake-indexeddb/auto";
import type { LogEntry, SyncPage } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LetterboxDb, openDb } from "../db/db";
import { applyPage, type PullLog, syncNow } from "./sync";

const entry = (seq: number, text = `message ${seq}`): LogEntry => ({
  seq,
  at: "2026-11-28T10:00:00.000Z",
  kind: "message",
  message: {
    id: `01900000-0000-7000-8000-${String(seq).padStart(12, "0")}`,
    senderName: "Sarah",
    text,
    sentAt: "2026-11-28T10:00:00.000Z",
  },
});

/** A relay's log in memory, served in pages exactly as the real endpoint does. */
function fakeRelay(log: LogEntry[], pageSize = 2) {
  const calls: number[] = [];
  const pull: PullLog = async (_token, after) => {
    calls.push(after);
    const later = log.filter((e) => e.seq > after);
    const entries = later.slice(0, pageSize);
    return { entries, cursor: entries.at(-1)?.seq ?? after, hasMore: later.length > pageSize };
  };
  return { pull, calls };
}

let db: LetterboxDb;
let n = 0;

beforeEach(async () => {
  db = openDb(`sync-test-${n++}`);
  await db.state.put({
    key: "tablet",
    deviceToken: "t",
    residentId: "r",
    preferredName: "Margaret",
    cursor: 0,
    lastSyncedAt: null,
  });
});

afterEach(async () => {
  await db.delete();
});

describe("syncNow", () => {
  it("pulls every page after the stored cursor and keeps the new cursor", async () => {
    const relay = fakeRelay([entry(1), entry(2), entry(3), entry(4), entry(5)]);
    const applied = await syncNow(db, relay.pull, () => new Date("2026-11-28T10:32:00Z"));
    expect(applied).toBe(5);
    expect(relay.calls).toEqual([0, 2, 4]);
    expect((await db.messages.orderBy("seq").toArray()).map((m) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `message ${i}`));
    expect(await db.state.get("tablet")).toMatchObject({ cursor: 5, lastSyncedAt: "2026-11-28T10:32:00.000Z" });
  });

  it("asks only for what is new on the next sync", async () => {
    const log = [entry(1), entry(2)];
    const relay = fakeRelay(log);
    await syncNow(db, relay.pull);
    log.push(entry(3));
    relay.calls.length = 0;
    expect(await syncNow(db, relay.pull)).toBe(1);
    expect(relay.calls).toEqual([2]);
  });

  it("leaves the saved messages and the cursor alone when the relay cannot be reached", async () => {
    await syncNow(db, fakeRelay([entry(1)]).pull);
    const offline: PullLog = async () => {
      throw new Error("offline");
    };
    await expect(syncNow(db, offline)).rejects.toThrow("offline");
    expect(await db.messages.count()).toBe(1);
    expect((await db.state.get("tablet"))?.cursor).toBe(1);
  });

  it("does nothing before the tablet is set up", async () => {
    await db.state.clear();
    const relay = fakeRelay([entry(1)]);
    expect(await syncNow(db, relay.pull)).toBe(0);
    expect(relay.calls).toEqual([]);
  });
});

describe("applyPage", () => {
  const page = (entries: LogEntry[]): SyncPage => ({ entries, cursor: entries.at(-1)?.seq ?? 0, hasMore: false });

  it("is idempotent: the same page twice stores each message once", async () => {
    expect(await applyPage(db, page([entry(1), entry(2)]))).toBe(2);
    expect(await applyPage(db, page([entry(1), entry(2)]))).toBe(0);
    expect(await db.messages.count()).toBe(2);
  });

  it("ignores an older page that arrives late and never moves the cursor back", async () => {
    await applyPage(db, page([entry(3, "newest")]));
    expect(await applyPage(db, page([entry(1, "stale copy")]))).toBe(0);
    expect(await db.messages.count()).toBe(1);
    expect((await db.state.get("tablet"))?.cursor).toBe(3);
  });
});
