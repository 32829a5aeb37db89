import "fake-indexeddb/auto";
import type { LogEntry, SyncPage } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LetterboxDb, openDb } from "../db/db";
import { queueReply } from "./outbox";
import { markSeen } from "./receipts";
import { applyPage, pullAll, syncNow } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, message, photoIdFor, settings } from "./testing/fake-relay";

const at = (iso: string) => () => new Date(iso).getTime();

let db: LetterboxDb;
let relay: FakeRelay;

beforeEach(async () => {
  db = await pairedDb();
  relay = new FakeRelay();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const texts = async () => (await db.messages.orderBy("seq").toArray()).map((m) => m.text);
const page = (entries: LogEntry[], cursor = entries.at(-1)?.seq ?? 0): SyncPage => ({
  entries,
  cursor,
  hasMore: false,
  settings: settings(),
  logId: "log-1",
  head: cursor,
});

describe("pulling the log", () => {
  it("pulls every page after the stored cursor, keeps the new cursor and the time", async () => {
    for (let i = 1; i <= 5; i++) relay.addMessage(message(i));
    const applied = await syncNow(db, relay, { now: at("2026-11-28T10:32:00Z") });
    expect(applied).toEqual({ applied: 5, newMessages: 5 });
    expect(relay.callsOf("pull").map((c) => c.after)).toEqual([0, 2, 4]);
    expect(await texts()).toEqual([1, 2, 3, 4, 5].map((i) => `message ${i}`));
    expect(await db.state.get("tablet")).toMatchObject({ cursor: 5, lastSyncedAt: "2026-11-28T10:32:00.000Z" });
  });

  it("asks only for what is new on the next sync", async () => {
    relay.addMessage(message(1));
    relay.addMessage(message(2));
    await pullAll(db, relay);
    relay.addMessage(message(3));
    relay.calls.length = 0;
    expect((await pullAll(db, relay)).newMessages).toBe(1);
    expect(relay.callsOf("pull").map((c) => c.after)).toEqual([2]);
  });

  it("keeps the cursor across a restart (the database opened again)", async () => {
    relay.addMessage(message(1));
    relay.addMessage(message(2));
    relay.addMessage(message(3));
    await pullAll(db, relay);
    const name = db.name;
    db.close();
    db = openDb(name);
    relay.calls.length = 0;
    await pullAll(db, relay);
    expect(relay.callsOf("pull").map((c) => c.after)).toEqual([3]);
    expect(await texts()).toHaveLength(3);
  });

  it("leaves the saved messages and the cursor alone when the relay cannot be reached", async () => {
    relay.addMessage(message(1));
    await syncNow(db, relay);
    relay.offline = true;
    await expect(syncNow(db, relay)).rejects.toMatchObject({ status: 0 });
    expect(await db.messages.count()).toBe(1);
    expect((await db.state.get("tablet"))?.cursor).toBe(1);
  });

  it("does nothing before the tablet is set up", async () => {
    await db.state.clear();
    relay.addMessage(message(1));
    expect(await syncNow(db, relay)).toEqual({ applied: 0, newMessages: 0 });
    expect(relay.calls).toEqual([]);
  });

  it("keeps the resident's settings from the relay", async () => {
    relay.settings = settings({ language: "cy", textSize: "largest", paused: true });
    await syncNow(db, relay);
    expect(await db.settings.get("resident")).toMatchObject({ language: "cy", textSize: "largest", paused: true });
  });

  it("forgets everything of the resident's when staff wiped the tablet, so it shows the set-up screen", async () => {
    relay.addMessage(message(1));
    await syncNow(db, relay);
    const remembered = new Map([["letterbox.tablet.language", "cy"]]);
    vi.stubGlobal("localStorage", {
      getItem: (k: string) => remembered.get(k) ?? null,
      setItem: (k: string, v: string) => remembered.set(k, v),
      removeItem: (k: string) => remembered.delete(k),
    });
    relay.wipedTokens.add("device-token");
    await expect(syncNow(db, relay)).rejects.toMatchObject({ status: 410 });
    for (const table of db.tables) expect(await table.count(), table.name).toBe(0);
    expect(remembered.has("letterbox.tablet.language")).toBe(false);
    vi.unstubAllGlobals();
  });

  it("reports the tablet's health after a sync when it changed, and otherwise hourly", async () => {
    let clock = Date.parse("2026-11-28T10:00:00Z");
    const status = {
      appVersion: "0.1.0",
      language: "en-GB" as const,
      storageUsedBytes: 1000,
      storageQuotaBytes: 10_000,
      storagePersisted: true,
      pushState: "no_push_manager" as const,
    };
    const options = { now: () => clock, readStatus: async () => ({ ...status }) };
    await syncNow(db, relay, options);
    await syncNow(db, relay, options);
    expect(relay.statuses).toHaveLength(1);
    status.storageUsedBytes = 2000;
    await syncNow(db, relay, options);
    expect(relay.statuses.map((s) => s.storageUsedBytes)).toEqual([1000, 2000]);
    clock += 60 * 60_000;
    await syncNow(db, relay, options);
    expect(relay.statuses).toHaveLength(3);
    relay.fail("sendStatus", 500);
    clock += 60 * 60_000;
    await expect(syncNow(db, relay, options)).resolves.toBeDefined();
  });

  it("marks the tablet revoked when the relay no longer knows it, and stops asking", async () => {
    relay.revokedTokens.add("device-token");
    await expect(syncNow(db, relay)).rejects.toMatchObject({ status: 401 });
    expect((await db.state.get("tablet"))?.revoked).toBe(true);
    relay.calls.length = 0;
    await syncNow(db, relay);
    expect(relay.calls).toEqual([]);
  });
});

describe("applying a page", () => {
  it("is idempotent: the same page twice stores each message once", async () => {
    const entries = [relay.addMessage(message(1)), relay.addMessage(message(2))];
    expect(await applyPage(db, page(entries))).toEqual({ applied: 2, newMessages: 2 });
    expect(await applyPage(db, page(entries))).toEqual({ applied: 0, newMessages: 0 });
    expect(await db.messages.count()).toBe(2);
  });

  it("applies a reordered page in log order and skips duplicates within it", async () => {
    const [one, two, three] = [1, 2, 3].map((i) => relay.addMessage(message(i)));
    if (!one || !two || !three) throw new Error("no entries");
    relay.deleteMessage(message(2).id);
    const deletion = relay.log[3];
    if (!deletion) throw new Error("no deletion");
    await applyPage(db, page([deletion, three, one, two, one], 4));
    expect(await texts()).toEqual(["message 1", "message 3"]);
    expect((await db.state.get("tablet"))?.cursor).toBe(4);
  });

  it("ignores an older page that arrives late and never moves the cursor back", async () => {
    const [one, , three] = [1, 2, 3].map((i) => relay.addMessage(message(i)));
    if (!one || !three) throw new Error("no entries");
    await applyPage(db, page([three]));
    expect(await applyPage(db, page([one]))).toEqual({ applied: 0, newMessages: 0 });
    expect(await texts()).toEqual(["message 3"]);
    expect((await db.state.get("tablet"))?.cursor).toBe(3);
  });

  it("ignores a page pulled for a tablet that has since been set up again", async () => {
    const entry = relay.addMessage(message(1));
    expect(await applyPage(db, page([entry]), Date.now, { deviceToken: "someone-elses-token", after: 0 })).toEqual({
      applied: 0,
      newMessages: 0,
    });
    expect(await db.messages.count()).toBe(0);
  });

  it("keeps new messages unread, oldest first, and queues a 'delivered' receipt for each", async () => {
    await applyPage(db, page([relay.addMessage(message(1)), relay.addMessage(message(2))]));
    expect((await db.messages.orderBy("unreadSeq").toArray()).map((m) => m.text)).toEqual(["message 1", "message 2"]);
    expect((await db.receipts.toArray()).map((r) => [r.messageId, r.state])).toEqual([
      [message(1).id, "delivered"],
      [message(2).id, "delivered"],
    ]);
  });

  it("takes a 'seen' receipt from the log as seen, without sending another", async () => {
    const entry = relay.addMessage(message(1));
    relay.log.push({ seq: 2, at: "2026-11-28T11:00:00.000Z", kind: "receipt", messageId: message(1).id, state: "seen" });
    await applyPage(db, page([entry, ...relay.log.slice(1)]));
    expect(await db.messages.get(message(1).id)).toMatchObject({ seenAt: "2026-11-28T11:00:00.000Z" });
    expect(await db.messages.where("unreadSeq").above(0).count()).toBe(0);
    expect((await db.receipts.toArray()).map((r) => r.state)).toEqual(["delivered"]);
  });

  it("removes a message taken back, with its photos, its queued receipts and replies, but keeps a photo another message shows", async () => {
    const shared = photoIdFor(1);
    const own = photoIdFor(2);
    const photo = (id: string) => ({ id, width: 4, height: 3, caption: "" });
    relay.addMessage(message(1, { photos: [photo(shared), photo(own)] }));
    relay.addMessage(message(2, { photos: [photo(shared)] }));
    await pullAll(db, relay);
    await markSeen(db, message(1).id);
    await queueReply(db, { inReplyTo: message(1).id, text: "Thank you ♥" });
    relay.deleteMessage(message(1).id);
    await pullAll(db, relay);
    expect(await texts()).toEqual(["message 2"]);
    expect((await db.photos.toArray()).map((p) => p.id)).toEqual([shared]);
    expect((await db.receipts.toArray()).filter((r) => r.messageId === message(1).id)).toEqual([]);
    expect(await db.outbox.count()).toBe(0);
  });

  it("a reply in the log takes the same reply out of the outbox", async () => {
    relay.addMessage(message(1));
    await pullAll(db, relay);
    const queued = await queueReply(db, { inReplyTo: message(1).id, text: "Thank you ♥" });
    relay.log.push({
      seq: 2,
      at: "2026-11-28T11:00:00.000Z",
      kind: "reply",
      reply: { ...queued, sentAt: "2026-11-28T11:00:00.000Z" },
    });
    await pullAll(db, relay);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.replies.get(queued.id)).toMatchObject({ text: "Thank you ♥", seq: 2 });
  });
});
