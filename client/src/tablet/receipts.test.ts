import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LetterboxDb } from "../db/db";
import { flushReceipts, markSeen, RECEIPTS_PER_REQUEST } from "./receipts";
import { pullAll, syncNow } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, message } from "./testing/fake-relay";

let db: LetterboxDb;
let relay: FakeRelay;

beforeEach(async () => {
  db = await pairedDb();
  relay = new FakeRelay();
  relay.pageSize = 200;
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe("receipts", () => {
  it("a stored message is 'delivered'; seen on screen it is 'seen', once", async () => {
    relay.addMessage(message(1));
    await syncNow(db, relay);
    expect(relay.receipts).toEqual([{ messageId: message(1).id, state: "delivered" }]);

    expect(await markSeen(db, message(1).id, Date.parse("2026-11-28T10:40:00Z"))).toBe(true);
    expect(await markSeen(db, message(1).id)).toBe(false);
    expect(await db.messages.get(message(1).id)).toMatchObject({ seenAt: "2026-11-28T10:40:00.000Z" });
    expect(await db.messages.where("unreadSeq").above(0).count()).toBe(0);
    await flushReceipts(db, relay);
    await flushReceipts(db, relay);
    expect(relay.receipts).toEqual([
      { messageId: message(1).id, state: "delivered" },
      { messageId: message(1).id, state: "seen" },
    ]);
    expect(relay.callsOf("sendReceipts")).toHaveLength(2);
  });

  it("waits while offline and goes when the relay is back", async () => {
    relay.addMessage(message(1));
    await pullAll(db, relay);
    await markSeen(db, message(1).id);
    relay.offline = true;
    await flushReceipts(db, relay);
    expect(await db.receipts.count()).toBe(2);
    relay.offline = false;
    await flushReceipts(db, relay);
    expect(await db.receipts.count()).toBe(0);
    expect(relay.receipts.map((r) => r.state)).toEqual(["delivered", "seen"]);
  });

  it("sends a long queue in batches the relay accepts", async () => {
    for (let i = 1; i <= 150; i++) relay.addMessage(message(i));
    await pullAll(db, relay);
    await flushReceipts(db, relay);
    expect(relay.callsOf("sendReceipts").map((c) => c.count)).toEqual([RECEIPTS_PER_REQUEST, 50]);
    expect(relay.receipts).toHaveLength(150);
  });

  it("one receipt the relay refuses for good does not hold back the others", async () => {
    for (let i = 1; i <= 3; i++) relay.addMessage(message(i));
    await pullAll(db, relay);
    relay.fail("sendReceipts", 400, 2);
    await flushReceipts(db, relay);
    expect(relay.receipts.map((r) => r.messageId)).toEqual([message(2).id, message(3).id]);
    expect(await db.receipts.count()).toBe(0);
  });
});
