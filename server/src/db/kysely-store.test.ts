import { randomUUID } from "node:crypto";
import { uuidv7 } from "uuidv7";
import { describe, expect, it, onTestFinished } from "vitest";
import { newResidentRow } from "../services/residents";
import type { DeviceRow, StaffRow, Store } from "../store";
import { openTestDatabase, rowCounts, START } from "../test-support";
import { KyselyStore } from "./kysely-store";
import { openSqlite } from "./sqlite";

const NOW = START.toISOString();
const later = (minutes: number) => new Date(START.getTime() + minutes * 60_000).toISOString();

async function resident(store: Store, preferredName: string) {
  const r = newResidentRow(randomUUID(), `${preferredName} Example`, preferredName, NOW);
  await store.createResident(r);
  const link = {
    id: randomUUID(),
    residentId: r.id,
    label: "Family",
    displayName: null,
    relationship: null,
    createdAt: NOW,
    revokedAt: null,
    lastUsedAt: null,
  };
  await store.createFamilyLink(link, `hash-of-${link.id}`);
  const message = (text: string, id = uuidv7()) => ({
    id,
    residentId: r.id,
    familyLinkId: link.id,
    senderName: "Family",
    senderRelationship: null,
    text,
    photos: [],
    sentAt: NOW,
  });
  return { resident: r, link, message };
}

const device = (): DeviceRow => ({ id: randomUUID(), residentId: "", pairedAt: NOW, lastSeenAt: NOW, revokedAt: null });
const staffRow = (email: string): StaffRow => ({
  id: randomUUID(),
  name: "Staff",
  email,
  passwordHash: "x",
  createdAt: NOW,
  role: "admin",
  disabledAt: null,
});

describe("KyselyStore on SQLite", () => {
  it("appends each resident's messages with that resident's next sequence number", async () => {
    const { store } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const b = await resident(store, "Arthur");
    const seqs = [];
    for (const m of [a.message("a1"), b.message("b1"), a.message("a2"), a.message("a3")]) {
      seqs.push((await store.appendMessage(m)).message.seq);
    }
    expect(seqs).toEqual([1, 1, 2, 3]);
    expect(
      (await store.pullLog(a.resident.id, 0, 10)).map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind]),
    ).toEqual([
      [1, "a1"],
      [2, "a2"],
      [3, "a3"],
    ]);
    expect((await store.pullLog(a.resident.id, 1, 1)).map((e) => e.seq)).toEqual([2]);
  });

  it("writes nothing for an id it already has, and returns what it stored", async () => {
    const { store, dbFile } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const first = await store.appendMessage(a.message("original", "019ac9a0-0000-7000-8000-000000000001"));
    const counts = rowCounts({ dbFile });

    const again = await store.appendMessage(a.message("changed", "019ac9a0-0000-7000-8000-000000000001"));
    expect(again).toEqual({ created: false, message: first.message });
    expect(rowCounts({ dbFile })).toEqual(counts);
  });

  it("rolls a failed append back whole: no message, no log entry, no sequence number used", async () => {
    const { store, dbFile } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const counts = rowCounts({ dbFile });
    // The family link does not exist, so the message insert fails after the sequence was taken.
    await expect(store.appendMessage({ ...a.message("lost"), familyLinkId: randomUUID() })).rejects.toThrow(/FOREIGN KEY/);
    expect(rowCounts({ dbFile })).toEqual(counts);
    expect((await store.appendMessage(a.message("next"))).message.seq).toBe(1);
  });

  it("stores a message once when the same id is appended twice at the same moment", async () => {
    const { store, dbFile } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const m = a.message("once");
    const results = await Promise.all([store.appendMessage(m), store.appendMessage(m)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results.map((r) => r.message.seq)).toEqual([1, 1]);
    expect(rowCounts({ dbFile })).toMatchObject({ messages: 1, log_entries: 1 });
  });

  it("does not let one failing append fail others made at the same moment, nor leave a gap", async () => {
    const { store } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const results = await Promise.allSettled([
      store.appendMessage(a.message("first")),
      store.appendMessage({ ...a.message("broken"), familyLinkId: randomUUID() }),
      store.appendMessage(a.message("second")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(
      (await store.pullLog(a.resident.id, 0, 10)).map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind]).sort(),
    ).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
  });

  it("pairs exactly one device per set-up code, even when two try at once", async () => {
    const { store, dbFile } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    await store.createSetupCode({
      codeHash: "code",
      residentId: a.resident.id,
      createdBy: "staff",
      createdAt: NOW,
      expiresAt: later(30),
    });

    const results = await Promise.all([
      store.pairDevice("code", device(), "token-1", NOW),
      store.pairDevice("code", device(), "token-2", NOW),
    ]);
    expect(results.filter(Boolean).map((r) => r?.id)).toEqual([a.resident.id]);
    expect(rowCounts({ dbFile }).devices).toBe(1);
  });

  it("leaves the code unused when pairing fails part-way", async () => {
    const { store } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const code = (codeHash: string) =>
      store.createSetupCode({ codeHash, residentId: a.resident.id, createdBy: "staff", createdAt: NOW, expiresAt: later(30) });
    await code("first");
    await code("second");
    await store.pairDevice("first", device(), "taken", NOW);
    // The device insert fails on the token's uniqueness after the code was marked used.
    await expect(store.pairDevice("second", device(), "taken", NOW)).rejects.toThrow(/UNIQUE/);
    expect((await store.pairDevice("second", device(), "fresh", NOW))?.id).toBe(a.resident.id);
  });

  it("does not pair with a code at or after its expiry", async () => {
    const { store } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    await store.createSetupCode({
      codeHash: "code",
      residentId: a.resident.id,
      createdBy: "staff",
      createdAt: NOW,
      expiresAt: later(30),
    });
    expect(await store.pairDevice("code", device(), "token", later(30))).toBeUndefined();
  });

  it("creates only one first staff member when two set-up tabs submit at once", async () => {
    const { store, dbFile } = await openTestDatabase();
    await store.replaceStaffSetupToken("setup", later(60));
    const results = await Promise.all([
      store.createFirstStaff(staffRow("one@council.example"), "setup", NOW),
      store.createFirstStaff(staffRow("two@council.example"), "setup", NOW),
    ]);
    expect(results.sort()).toEqual(["created", "token_invalid"]);
    expect(rowCounts({ dbFile }).staff).toBe(1);
  });

  it("revokes a family link once, and only through its own resident", async () => {
    const { store } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    const b = await resident(store, "Arthur");
    expect(await store.revokeFamilyLink(a.link.id, b.resident.id, NOW)).toBe(false);
    expect(await store.revokeFamilyLink(a.link.id, a.resident.id, NOW)).toBe(true);
    expect(await store.revokeFamilyLink(a.link.id, a.resident.id, later(1))).toBe(false);
    expect((await store.findFamilyLinkByTokenHash(`hash-of-${a.link.id}`))?.revokedAt).toBe(NOW);
  });

  it("keeps acknowledged messages when the file is closed and opened again", async () => {
    const { db, store, dataDir } = await openTestDatabase();
    const a = await resident(store, "Margaret");
    await store.appendMessage(a.message("kept"));
    await db.destroy();

    const reopened = await openSqlite(dataDir);
    onTestFinished(() => reopened.destroy());
    const log = await new KyselyStore(reopened).pullLog(a.resident.id, 0, 10);
    expect(log.map((e) => (e.kind === "message" ? e.message.text : e.kind))).toEqual(["kept"]);
    expect(await new KyselyStore(reopened).appendMessage(a.message("next"))).toMatchObject({ message: { seq: 2 } });
  });
});
