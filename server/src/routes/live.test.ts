import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { LIVE_CONNECTIONS_PER_CREDENTIAL } from "../http/live";
import { type Engine, engines } from "../test-databases";
import { expectError, firstStaff, pairTablet, send, startRelay } from "../test-support";

/** Reads server-sent events from a response body, one `{ event, data }` at a time. */
function sseReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  return {
    async next(): Promise<{ event: string; data: unknown }> {
      for (;;) {
        const end = buffered.indexOf("\n\n");
        if (end >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const field = (name: string) => block.match(new RegExp(`^${name}: ?(.*)$`, "m"))?.[1] ?? "";
          return { event: field("event"), data: JSON.parse(field("data") || "null") };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the stream ended");
        buffered += decoder.decode(value, { stream: true });
      }
    },
    close: () => reader.cancel(),
  };
}

async function household(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  return { relay, staff, ...(await staff.household("Margaret")) };
}

describe.each(engines)("live connections on $name", (engine) => {
  describe("the tablet's live connection", () => {
    it("says at once when its resident's log grows, and not for other residents", async () => {
      const { relay, staff, deviceToken, familyToken } = await household(engine);
      const other = await staff.household("Arthur");
      const res = await relay.request("/api/tablet/live", { bearer: deviceToken });
      expect(res.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
      const events = sseReader(res);
      expect((await events.next()).event).toBe("ready");

      await send(relay, other.familyToken, "for Arthur");
      const message = await send(relay, familyToken, "for Margaret");
      expect(await events.next()).toEqual({ event: "log", data: { seq: message.seq } });
      await events.close();
      expect(relay.services.live.count).toBe(0);
    });

    it("is refused once the relay has begun to stop, so that a new one cannot hold the stop up", async () => {
      const { relay, deviceToken } = await household(engine);
      const events = sseReader(await relay.request("/api/tablet/live", { bearer: deviceToken }));
      expect((await events.next()).event).toBe("ready");
      relay.services.live.closeAll();
      await expect(events.next()).rejects.toThrow("the stream ended");
      const late = await relay.request("/api/tablet/live", { bearer: deviceToken });
      expect(late.headers.get("Retry-After")).toBe("5");
      await expectError(late, 429, "busy");
      expect(relay.services.live.count).toBe(0);
    });

    it("hears at once when staff change the resident's settings", async () => {
      const { relay, staff, resident, deviceToken } = await household(engine);
      const events = sseReader(await relay.request("/api/tablet/live", { bearer: deviceToken }));
      await events.next();
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect((await events.next()).event).toBe("log");
      await events.close();
    });

    it("needs a paired tablet", async () => {
      const { relay } = await household(engine);
      await expectError(await relay.request("/api/tablet/live", { bearer: "x".repeat(43) }), 401, "unauthenticated");
    });

    it("is ended by closeAll, as when the relay stops", async () => {
      const { relay, deviceToken } = await household(engine);
      const events = sseReader(await relay.request("/api/tablet/live", { bearer: deviceToken }));
      await events.next();
      relay.services.live.closeAll();
      await expect(events.next()).rejects.toThrow("the stream ended");
    });
  });

  describe("the family's live connection", () => {
    it("tells a family member when their message is seen, and not about another member's", async () => {
      const { relay, staff, resident, deviceToken, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const sons = await send(relay, son.token, "from the son");
      const events = sseReader(await relay.request("/api/family/live", { bearer: familyToken }));
      await events.next();

      await relay.request("/api/tablet/receipts", {
        bearer: deviceToken,
        json: { receipts: [{ messageId: sons.id, state: "seen" }] },
      });
      const mine = await send(relay, familyToken, "from the daughter");
      await relay.request("/api/tablet/receipts", {
        bearer: deviceToken,
        json: { receipts: [{ messageId: mine.id, state: "seen" }] },
      });
      // The son's receipt (seq 2) is not hers; the first she hears of is her own message (seq 3) or,
      // if both came before the stream wrote, her receipt (seq 4): hints carry the latest seq.
      const first = (await events.next()).data as { seq: number };
      expect(first.seq).toBeGreaterThanOrEqual(3);
      const reply = await relay.request("/api/tablet/replies", {
        bearer: deviceToken,
        json: { id: uuidv7(), inReplyTo: mine.id, text: "Thank you ♥" },
      });
      expect(reply.status).toBe(201);
      let last = await events.next();
      while ((last.data as { seq: number }).seq < 5) last = await events.next();
      expect(last).toEqual({ event: "log", data: { seq: 5 } });
      await events.close();
    });

    it("hears when a tablet is set up, and when one comes back after long enough to be shown offline", async () => {
      const { relay, staff, resident, deviceToken, familyToken } = await household(engine);
      const events = sseReader(await relay.request("/api/family/live", { bearer: familyToken }));
      expect((await events.next()).event).toBe("ready");

      await pairTablet(relay, (await staff.createSetupCode(resident.id)).code);
      expect((await events.next()).event).toBe("log");

      relay.clock.advanceMinutes(31);
      expect((await relay.request("/api/tablet/sync?after=0", { bearer: deviceToken })).status).toBe(200);
      expect((await events.next()).event).toBe("log");
      await events.close();
    });

    it("hears when its link is revoked or re-issued, so that an open page says at once that it no longer works", async () => {
      const { relay, staff, resident, link, familyToken } = await household(engine);
      const other = await staff.createFamilyLink(resident.id, "Margaret's son");
      const events = sseReader(await relay.request("/api/family/live", { bearer: familyToken }));
      expect((await events.next()).event).toBe("ready");
      await staff.revokeFamilyLink(resident.id, link.id);
      expect((await events.next()).event).toBe("log");
      await events.close();

      const sons = sseReader(await relay.request("/api/family/live", { bearer: other.token }));
      expect((await sons.next()).event).toBe("ready");
      await staff.request(`/residents/${resident.id}/family-links/${other.link.id}/reissue`, { method: "POST" });
      expect((await sons.next()).event).toBe("log");
      await sons.close();
    });

    it("with family members kept apart, says nothing of another member's messages, receipts, replies or deletions", async () => {
      const { relay, staff, resident, deviceToken, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const daughters = sseReader(await relay.request("/api/family/live", { bearer: familyToken }));
      await daughters.next();

      const sons = await send(relay, son.token, "from the son");
      await relay.request("/api/tablet/receipts", {
        bearer: deviceToken,
        json: { receipts: [{ messageId: sons.id, state: "seen" }] },
      });
      await relay.request("/api/tablet/replies", {
        bearer: deviceToken,
        json: { id: uuidv7(), inReplyTo: sons.id, text: "Thank you ♥" },
      });
      await relay.request(`/api/family/messages/${sons.id}`, { method: "DELETE", bearer: son.token });
      // Settings concern every family page; their hint carries no seq. A hint about any of the son's
      // entries would have been written before it (the stream is not read meanwhile, so it waits).
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect(await daughters.next()).toEqual({ event: "log", data: { seq: 0 } });

      // The same rule as the conversation: once staff let the family see each other's, she hears.
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { familySeesAll: true } });
      expect(await daughters.next()).toEqual({ event: "log", data: { seq: 0 } });
      const next = await send(relay, son.token, "hello everyone");
      expect(await daughters.next()).toEqual({ event: "log", data: { seq: next.seq } });
      await daughters.close();
    });
  });

  describe("live connections per credential", () => {
    /** Opens a live connection and reads its `ready`. */
    async function open(relay: Awaited<ReturnType<typeof startRelay>>, path: string, bearer: string) {
      const res = await relay.request(path, { bearer });
      expect(res.status).toBe(200);
      const events = sseReader(res);
      expect((await events.next()).event).toBe("ready");
      return events;
    }

    for (const [who, path, max] of [
      ["tablet", "/api/tablet/live", LIVE_CONNECTIONS_PER_CREDENTIAL.device],
      ["family member", "/api/family/live", LIVE_CONNECTIONS_PER_CREDENTIAL.family],
    ] as const) {
      it(`a ${who} holds at most ${max}: one more closes the oldest, which is told it was replaced`, async () => {
        const { relay, deviceToken, familyToken } = await household(engine);
        const bearer = path.startsWith("/api/tablet") ? deviceToken : familyToken;
        const streams = [];
        for (let i = 0; i < max; i++) streams.push(await open(relay, path, bearer));
        expect(relay.services.live.count).toBe(max);

        // As a tablet back from a network drop whose old connections the relay still holds open.
        const newest = await open(relay, path, bearer);
        const [oldest, ...kept] = streams;
        expect(await oldest?.next()).toEqual({ event: "replaced", data: {} });
        await expect(oldest?.next()).rejects.toThrow("the stream ended");
        expect(relay.services.live.count).toBe(max);

        const message = await send(relay, familyToken, "still heard");
        for (const events of [...kept, newest]) expect(await events.next()).toEqual({ event: "log", data: { seq: message.seq } });
        relay.services.live.closeAll();
        for (const events of [...kept, newest]) await expect(events.next()).rejects.toThrow("the stream ended");
        expect(relay.services.live.count).toBe(0);
      });
    }

    it("counts each credential apart", async () => {
      const { relay, staff, resident, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const daughters = [];
      for (let i = 0; i < LIVE_CONNECTIONS_PER_CREDENTIAL.family; i++)
        daughters.push(await open(relay, "/api/family/live", familyToken));
      const sons = await open(relay, "/api/family/live", son.token);
      expect(relay.services.live.count).toBe(LIVE_CONNECTIONS_PER_CREDENTIAL.family + 1);
      const message = await send(relay, familyToken, "for all of them");
      for (const events of daughters) expect(await events.next()).toEqual({ event: "log", data: { seq: message.seq } });
      relay.services.live.closeAll();
      await expect(sons.next()).rejects.toThrow("the stream ended");
    });
  });
});
