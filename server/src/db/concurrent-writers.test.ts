/**
 * Two relay instances on one PostgreSQL database, each with its own pool, doing the same thing at
 * the same moment: what a check-then-write in the store must survive once the relay runs on more
 * than one machine. (On SQLite one connection's writes queue behind the file's write lock; the
 * store tests cover it there.) A race is not certain to show in one try, so each is run a few
 * rounds, each round at once from both instances.
 */
import { randomUUID } from "node:crypto";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import type { DeviceRow, Store } from "../store";
import { postgres } from "../test-databases";
import { rowCounts } from "../test-support";
import { kyselyStore } from "./kysely-store";
import { later, NOW, residentWithLink, staffRow } from "./store-test-rows";

const ROUNDS = 8;

async function twoInstances() {
  const database = await postgres.migratedDatabase();
  return { db: database.db, a: kyselyStore(database.db), b: kyselyStore(database.open()) };
}

async function pairedDevice(store: Store, residentId: string): Promise<string> {
  const codeHash = `code-${randomUUID()}`;
  await store.devices.createSetupCode({ codeHash, residentId, createdBy: "staff", createdAt: NOW, expiresAt: later(30) });
  const device: DeviceRow = { id: randomUUID(), residentId, pairedAt: NOW, lastSeenAt: NOW, revokedAt: null };
  await store.devices.pair(codeHash, device, `token-${device.id}`, NOW);
  return device.id;
}

const subscription = (residentId: string, endpoint: string) => ({
  id: randomUUID(),
  endpoint,
  p256dh: "p256dh",
  auth: "auth",
  residentId,
  createdAt: NOW,
});

