import { conversationSchema, familyMeSchema, LIMITS, sentMessageSchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  messagesOf,
  type Relay,
  START,
  send,
  sendRequest,
  startRelay,
  sync,
} from "../test-support";

const sentSchema = z.object({ message: sentMessageSchema });

async function oneHousehold(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  return { relay, staff, ...(await staff.household("Margaret")) };
}

const familyGet = (relay: Relay, familyToken: string, path: string) =>
  relay.request(`/api/family${path}`, { bearer: familyToken });

async function familyMessages(relay: Relay, familyToken: string) {
  const { items } = await expectBody(await familyGet(relay, familyToken, "/conversation"), 200, conversationSchema);
  return items.flatMap((i) => (i.kind === "message" ? [{ ...i.message, seq: i.seq }] : []));
}

describe.each(engines)("the family's routes on $name", (engine) => {
  describe("a family link", () => {
    it("tells the family whom they are writing to", async () => {
      const { relay, familyToken } = await oneHousehold(engine);
      const me = await expectBody(await familyGet(relay, familyToken, "/me"), 200, familyMeSchema);
      expect(me).toEqual({
        resident: { preferredName: "Margaret" },
        member: { id: expect.any(String), label: "Margaret's daughter", displayName: null },
        council: "the council",
      });
    });

    it("lets the family member choose how their name shows on the tablet, from their next message", async () => {
      const { relay, familyToken, deviceToken } = await oneHousehold(engine);
      await send(relay, familyToken, "before");
      const patch = (displayName: unknown) =>
        relay.request("/api/family/me", { method: "PATCH", bearer: familyToken, json: { displayName } });
      const me = await expectBody(await patch("  Your daughter Sarah "), 200, familyMeSchema);
      expect(me.member).toMatchObject({ label: "Margaret's daughter", displayName: "Your daughter Sarah" });
      await send(relay, familyToken, "after");
      expect(messagesOf(await sync(relay, deviceToken)).map((m) => [m.text, m.senderName])).toEqual([
        ["before", "Margaret's daughter"],
        ["after", "Your daughter Sarah"],
      ]);
      await expectError(await patch(""), 400, "invalid_request");
      await expectError(await patch("x".repeat(81)), 400, "invalid_request");
      expect((await expectBody(await patch(null), 200, familyMeSchema)).member.displayName).toBeNull();
    });

    it("sends a message to the resident's tablet and lists it for the family", async () => {
      const { relay, familyToken, deviceToken } = await oneHousehold(engine);
      const id = uuidv7();
      const { message } = await expectBody(await sendRequest(relay, familyToken, "  Hello Mum  ", id), 201, sentSchema);
      const senderId = (await expectBody(await familyGet(relay, familyToken, "/me"), 200, familyMeSchema)).member.id;
      expect(message).toEqual({
        id,
        senderId,
        senderName: "Margaret's daughter",
        text: "Hello Mum",
        photos: [],
        sentAt: START.toISOString(),
        seq: 1,
      });

      expect(await familyMessages(relay, familyToken)).toEqual([message]);
      expect(messagesOf(await sync(relay, deviceToken))).toEqual([
        { id, senderId, senderName: "Margaret's daughter", text: "Hello Mum", photos: [], sentAt: START.toISOString() },
      ]);
    });

    it("accepts a text of exactly the longest length", async () => {
      const { relay, familyToken } = await oneHousehold(engine);
      const text = "x".repeat(LIMITS.messageTextMax);
      expect((await send(relay, familyToken, text)).text).toBe(text);
    });

    it("lists only what was sent through this link", async () => {
      const { relay, staff, resident, familyToken } = await oneHousehold(engine);
      const { token: sonToken } = await staff.createFamilyLink(resident.id, "Son");
      const arthur = await staff.household("Arthur");
      await send(relay, familyToken, "from the daughter");
      await send(relay, sonToken, "from the son");
      await send(relay, arthur.familyToken, "to Arthur");

      expect((await familyMessages(relay, familyToken)).map((m) => m.text)).toEqual(["from the daughter"]);
      expect((await familyMessages(relay, sonToken)).map((m) => m.text)).toEqual(["from the son"]);
      expect((await familyMessages(relay, arthur.familyToken)).map((m) => m.text)).toEqual(["to Arthur"]);
    });

    it("stops working at once when staff revoke it", async () => {
      const { relay, staff, resident, link, familyToken, deviceToken } = await oneHousehold(engine);
      const { token: sonToken } = await staff.createFamilyLink(resident.id, "Son");
      await send(relay, familyToken, "before");
      expect((await staff.revokeFamilyLink(resident.id, link.id)).status).toBe(200);

      await expectError(await familyGet(relay, familyToken, "/me"), 410, "link_revoked");
      await expectError(await familyGet(relay, familyToken, "/conversation"), 410, "link_revoked");
      await expectError(await sendRequest(relay, familyToken, "after"), 410, "link_revoked");
      expect(messagesOf(await sync(relay, deviceToken)).map((m) => m.text)).toEqual(["before"]);
      // The resident's other links are untouched.
      await send(relay, sonToken, "still here");
    });

    it.each([
      ["no Authorization header", {}],
      ["a made-up token", { Authorization: `Bearer ${"A".repeat(43)}` }],
      ["another scheme", { Authorization: "Basic bWFyZ2FyZXQ6cGFzc3dvcmQ=" }],
      ["a tablet's device token", "device"],
    ] as const)("refuses %s with 401", async (_what, headers) => {
      const { relay, deviceToken } = await oneHousehold(engine);
      const h = headers === "device" ? { Authorization: `Bearer ${deviceToken}` } : headers;
      await expectError(await relay.request("/api/family/me", { headers: h }), 401, "unauthenticated");
      await expectError(
        await relay.request("/api/family/messages", { headers: h, json: { id: uuidv7(), text: "Hi" } }),
        401,
        "unauthenticated",
      );
    });

    it("cannot be used as a tablet's device token", async () => {
      const { relay, familyToken } = await oneHousehold(engine);
      await expectError(await relay.request("/api/tablet/sync", { bearer: familyToken }), 401, "unauthenticated");
    });
  });

  describe("sending the same message twice", () => {
    it("with the same id and text stores it once and answers 201, then 200 with the stored message", async () => {
      const { relay, familyToken, deviceToken } = await oneHousehold(engine);
      const id = uuidv7();
      const first = await sendRequest(relay, familyToken, "Lovely to see you", id);
      const stored = await expectBody(first, 201, sentSchema);
      relay.clock.advanceMinutes(5);
      const retry = await sendRequest(relay, familyToken, "Lovely to see you", id);
      expect(await expectBody(retry, 200, sentSchema)).toEqual(stored);

      expect((await sync(relay, deviceToken)).entries).toHaveLength(1);
      expect((await dumpTables(relay)).messages).toHaveLength(1);
    });

    it("at the same moment stores it once", async () => {
      const { relay, familyToken, deviceToken } = await oneHousehold(engine);
      const id = uuidv7();
      const responses = await Promise.all([
        sendRequest(relay, familyToken, "Hello", id),
        sendRequest(relay, familyToken, "Hello", id),
      ]);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 201]);
      expect((await sync(relay, deviceToken)).entries).toHaveLength(1);
    });

    it("with the same id but another text is refused with 409 id_reused, and nothing changes", async () => {
      const { relay, familyToken, deviceToken } = await oneHousehold(engine);
      const id = uuidv7();
      await send(relay, familyToken, "See you on Sunday", id);
      const before = await dumpTables(relay);

      await expectError(await sendRequest(relay, familyToken, "See you on Monday", id), 409, "id_reused");
      expect(await dumpTables(relay)).toEqual(before);
      expect(messagesOf(await sync(relay, deviceToken)).map((m) => m.text)).toEqual(["See you on Sunday"]);
    });

    it("through another resident's link, even with the same text, is refused", async () => {
      const { relay, staff, familyToken } = await oneHousehold(engine);
      const arthur = await staff.household("Arthur");
      const id = uuidv7();
      await send(relay, familyToken, "Happy birthday", id);

      await expectError(await sendRequest(relay, arthur.familyToken, "Happy birthday", id), 409, "id_reused");
      expect((await sync(relay, arthur.deviceToken)).entries).toEqual([]);
    });
  });

  describe("a bad message", () => {
    const id = uuidv7();
    const json = (body: unknown) => ({ json: body });
    const raw = (body: string, headers: Record<string, string> = {}) => ({
      body,
      headers: { "Content-Type": "application/json", ...headers },
    });
    const oversized = JSON.stringify({ id, text: "x".repeat(LIMITS.jsonBodyMaxBytes) });

    it.each([
      ["malformed JSON", raw('{"id": "'), 400, "malformed_json", "not valid JSON"],
      [
        "JSON sent as plain text",
        raw(JSON.stringify({ id, text: "Hi" }), { "Content-Type": "text/plain" }),
        400,
        "invalid_request",
        "Content-Type: application/json",
      ],
      ["an unknown field", json({ id, text: "Hi", photo: "cat.jpg" }), 400, "invalid_request", "Unknown field: photo."],
      ["a missing text", json({ id }), 400, "invalid_request", "“text” is missing."],
      ["a missing id", json({ text: "Hi" }), 400, "invalid_request", "“id” is missing."],
      ["a text that is not a string", json({ id, text: 42 }), 400, "invalid_request", "“text” must be text."],
      ["a blank text", json({ id, text: "   " }), 400, "invalid_request", "“text” is empty."],
      [
        "a text one character too long",
        json({ id, text: "x".repeat(LIMITS.messageTextMax + 1) }),
        400,
        "invalid_request",
        `longer than ${LIMITS.messageTextMax} characters`,
      ],
      [
        "an id that is not a UUIDv7",
        json({ id: crypto.randomUUID(), text: "Hi" }),
        400,
        "invalid_request",
        "“id” must be a UUIDv7.",
      ],
      ["a body that is a list", json([{ id, text: "Hi" }]), 400, "invalid_request", "must be a JSON object"],
      ["a body over the size limit", raw(oversized), 413, "body_too_large", "larger than 64 KB"],
      [
        "a body over the size limit, announced",
        raw(oversized, { "Content-Length": String(Buffer.byteLength(oversized)) }),
        413,
        "body_too_large",
        "larger than 64 KB",
      ],
    ] as const)("with %s gets a clear 4xx and stores nothing", async (_what, options, status, code, wording) => {
      const { relay, familyToken } = await oneHousehold(engine);
      await send(relay, familyToken, "A good message first");
      const before = await dumpTables(relay);

      const res = await relay.request("/api/family/messages", { bearer: familyToken, ...options });
      expect(await expectError(res, status, code)).toContain(wording);
      expect(await dumpTables(relay)).toEqual(before);
    });
  });
});
