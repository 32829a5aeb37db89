import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LetterboxDb, openDb } from "../db/db";
import { BACKOFF_MAX_MS, backoffMs, flushOutbox, queueReply } from "./outbox";
import { pullAll, syncNow } from "./sync";
import { pairedDb } from "./testing/db";
import { FakeRelay, idFor, message } from "./testing/fake-relay";

let db: LetterboxDb;
let relay: FakeRelay;
let clock: number;
const now = () => clock;
const noJitter = () => 1;

beforeEach(async () => {
  db = await pairedDb();
  relay = new FakeRelay();
  clock = Date.parse("2026-11-28T10:00:00Z");
  relay.addMessage(message(1));
  relay.addMessage(message(2));
  await pullAll(db, relay);
});

afterEach(async () => {
  db.close();
  await db.delete();
});

let ids = 100;
const makeId = () => idFor(ids++, "0191");
const tap = (text = "Thank you ♥", inReplyTo = message(1).id) => queueReply(db, { inReplyTo, text }, now, makeId);

describe("the reply outbox", () => {
  it("sends a tapped reply once and forgets it once the relay has it", async () => {
    const queued = await tap();
    expect(await flushOutbox(db, relay, { now })).toBe(1);
    expect(await flushOutbox(db, relay, { now })).toBe(0);
    expect(relay.replies.map((r) => [r.id, r.inReplyTo, r.text])).toEqual([[queued.id, message(1).id, "Thank you ♥"]]);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.replies.get(queued.id)).toMatchObject({ text: "Thank you ♥" });
  });

  it("a shaky double tap is one reply", async () => {
    const [a, b] = await Promise.all([tap(), tap()]);
    expect(a?.id).toBe(b?.id);
    await flushOutbox(db, relay, { now });
    await tap();
    await flushOutbox(db, relay, { now });
    expect(relay.replies).toHaveLength(1);
    expect(relay.callsOf("sendReply")).toHaveLength(1);
  });

  it("when the relay stored it but the answer was lost, the retry with the same id does not make a second", async () => {
    const queued = await tap();
    relay.fail("sendReply", 0, 1, true);
    expect(await flushOutbox(db, relay, { now })).toBe(0);
    expect(await db.outbox.get(queued.id)).toMatchObject({ attempts: 1 });
    clock += BACKOFF_MAX_MS;
    expect(await flushOutbox(db, relay, { now })).toBe(1);
    expect(relay.callsOf("sendReply").map((c) => c.id)).toEqual([queued.id, queued.id]);
    expect(relay.replies).toHaveLength(1);
  });

  it("survives a restart: a reply queued offline goes when the relay is back, exactly once", async () => {
    relay.offline = true;
    const queued = await tap();
    await expect(syncNow(db, relay, { now })).rejects.toMatchObject({ status: 0 });
    const name = db.name;
    db.close();
    db = openDb(name);
    relay.offline = false;
    await syncNow(db, relay, { now });
    await syncNow(db, relay, { now });
    expect(relay.replies.map((r) => r.id)).toEqual([queued.id]);
    expect(await db.outbox.count()).toBe(0);
  });

  it("two flushes at once send each reply once", async () => {
    await tap();
    await tap("Please ring me");
    await Promise.all([flushOutbox(db, relay, { now }), flushOutbox(db, relay, { now }), flushOutbox(db, relay, { now })]);
    expect(relay.callsOf("sendReply")).toHaveLength(2);
    expect(relay.replies.map((r) => r.text)).toEqual(["Thank you ♥", "Please ring me"]);
  });

  it("backs off after failures by the clock: 2 s, then 4 s, never more than 5 minutes", async () => {
    const queued = await tap();
    relay.fail("sendReply", 503, 3);
    await flushOutbox(db, relay, { now, random: noJitter });
    expect(await db.outbox.get(queued.id)).toMatchObject({ attempts: 1, nextAttemptAt: clock + 2_000 });

    clock += 1_999;
    await flushOutbox(db, relay, { now, random: noJitter });
    expect(relay.callsOf("sendReply")).toHaveLength(1);

    clock += 1;
    await flushOutbox(db, relay, { now, random: noJitter });
    expect(relay.callsOf("sendReply")).toHaveLength(2);
    expect(await db.outbox.get(queued.id)).toMatchObject({ attempts: 2, nextAttemptAt: clock + 4_000 });

    clock += 4_000;
    await flushOutbox(db, relay, { now, random: noJitter });
    clock += 8_000;
    expect(await flushOutbox(db, relay, { now, random: noJitter })).toBe(1);
    expect(relay.replies).toHaveLength(1);
    expect(backoffMs(30, noJitter)).toBe(BACKOFF_MAX_MS);
    expect(backoffMs(1, () => 0)).toBe(1_000);
  });

  it("a forced flush (the relay just answered a pull) ignores the backoff", async () => {
    await tap();
    relay.fail("sendReply", 0);
    await flushOutbox(db, relay, { now });
    expect(await flushOutbox(db, relay, { now })).toBe(0);
    expect(await flushOutbox(db, relay, { now, force: true })).toBe(1);
  });

  it("keeps the order replies were tapped in: the rest wait behind one that is backing off", async () => {
    await tap("Thank you ♥", message(1).id);
    await tap("Please ring me", message(2).id);
    relay.fail("sendReply", 0);
    await flushOutbox(db, relay, { now });
    expect(relay.callsOf("sendReply")).toHaveLength(1);
    clock += BACKOFF_MAX_MS;
    await flushOutbox(db, relay, { now });
    expect(relay.replies.map((r) => r.text)).toEqual(["Thank you ♥", "Please ring me"]);
  });

  it("sets aside a reply the relay refuses for good, and sends the next", async () => {
    const refused = await tap("Thank you ♥", message(1).id);
    await tap("Please ring me", message(2).id);
    relay.fail("sendReply", 404);
    expect(await flushOutbox(db, relay, { now })).toBe(1);
    expect(await db.outbox.get(refused.id)).toMatchObject({ failed: true });
    expect(relay.replies.map((r) => r.text)).toEqual(["Please ring me"]);
    expect(await flushOutbox(db, relay, { now, force: true })).toBe(0);
    expect(relay.callsOf("sendReply")).toHaveLength(2);
  });
});
