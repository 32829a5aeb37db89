import { conversationSchema, type SyncPage, sentReplySchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Engine, engines } from "../test-databases";
import { dumpTables, expectBody, expectError, firstStaff, type Relay, send, startRelay, sync } from "../test-support";

/** A resident with two family members (daughter and son) and a paired tablet. */
async function family(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const home = await staff.household("Margaret");
  const son = await staff.createFamilyLink(home.resident.id, "Margaret's son");
  return { relay, staff, ...home, sonToken: son.token };
}

const receipts = (relay: Relay, deviceToken: string, list: { messageId: string; state: string }[]) =>
  relay.request("/api/tablet/receipts", { bearer: deviceToken, json: { receipts: list } });

const reply = (relay: Relay, deviceToken: string, body: { id?: string; inReplyTo: string; text: string }) =>
  relay.request("/api/tablet/replies", { bearer: deviceToken, json: { id: uuidv7(), ...body } });

async function conversation(relay: Relay, familyToken: string) {
  return expectBody(await relay.request("/api/family/conversation", { bearer: familyToken }), 200, conversationSchema);
}

const kinds = (page: SyncPage) => page.entries.map((e) => e.kind);

describe.each(engines)("the conversation on $name", (engine) => {
  describe("receipts from the tablet", () => {
    it("move a message to delivered, then seen, each once, and show on the family's page", async () => {
      const { relay, deviceToken, familyToken } = await family(engine);
      const message = await send(relay, familyToken, "Hello Mum");

      expect((await receipts(relay, deviceToken, [{ messageId: message.id, state: "delivered" }])).status).toBe(200);
      relay.clock.advanceMinutes(5);
      await receipts(relay, deviceToken, [{ messageId: message.id, state: "seen" }]);
      // A tablet back online resends what it kept: nothing changes.
      await receipts(relay, deviceToken, [
        { messageId: message.id, state: "delivered" },
        { messageId: message.id, state: "seen" },
      ]);

      expect(kinds(await sync(relay, deviceToken))).toEqual(["message", "receipt", "receipt"]);
      const [item] = (await conversation(relay, familyToken)).items;
      expect(item).toMatchObject({
        kind: "message",
        deliveredAt: "2026-11-28T10:00:00.000Z",
        seenAt: "2026-11-28T10:05:00.000Z",
      });
    });

    it("count seen as delivered too when the delivered receipt never came", async () => {
      const { relay, deviceToken, familyToken } = await family(engine);
      const message = await send(relay, familyToken, "Hello");
      await receipts(relay, deviceToken, [{ messageId: message.id, state: "seen" }]);
      expect((await conversation(relay, familyToken)).items[0]).toMatchObject({
        deliveredAt: expect.any(String),
        seenAt: expect.any(String),
      });
    });

    it("about another resident's message change nothing", async () => {
      const { relay, staff, familyToken } = await family(engine);
      const other = await staff.household("Arthur");
      const message = await send(relay, familyToken, "for Margaret");
      const before = await dumpTables(relay);
      expect((await receipts(relay, other.deviceToken, [{ messageId: message.id, state: "seen" }])).status).toBe(200);
      expect(await dumpTables(relay)).toEqual(before);
    });

    it("are refused with a sentence when the state is unknown or the list is empty", async () => {
      const { relay, deviceToken, familyToken } = await family(engine);
      const message = await send(relay, familyToken, "Hello");
      await expectError(await receipts(relay, deviceToken, [{ messageId: message.id, state: "read" }]), 400, "invalid_request");
      await expectError(await receipts(relay, deviceToken, []), 400, "invalid_request");
    });
  });

  describe("a one-tap reply", () => {
    it("reaches the family member who sent the message, once, however often the tablet retries", async () => {
      const { relay, deviceToken, familyToken, sonToken } = await family(engine);
      const message = await send(relay, familyToken, "Lovely day at the beach");
      const id = uuidv7();
      const first = await expectBody(
        await reply(relay, deviceToken, { id, inReplyTo: message.id, text: "Thank you ♥" }),
        201,
        z.object({ reply: sentReplySchema }),
      );
      const again = await expectBody(
        await reply(relay, deviceToken, { id, inReplyTo: message.id, text: "Thank you ♥" }),
        200,
        z.object({ reply: sentReplySchema }),
      );
      expect(again).toEqual(first);

      const daughter = await conversation(relay, familyToken);
      expect(daughter.items.map((i) => i.kind)).toEqual(["message", "reply"]);
      expect(daughter.items[1]).toMatchObject({
        kind: "reply",
        toMe: true,
        reply: { id, inReplyTo: message.id, text: "Thank you ♥" },
      });
      // Family see only their own part of the conversation unless staff allow more.
      expect((await conversation(relay, sonToken)).items).toEqual([]);
    });

    it("with a reused id and other words is refused and changes nothing", async () => {
      const { relay, deviceToken, familyToken } = await family(engine);
      const message = await send(relay, familyToken, "Hi");
      const id = uuidv7();
      await reply(relay, deviceToken, { id, inReplyTo: message.id, text: "Thank you ♥" });
      const before = await dumpTables(relay);
      await expectError(await reply(relay, deviceToken, { id, inReplyTo: message.id, text: "Please ring me" }), 409, "id_reused");
      expect(await dumpTables(relay)).toEqual(before);
    });

    it("to a message that is not the resident's is refused", async () => {
      const { relay, staff, familyToken } = await family(engine);
      const other = await staff.household("Arthur");
      const message = await send(relay, familyToken, "for Margaret");
      await expectError(await reply(relay, other.deviceToken, { inReplyTo: message.id, text: "Thank you ♥" }), 404, "not_found");
    });
  });

  describe("deleting a message", () => {
    it("takes it off the tablet through a log entry, and off the family's page", async () => {
      const { relay, deviceToken, familyToken } = await family(engine);
      const message = await send(relay, familyToken, "Oops, wrong person");
      const del = () => relay.request(`/api/family/messages/${message.id}`, { method: "DELETE", bearer: familyToken });
      expect((await del()).status).toBe(200);
      expect((await del()).status).toBe(200);

      const page = await sync(relay, deviceToken);
      // The message entry no longer carries the text; the deletion tells the tablet to drop its copy.
      expect(page.entries).toEqual([expect.objectContaining({ kind: "message_deleted", messageId: message.id, seq: 2 })]);
      expect(page.cursor).toBe(2);
      expect((await conversation(relay, familyToken)).items).toEqual([]);
      expect(JSON.stringify(await dumpTables(relay))).not.toContain("Oops, wrong person");
    });

    it("is only for the family member who sent it", async () => {
      const { relay, familyToken, sonToken } = await family(engine);
      const message = await send(relay, familyToken, "from the daughter");
      await expectError(
        await relay.request(`/api/family/messages/${message.id}`, { method: "DELETE", bearer: sonToken }),
        404,
        "not_found",
      );
      expect((await conversation(relay, familyToken)).items).toHaveLength(1);
    });
  });

  describe("a resident's settings", () => {
    it("are changed by staff and reach the tablet with its next pull", async () => {
      const { relay, staff, resident, deviceToken } = await family(engine);
      const res = await staff.request(`/residents/${resident.id}`, {
        method: "PATCH",
        json: { language: "cy", quietHours: { start: "20:30", end: "07:45" }, replyOptions: ["Diolch"], textSize: "larger" },
      });
      expect(res.status).toBe(200);
      expect((await sync(relay, deviceToken)).settings).toEqual({
        preferredName: "Margaret",
        language: "cy",
        replyOptions: ["Diolch"],
        quietHours: { start: "20:30", end: "07:45" },
        textSize: "larger",
        paused: false,
      });
    });

    it("give Welsh default replies to a Welsh resident whose replies staff never set", async () => {
      const { relay, staff, resident, deviceToken } = await family(engine);
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { language: "cy" } });
      expect((await sync(relay, deviceToken)).settings.replyOptions).toEqual(["Diolch ♥", "Llun hyfryd!", "Ffonia fi plîs"]);
    });

    it("tell the family when the tablet rests and whether messages are paused", async () => {
      const { relay, staff, resident, familyToken } = await family(engine);
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect((await conversation(relay, familyToken)).tablet).toEqual({
        lastSeenAt: "2026-11-28T10:00:00.000Z",
        quietHours: { start: "21:00", end: "08:00" },
        paused: true,
      });
    });

    it("refuse a bad time of day or an unknown language with a sentence", async () => {
      const { staff, resident } = await family(engine);
      const patch = (json: unknown) => staff.request(`/residents/${resident.id}`, { method: "PATCH", json });
      expect(await expectError(await patch({ quietHours: { start: "25:00", end: "08:00" } }), 400, "invalid_request")).toContain(
        "21:00",
      );
      await expectError(await patch({ language: "fr" }), 400, "invalid_request");
      await expectError(await patch({ replyOptions: ["a", "b", "c", "d", "e", "f", "g"] }), 400, "invalid_request");
    });
  });
});
