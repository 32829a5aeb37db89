/**
 * SQLite's prepared hot paths (sqlite-hot.ts) give exactly what the Kysely paths give: the same
 * sync page for a log of every kind (photos in order, a deleted message, receipts, a reply, a page
 * cut short), the same device for a token, and during a transaction they stand aside.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { engines } from "../test-databases";
import { kyselyStore } from "./kysely-store";
import { sqliteFileOf } from "./sqlite";
import { BUSY, SqliteHotPaths } from "./sqlite-hot";
import { later, NOW, residentWithLink } from "./store-test-rows";
import { KyselyDeviceStore } from "./stores/device-store";
import { KyselyLogStore } from "./stores/log-store";

const sqlite = engines.find((e) => e.name === "sqlite");

describe("SQLite's prepared hot paths", () => {
  it("read the same sync pages as Kysely, for a log of every kind", async () => {
    const db = await (sqlite as NonNullable<typeof sqlite>).migrated();
    const store = kyselyStore(db);
    const home = await residentWithLink(store);
    const id = home.resident.id;
    const photos = [
      { id: "p-b", width: 800, height: 600, caption: "Second by id, first in the message" },
      { id: "p-a", width: 600, height: 800, caption: "" },
    ];
    const first = await store.log.appendMessage({ ...home.message("with photos"), photos });
    const second = await store.log.appendMessage({ ...home.message("to be taken back"), senderRelationship: "Son" });
    await store.log.recordReceipts(id, [{ messageId: first.message.id, state: "seen" }], later(1));
    await store.log.appendReply({
      id: randomUUID(),
      residentId: id,
      inReplyTo: first.message.id,
      text: "Lovely",
      sentAt: later(2),
    });
    await store.log.deleteMessage(second.message.id, home.link.id, later(3));
    for (let i = 0; i < 3; i++) await store.log.appendMessage(home.message(`more ${i}`));

    const kysely = new KyselyLogStore(db);
    for (const [after, limit] of [
      [0, 50],
      [0, 3],
      [2, 4],
      [9, 50],
      [20, 50],
    ] as const) {
      const expected = await kysely.pullPage(id, after, limit);
      expect(await store.log.pullPage(id, after, limit), `after ${after}, limit ${limit}`).toEqual(expected);
    }
    expect((await store.log.pullPage(id, 0, 50))?.entries[0]).toMatchObject({ message: { photos } });
    expect(await store.log.pullPage(randomUUID(), 0, 50)).toBeUndefined();
  });

  it("find the same device for a token as Kysely, and stand aside while a transaction is open", async () => {
    const db = await (sqlite as NonNullable<typeof sqlite>).migrated();
    const store = kyselyStore(db);
    const home = await residentWithLink(store);
    await store.devices.createSetupCode({
      codeHash: "code",
      residentId: home.resident.id,
      createdBy: "staff",
      createdAt: NOW,
      expiresAt: later(60),
    });
    const device = { id: randomUUID(), residentId: "", pairedAt: NOW, lastSeenAt: NOW, revokedAt: null };
    await store.devices.pair("code", device, "token-hash", NOW);

    const kysely = new KyselyDeviceStore(db);
    expect(await store.devices.findByTokenHash("token-hash")).toEqual(await kysely.findByTokenHash("token-hash"));
    expect(await store.devices.findByTokenHash("token-hash")).toMatchObject({ id: device.id, residentId: home.resident.id });
    expect(await store.devices.findByTokenHash("other")).toBeUndefined();

    const hot = new SqliteHotPaths(sqliteFileOf(db) as NonNullable<ReturnType<typeof sqliteFileOf>>);
    await db.transaction().execute(async (tx) => {
      await tx
        .updateTable("devices")
        .set({ revoked_at: later(1) })
        .where("id", "=", device.id)
        .execute();
      // Uncommitted: the prepared paths must not read it, nor anything else meanwhile.
      expect(hot.device("token-hash")).toBe(BUSY);
      expect(hot.page(home.resident.id, 0, 50)).toBe(BUSY);
    });
    expect(hot.device("token-hash")).toMatchObject({ revokedAt: later(1) });
  });
});
