import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LetterboxDb } from "../db/db";
import { queueReply } from "./outbox";
import { markSeen } from "./receipts";
import { readScreen } from "./screen-model";
import { pullAll } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, message } from "./testing/fake-relay";

let db: LetterboxDb;
let relay: FakeRelay;

beforeEach(async () => {
  db = await pairedDb();
  relay = new FakeRelay();
  relay.pageSize = 100;
  for (let n = 1; n <= 4; n++) relay.addMessage(message(n));
  await pullAll(db, relay);
});

afterEach(async () => {
  db.close();
  await db.delete();
});

describe("the message screen's model", () => {
  it("starts on the oldest unread message and counts the unread", async () => {
    await markSeen(db, message(1).id);
    await markSeen(db, message(3).id);
    const screen = await readScreen(db, null);
    expect(screen.message?.text).toBe("message 2");
    expect(screen).toMatchObject({ unread: 2, position: 2, total: 4, earlierId: message(1).id, laterId: message(3).id });
    expect(screen.newestUnreadSeq).toBe(4);
  });

  it("starts on the newest when everything has been seen", async () => {
    for (let n = 1; n <= 4; n++) await markSeen(db, message(n).id);
    const screen = await readScreen(db, null);
    expect(screen.message?.text).toBe("message 4");
    expect(screen).toMatchObject({ unread: 0, laterId: null, oldestUnreadId: null });
  });

  it("shows the message moved to, and starts again when it has been taken back", async () => {
    expect((await readScreen(db, message(3).id)).message?.text).toBe("message 3");
    relay.deleteMessage(message(3).id);
    await pullAll(db, relay);
    expect((await readScreen(db, message(3).id)).message?.text).toBe("message 1");
  });

  it("shows replies waiting in the outbox as well as those the relay has", async () => {
    await queueReply(db, { inReplyTo: message(1).id, text: "Thank you ♥" });
    expect((await readScreen(db, message(1).id)).replies.map((r) => r.text)).toEqual(["Thank you ♥"]);
  });

  it("is empty with no messages", async () => {
    await db.messages.clear();
    expect(await readScreen(db, null)).toMatchObject({ message: null, total: 0, unread: 0 });
  });
});
