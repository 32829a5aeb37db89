import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { silentLogger } from "../log";
import type { DeviceRow } from "../store";
import { engines } from "../test-databases";
import { openTestDatabase, rowCounts } from "../test-support";
import { kyselyStore } from "./kysely-store";
import { openDatabase } from "./open-database";
import { later, NOW, residentWithLink, staffRow } from "./store-test-rows";

const device = (): DeviceRow => ({ id: randomUUID(), residentId: "", pairedAt: NOW, lastSeenAt: NOW, revokedAt: null });

describe.each(engines)("the store on $name", (engine) => {
  const open = () => openTestDatabase({ engine });

  it("appends each resident's messages with that resident's next sequence number", async () => {
    const { store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const b = await residentWithLink(store, "Arthur");
    const seqs = [];
    for (const m of [a.message("a1"), b.message("b1"), a.message("a2"), a.message("a3")]) {
      seqs.push((await store.log.appendMessage(m)).message.seq);
    }
    expect(seqs).toEqual([1, 1, 2, 3]);
    expect(
      (await store.log.pull(a.resident.id, 0, 10)).map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind]),
    ).toEqual([
      [1, "a1"],
      [2, "a2"],
      [3, "a3"],
    ]);
    expect((await store.log.pull(a.resident.id, 1, 1)).map((e) => e.seq)).toEqual([2]);
  });

  it("reads a conversation of more messages than a statement takes variables (32,766 on SQLite, 65,535 on PostgreSQL), with each message's photos", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    // Years of messages, written straight into the table: the read is what is tested.
    const count = 70_000;
    const rows = Array.from({ length: count }, (_, i) => ({
      id: `m-${String(i).padStart(6, "0")}`,
      resident_id: a.resident.id,
      family_link_id: a.link.id,
      sender_name: "Family",
      sender_relationship: null,
      text: `message ${i}`,
      sent_at: NOW,
      seq: i + 1,
      deleted_at: null,
      delivered_at: null,
      seen_at: null,
    }));
    for (let at = 0; at < count; at += 2_000)
      await db
        .insertInto("messages")
        .values(rows.slice(at, at + 2_000))
        .execute();
    await db
      .insertInto("message_photos")
      .values(
        [0, count - 1].map((i) => ({
          message_id: rows[i]?.id ?? "",
          position: 0,
          photo_id: `p-${i}`,
          width: 4,
          height: 3,
          caption: "",
        })),
      )
      .execute();

    const { messages } = await store.log.conversation(a.resident.id);
    expect(messages).toHaveLength(count);
    expect(messages.at(-1)?.text).toBe(`message ${count - 1}`);
    expect(messages.filter((m) => m.photos.length > 0).map((m) => [m.id, m.photos.map((p) => p.id)])).toEqual([
      ["m-000000", ["p-0"]],
      [`m-0${count - 1}`, [`p-${count - 1}`]],
    ]);
  });

  it("ends a page before a log entry of a kind it does not know, so no reader's cursor moves past it", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    await store.log.appendMessage(a.message("before"));
    // What a newer relay sharing the database would write: the next seq, a kind this one lacks.
    await db.transaction().execute(async (tx) => {
      const { last_seq } = await tx
        .updateTable("residents")
        .set((eb) => ({ last_seq: eb("last_seq", "+", 1) }))
        .where("id", "=", a.resident.id)
        .returning("last_seq")
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("log_entries")
        .values({
          resident_id: a.resident.id,
          seq: last_seq,
          kind: "voice_note",
          at: NOW,
          message_id: null,
          reply_id: null,
          receipt_state: null,
        })
        .execute();
    });
    await store.log.appendMessage(a.message("after"));

    expect((await store.log.pull(a.resident.id, 0, 10)).map((e) => e.seq)).toEqual([1]);
    expect(await store.log.pull(a.resident.id, 1, 10)).toEqual([]);
  });

  it("writes nothing for an id it already has, and returns what it stored", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const first = await store.log.appendMessage(a.message("original", "019ac9a0-0000-7000-8000-000000000001"));
    const counts = await rowCounts({ db });

    const again = await store.log.appendMessage(a.message("changed", "019ac9a0-0000-7000-8000-000000000001"));
    expect(again).toEqual({ created: false, message: first.message });
    expect(await rowCounts({ db })).toEqual(counts);
  });

  it("rolls a failed append back whole: no message, no log entry, no sequence number used", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const counts = await rowCounts({ db });
    // The family link does not exist, so the message insert fails after the sequence was taken.
    await expect(store.log.appendMessage({ ...a.message("lost"), familyLinkId: randomUUID() })).rejects.toThrow(
      /FOREIGN KEY|foreign key/,
    );
    expect(await rowCounts({ db })).toEqual(counts);
    expect((await store.log.appendMessage(a.message("next"))).message.seq).toBe(1);
  });

  it("stores a message once when the same id is appended twice at the same moment", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const m = a.message("once");
    const results = await Promise.all([store.log.appendMessage(m), store.log.appendMessage(m)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results.map((r) => r.message.seq)).toEqual([1, 1]);
    expect(await rowCounts({ db })).toMatchObject({ messages: 1, log_entries: 1 });
  });

  it("does not let one failing append fail others made at the same moment, nor leave a gap", async () => {
    const { store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const results = await Promise.allSettled([
      store.log.appendMessage(a.message("first")),
      store.log.appendMessage({ ...a.message("broken"), familyLinkId: randomUUID() }),
      store.log.appendMessage(a.message("second")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(
      (await store.log.pull(a.resident.id, 0, 10)).map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind]).sort(),
    ).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
  });

  it("pairs exactly one device per set-up code, even when two try at once", async () => {
    const { db, store } = await open();
    const a = await residentWithLink(store, "Margaret");
    await store.devices.createSetupCode({
      codeHash: "code",
      residentId: a.resident.id,
      createdBy: "staff",
      createdAt: NOW,
      expiresAt: later(30),
    });

    const results = await Promise.all([
      store.devices.pair("code", device(), "token-1", NOW),
      store.devices.pair("code", device(), "token-2", NOW),
    ]);
    expect(results.filter(Boolean).map((r) => r?.id)).toEqual([a.resident.id]);
    expect((await rowCounts({ db })).devices).toBe(1);
  });

  it("leaves the code unused when pairing fails part-way", async () => {
    const { store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const code = (codeHash: string) =>
      store.devices.createSetupCode({
        codeHash,
        residentId: a.resident.id,
        createdBy: "staff",
        createdAt: NOW,
        expiresAt: later(30),
      });
    await code("first");
    await code("second");
    await store.devices.pair("first", device(), "taken", NOW);
    // The device insert fails on the token's uniqueness after the code was marked used.
    await expect(store.devices.pair("second", device(), "taken", NOW)).rejects.toThrow(/UNIQUE|duplicate key/);
    expect((await store.devices.pair("second", device(), "fresh", NOW))?.id).toBe(a.resident.id);
  });

  it("does not pair with a code at or after its expiry", async () => {
    const { store } = await open();
    const a = await residentWithLink(store, "Margaret");
    await store.devices.createSetupCode({
      codeHash: "code",
      residentId: a.resident.id,
      createdBy: "staff",
      createdAt: NOW,
      expiresAt: later(30),
    });
    expect(await store.devices.pair("code", device(), "token", later(30))).toBeUndefined();
  });

  it("creates only one first staff member when two set-up tabs submit at once", async () => {
    const { db, store } = await open();
    await store.staff.addSetupToken("setup", later(60), NOW);
    const results = await Promise.all([
      store.staff.createFirst(staffRow("one@council.example"), "setup", NOW),
      store.staff.createFirst(staffRow("two@council.example"), "setup", NOW),
    ]);
    expect(results.sort()).toEqual(["created", "token_invalid"]);
    expect((await rowCounts({ db })).staff).toBe(1);
  });

  it("revokes a family link once, and only through its own resident", async () => {
    const { store } = await open();
    const a = await residentWithLink(store, "Margaret");
    const b = await residentWithLink(store, "Arthur");
    expect(await store.familyLinks.revoke(a.link.id, b.resident.id, NOW)).toBe(false);
    expect(await store.familyLinks.revoke(a.link.id, a.resident.id, NOW)).toBe(true);
    expect(await store.familyLinks.revoke(a.link.id, a.resident.id, later(1))).toBe(false);
    expect((await store.familyLinks.findByTokenHash(`hash-of-${a.link.id}`))?.revokedAt).toBe(NOW);
  });

  it("keeps acknowledged messages when the database is closed and opened again", async () => {
    const { db, store, dataDir, database } = await open();
    const a = await residentWithLink(store, "Margaret");
    await store.log.appendMessage(a.message("kept"));
    await db.destroy();

    const reopened = await openDatabase({ dataDir, database }, silentLogger);
    onTestFinished(() => reopened.destroy());
    const log = await kyselyStore(reopened).log.pull(a.resident.id, 0, 10);
    expect(log.map((e) => (e.kind === "message" ? e.message.text : e.kind))).toEqual(["kept"]);
    expect(await kyselyStore(reopened).log.appendMessage(a.message("next"))).toMatchObject({ message: { seq: 2 } });
  });
});
