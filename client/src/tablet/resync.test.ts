import "fake-indexeddb/auto";
import type { SyncPage } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LetterboxDb } from "../db/db";
import { markSeen } from "./receipts";
import { readScreen } from "./screen-model";
import { applyPage, syncNow } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, idFor, message, settings, TOKEN } from "./testing/fake-relay";

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
/** Where message n is in the relay's log (receipts sent after a pull come after it). */
const seqOf = (n: number) => relay.log.find((e) => e.kind === "message" && e.message.id === idFor(n))?.seq;
const send = (...ns: number[]) => {
  for (const n of ns) relay.addMessage(message(n));
};

describe("a relay restored from a backup", () => {
  it("with a new log identity: the tablet reads the log again, keeps what it had, in order, and gets every new message once", async () => {
    send(1, 2);
    await syncNow(db, relay);
    const backup = relay.backup();
    send(3, 4);
    await syncNow(db, relay);
    await markSeen(db, idFor(1));
    await syncNow(db, relay);
    expect((await db.state.get("tablet"))?.cursor).toBeGreaterThan(backup.seq);

    relay.restore(backup);
    // As many new messages as the relay lost and more: the relay's head passes the tablet's
    // cursor, so only the identity tells the tablet its cursor means nothing here.
    send(5, 6, 7, 8, 9, 10, 11, 12);
    expect(relay.log.at(-1)?.seq).toBeGreaterThan((await db.state.get("tablet"))?.cursor ?? 0);
    relay.calls.length = 0;
    const applied = await syncNow(db, relay);

    expect(relay.callsOf("pull")[0]?.after).toBeGreaterThan(0);
    expect(relay.callsOf("pull")[1]?.after).toBe(0);
    expect(applied.newMessages).toBe(8);
    // The two the relay lost stay where they were: after the last message it still has, before the new ones.
    expect(await texts()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `message ${n}`));
    const state = await db.state.get("tablet");
    expect(state).toMatchObject({ logId: "log-1-restored", cursor: seqOf(12) });
    expect(state?.resync).toBeUndefined();
    // Seen stays seen; the restored relay, whose copy is from before, is told again.
    const first = await readScreen(db, null);
    expect(first.message?.text).toBe("message 2");
    expect(first).toMatchObject({ unread: 11, total: 12, position: 2 });
    expect(relay.receipts).toContainEqual({ messageId: idFor(1), state: "seen" });

    relay.calls.length = 0;
    const end = relay.log.at(-1)?.seq;
    expect(await syncNow(db, relay)).toEqual({ applied: expect.any(Number), newMessages: 0 });
    // Calm again: on from where it is, the receipts it sent, and nothing read twice.
    expect(relay.callsOf("pull")[0]?.after).toBe(seqOf(12));
    expect(relay.callsOf("pull").map((c) => c.after)).not.toContain(0);
    expect((await db.state.get("tablet"))?.cursor).toBe(end);
    expect(await db.messages.count()).toBe(12);
  });

  it("with the same identity: a cursor beyond the relay's head also makes the tablet read again, so no new message is skipped", async () => {
    send(1, 2);
    await pullAllVia(syncNow);
    const backup = relay.backup();
    send(3, 4, 5, 6);
    await pullAllVia(syncNow);

    // Put back by hand, identity and all.
    relay.restore(backup, relay.logId);
    send(7, 8);
    await syncNow(db, relay);
    expect(await texts()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `message ${n}`));
    expect((await db.state.get("tablet"))?.cursor).toBe(seqOf(8));
  });

  it("does not bring back a message its sender took back after the backup", async () => {
    send(1, 2);
    await syncNow(db, relay);
    const backup = relay.backup();
    relay.deleteMessage(idFor(2));
    await syncNow(db, relay);
    expect(await texts()).toEqual(["message 1"]);

    relay.restore(backup);
    send(3);
    await syncNow(db, relay);
    expect(await texts()).toEqual(["message 1", "message 3"]);
  });

  it("is not mistaken for a page pulled before a later sync (stale), which restarts nothing", async () => {
    send(1, 2, 3, 4);
    await syncNow(db, relay);
    const cursor = (await db.state.get("tablet"))?.cursor ?? 0;
    const late: SyncPage = {
      entries: [],
      cursor: 1,
      hasMore: false,
      settings: settings(),
      logId: relay.logId,
      head: 1,
    };
    expect(await applyPage(db, late, Date.now, { deviceToken: TOKEN, after: 1 })).toEqual({ applied: 0, newMessages: 0 });
    // A late page from another copy of the log changes nothing at all.
    const other = { ...late, logId: "another-log", entries: [{ ...relay.log[0], seq: cursor + 1 }] } as SyncPage;
    expect(await applyPage(db, other, Date.now, { deviceToken: TOKEN, after: 1 })).toEqual({ applied: 0, newMessages: 0 });
    expect(await db.state.get("tablet")).toMatchObject({ cursor, logId: "log-1" });
  });

  it("a tablet from before log identities takes the relay's without reading again", async () => {
    send(1, 2, 3);
    relay.pageSize = 10;
    await syncNow(db, relay);
    expect((await db.state.get("tablet"))?.logId).toBe("log-1");
    send(4);
    relay.calls.length = 0;
    await syncNow(db, relay);
    expect(relay.callsOf("pull")).toHaveLength(1);
  });
});

/** Syncs until the relay has nothing more (receipts sent by one sync are pulled by the next). */
async function pullAllVia(sync: typeof syncNow) {
  await sync(db, relay);
  await sync(db, relay);
}