describe("two relay instances on one PostgreSQL database, at once", () => {
  it("store a message sent to both (a retry) once, answering the second with created: false", async () => {
    const { a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const m = home.message(`round ${round}`);
      const results = await Promise.all([a.log.appendMessage(m), b.log.appendMessage(m)]);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      expect(results[0]?.message.seq).toBe(results[1]?.message.seq);
    }
  });

  it("store a reply sent to both once", async () => {
    const { a, b } = await twoInstances();
    const home = await residentWithLink(a);
    const { message } = await a.log.appendMessage(home.message("hello"));
    for (let round = 0; round < ROUNDS; round++) {
      const reply = { id: uuidv7(), residentId: home.resident.id, inReplyTo: message.id, text: "Thank you", sentAt: NOW };
      const results = await Promise.all([a.log.appendReply(reply), b.log.appendReply(reply)]);
      expect(results.map((r) => (r === "no_message" ? r : r.created)).sort()).toEqual([false, true]);
    }
  });

  it("delete a message once, logging one deletion", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const { message } = await a.log.appendMessage(home.message(`round ${round}`));
      const results = await Promise.all([
        a.log.deleteMessage(message.id, home.link.id, NOW),
        b.log.deleteMessage(message.id, home.link.id, NOW),
      ]);
      expect(results.map((r) => r.result).sort()).toEqual(["already_deleted", "deleted"]);
    }
    expect(await logKinds(db, home.resident.id)).toEqual({ message: ROUNDS, message_deleted: ROUNDS });
  });

  it("record a receipt sent to both once, logging one receipt", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const { message } = await a.log.appendMessage(home.message(`round ${round}`));
      const receipts = [{ messageId: message.id, state: "seen" as const }];
      const results = await Promise.all([
        a.log.recordReceipts(home.resident.id, receipts, NOW),
        b.log.recordReceipts(home.resident.id, receipts, NOW),
      ]);
      expect(results.flat()).toHaveLength(1);
    }
    expect(await logKinds(db, home.resident.id)).toEqual({ message: ROUNDS, receipt: ROUNDS });
  });

  it("keep each resident's sequence strictly increasing and gap-free under mixed writers", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    const other = await residentWithLink(a, "Arthur");
    const { message: first } = await a.log.appendMessage(home.message("first"));
    const acknowledged: string[] = [first.id];
    // Messages for the receipts to move on, one each.
    const unread: string[] = [];
    for (let i = 0; i < 40; i++) unread.push((await a.log.appendMessage(home.message(`unread ${i}`))).message.id);
    acknowledged.push(...unread);
    // 200 writes, split over the two instances: messages (two residents' logs at once, so a
    // group commit holds both), replies and receipts, all sent together.
    const writes = Array.from({ length: 200 }, (_, i) => {
      const store = i % 2 ? a : b;
      switch (i % 5) {
        case 0:
        case 1:
          return store.log.appendMessage(home.message(`message ${i}`)).then((r) => void acknowledged.push(r.message.id));
        case 2:
          return store.log.appendMessage(other.message(`other ${i}`)).then(() => undefined);
        case 3:
          return store.log
            .appendReply({ id: uuidv7(), residentId: home.resident.id, inReplyTo: first.id, text: `reply ${i}`, sentAt: NOW })
            .then(() => undefined);
        default:
          return store.log
            .recordReceipts(home.resident.id, [{ messageId: unread[(i - 4) / 5] ?? "", state: "seen" }], NOW)
            .then(() => undefined);
      }
    });
    await Promise.all(writes);

    const seqs = (residentId: string) =>
      db.selectFrom("log_entries").select("seq").where("resident_id", "=", residentId).orderBy("seq").execute();
    const homeSeqs = (await seqs(home.resident.id)).map((r) => r.seq);
    expect(homeSeqs).toEqual(Array.from({ length: homeSeqs.length }, (_, i) => i + 1));
    // 1 + 40 messages before, then 80 messages, 40 replies and 40 receipts.
    expect(homeSeqs).toHaveLength(1 + 40 + 80 + 40 + 40);
    const otherSeqs = (await seqs(other.resident.id)).map((r) => r.seq);
    expect(otherSeqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const position = await a.log.position(home.resident.id);
    expect(position?.head).toBe(homeSeqs.length);

    const logged = await a.log.pull(home.resident.id, 0, 500);
    const messageIds = logged.flatMap((e) => (e.kind === "message" ? [e.message.id] : []));
    expect(messageIds.sort()).toEqual([...acknowledged].sort());
  }, 60_000);

  it("make one first staff account when two set-up links are used at once", async () => {
    const { db, a, b } = await twoInstances();
    for (let round = 0; round < ROUNDS; round++) {
      await db.deleteFrom("staff").execute();
      // Two links at once, as two instances each starting up could once leave behind.
      await db
        .insertInto("staff_setup_tokens")
        .values([
          { token_hash: `one-${round}`, expires_at: later(60) },
          { token_hash: `two-${round}`, expires_at: later(60) },
        ])
        .execute();
      const results = await Promise.all([
        a.staff.createFirst(staffRow("one@council.example"), `one-${round}`, NOW),
        b.staff.createFirst(staffRow("two@council.example"), `two-${round}`, NOW),
      ]);
      expect(results.sort()).toEqual(["created", "token_invalid"]);
      expect((await rowCounts({ db })).staff).toBe(1);
    }
  });

  it("keep both set-up links when both add one at once, and add none once the first account is made", async () => {
    const { db, a, b } = await twoInstances();
    for (let round = 0; round < ROUNDS; round++) {
      const added = await Promise.all([
        a.staff.addSetupToken(`one-${round}`, later(60), NOW),
        b.staff.addSetupToken(`two-${round}`, later(60), NOW),
      ]);
      expect(added).toEqual([true, true]);
    }
    for (let round = 0; round < ROUNDS; round++) {
      expect(await a.staff.setupTokenUsable(`one-${round}`, NOW)).toBe(true);
      expect(await b.staff.setupTokenUsable(`two-${round}`, NOW)).toBe(true);
    }
    // The first account, and a link added at the same moment: either it comes first and goes with
    // the rest, or it is refused.
    const [created] = await Promise.all([
      a.staff.createFirst(staffRow("one@council.example"), "one-0", NOW),
      b.staff.addSetupToken("late", later(60), NOW),
    ]);
    expect(created).toBe("created");
    expect((await rowCounts({ db })).staff_setup_tokens).toBe(0);
    for (const token of ["late", "two-0", `one-${ROUNDS - 1}`]) expect(await b.staff.setupTokenUsable(token, NOW)).toBe(false);
  });

  it("let one of two invitations accepted with the same address at once make the account; the other is told email_taken", async () => {
    const { db, a, b } = await twoInstances();
    await a.staff.create(staffRow("admin@council.example"));
    const [admin] = await a.staff.list();
    for (let round = 0; round < ROUNDS; round++) {
      for (const token of [`one-${round}`, `two-${round}`]) {
        await a.staff.createInvite({
          tokenHash: token,
          role: "officer",
          createdBy: admin?.id ?? "",
          createdAt: NOW,
          expiresAt: later(60),
        });
      }
      const email = `owen${round}@council.example`;
      const { role: _, ...who } = staffRow(email);
      const results = await Promise.all([
        a.staff.acceptInvite(`one-${round}`, { ...who, id: randomUUID() }, NOW),
        b.staff.acceptInvite(`two-${round}`, { ...who, id: randomUUID() }, NOW),
      ]);
      expect(results.sort()).toEqual(["created", "email_taken"]);
    }
    // The invitation that lost is still unused, for another address.
    expect(await db.selectFrom("staff_invites").select("token_hash").where("used_at", "is", null).execute()).toHaveLength(ROUNDS);
  });

  it("subscribe two tablets with the same push endpoint at once: the endpoint ends with one of them", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const [one, two] = [await pairedDevice(a, home.resident.id), await pairedDevice(a, home.resident.id)];
      const endpoint = `https://push.example/${round}`;
      await Promise.all([
        a.push.subscribeDevice(one, subscription(home.resident.id, endpoint)),
        b.push.subscribeDevice(two, subscription(home.resident.id, endpoint)),
      ]);
      const rows = await db.selectFrom("push_subscriptions").select("device_id").where("endpoint", "=", endpoint).execute();
      expect(rows).toHaveLength(1);
      expect([one, two]).toContain(rows[0]?.device_id);
    }
  });

  it("subscribe one tablet twice at once (a retry): it ends with one subscription", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const device = await pairedDevice(a, home.resident.id);
      await Promise.all([
        a.push.subscribeDevice(device, subscription(home.resident.id, `https://push.example/a${round}`)),
        b.push.subscribeDevice(device, subscription(home.resident.id, `https://push.example/b${round}`)),
      ]);
      expect(await db.selectFrom("push_subscriptions").select("id").where("device_id", "=", device).execute()).toHaveLength(1);
    }
  });

  it("subscribe a family link from two instances at once: it ends with one subscription per endpoint and link", async () => {
    const { db, a, b } = await twoInstances();
    const home = await residentWithLink(a);
    for (let round = 0; round < ROUNDS; round++) {
      const endpoint = `https://push.example/family-${round}`;
      await Promise.all([
        a.push.subscribeFamilyLink(home.link.id, subscription(home.resident.id, endpoint)),
        b.push.subscribeFamilyLink(home.link.id, subscription(home.resident.id, endpoint)),
      ]);
      expect(
        await db.selectFrom("push_subscriptions").select("id").where("family_link_id", "=", home.link.id).execute(),
      ).toHaveLength(1);
    }
  });

  it("end with one VAPID key pair that both use when both start on an empty database at once", async () => {
    for (let round = 0; round < 3; round++) {
      const { db, a, b } = await twoInstances();
      const [kept1, kept2] = await Promise.all([
        a.push.keepVapidKeys({ publicKey: "public-a", privateKey: "private-a" }, NOW),
        b.push.keepVapidKeys({ publicKey: "public-b", privateKey: "private-b" }, NOW),
      ]);
      expect(kept1).toEqual(kept2);
      expect(await db.selectFrom("push_vapid_keys").selectAll().execute()).toEqual([
        expect.objectContaining({ public_key: kept1?.publicKey, private_key: kept1?.privateKey }),
      ]);
    }
  });
});

async function logKinds(db: Awaited<ReturnType<typeof twoInstances>>["db"], residentId: string) {
  const rows = await db
    .selectFrom("log_entries")
    .select(["kind", (eb) => eb.fn.countAll<number>().as("n")])
    .where("resident_id", "=", residentId)
    .groupBy("kind")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}
