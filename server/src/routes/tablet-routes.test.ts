import { pairResponseSchema, SETUP_CODE, type SyncPage } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  messagesOf,
  pair,
  pairTablet,
  rowCounts,
  START,
  send,
  startRelay,
  sync,
  syncRequest,
} from "../test-support";

/** A relay with one resident and a fresh set-up code for her tablet. */
async function residentWithCode(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const margaret = await staff.createResident("Margaret");
  const { code } = await staff.createSetupCode(margaret.id);
  return { relay, staff, margaret, code };
}

/** A code of the right shape that staff never made. */
const WRONG_CODE = SETUP_CODE.alphabet[0]?.repeat(SETUP_CODE.length) ?? "";

describe.each(engines)("the tablet's routes on $name", (engine) => {
  describe("pairing a tablet", () => {
    it("gives the tablet a device token for its resident", async () => {
      const { relay, margaret, code } = await residentWithCode(engine);
      const paired = await expectBody(await pair(relay, code), 201, pairResponseSchema);
      expect(paired.resident).toEqual({ id: margaret.id, preferredName: "Margaret" });
      expect((await sync(relay, paired.deviceToken)).entries).toEqual([]);
    });

    it("works once per code: a second tablet is refused", async () => {
      const { relay, code } = await residentWithCode(engine);
      await pairTablet(relay, code);
      await expectError(await pair(relay, code), 400, "setup_code_invalid");
      expect((await rowCounts(relay)).devices).toBe(1);
    });

    it("lets only one of two tablets racing with the same code win", async () => {
      const { relay, code } = await residentWithCode(engine);
      const statuses = (await Promise.all([pair(relay, code), pair(relay, code)])).map((r) => r.status);
      expect(statuses.sort()).toEqual([201, 400]);
      expect((await rowCounts(relay)).devices).toBe(1);
    });

    it("refuses a code 30 minutes after it was made", async () => {
      const { relay, staff, margaret, code } = await residentWithCode(engine);
      const { code: later } = await staff.createSetupCode(margaret.id);
      relay.clock.advanceMinutes(SETUP_CODE.ttlMinutes - 1);
      await pairTablet(relay, code);
      relay.clock.advanceMinutes(1);
      await expectError(await pair(relay, later), 400, "setup_code_invalid");
      expect((await rowCounts(relay)).devices).toBe(1);
    });

    it("forgives lower case, spaces and dashes in the code", async () => {
      const { relay, code } = await residentWithCode(engine);
      const typed = ` ${code.slice(0, 4).toLowerCase()} - ${code.slice(4).toLowerCase()} `;
      await expectBody(await pair(relay, typed), 201, pairResponseSchema);
    });

    it.each([
      ["too short", "ABC"],
      ["with a letter never used in codes", "ABCD0FGH"],
    ])("refuses a code that is %s as invalid_request", async (_what, code) => {
      const { relay } = await residentWithCode(engine);
      await expectError(await pair(relay, code), 400, "invalid_request");
      expect((await rowCounts(relay)).devices).toBe(0);
    });

    it("after five wrong codes refuses even the right one for 15 minutes", async () => {
      const { relay, code } = await residentWithCode(engine);
      for (let i = 0; i < 5; i++) await expectError(await pair(relay, WRONG_CODE), 400, "setup_code_invalid");

      await expectError(await pair(relay, code), 429, "too_many_attempts");
      relay.clock.advanceMinutes(14);
      await expectError(await pair(relay, code), 429, "too_many_attempts");
      relay.clock.advanceMinutes(1);
      await expectBody(await pair(relay, code), 201, pairResponseSchema);
    });

    it("counts a wrong code from when it arrives, so forty at once get five looked at", async () => {
      const { relay, code } = await residentWithCode(engine);
      const answers = await Promise.all(Array.from({ length: 40 }, () => pair(relay, WRONG_CODE, "192.0.2.1")));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 400)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(35);
      await expectError(await pair(relay, code, "192.0.2.1"), 429, "too_many_attempts");
    });

    it("counts wrong codes per address", async () => {
      const { relay, code } = await residentWithCode(engine);
      for (let i = 0; i < 5; i++) await expectError(await pair(relay, WRONG_CODE, "192.0.2.1"), 400, "setup_code_invalid");
      await expectBody(await pair(relay, code, "192.0.2.2"), 201, pairResponseSchema);
    });
  });

  describe("the tablet's sync", () => {
    it("needs a device token", async () => {
      const { relay, code } = await residentWithCode(engine);
      const deviceToken = await pairTablet(relay, code);
      await expectError(await relay.request("/api/tablet/sync"), 401, "unauthenticated");
      await expectError(await syncRequest(relay, "A".repeat(43)), 401, "unauthenticated");
      await expectError(
        await relay.request("/api/tablet/sync", { headers: { Authorization: deviceToken } }),
        401,
        "unauthenticated",
      );
    });

    it("records when the tablet was last seen, for the dashboard", async () => {
      const { relay, code } = await residentWithCode(engine);
      const deviceToken = await pairTablet(relay, code);
      relay.clock.advanceMinutes(90);
      await sync(relay, deviceToken);
      const [device] = (await dumpTables(relay)).devices as { last_seen_at: string }[];
      expect(device?.last_seen_at).toBe(new Date(START.getTime() + 90 * 60_000).toISOString());
    });

    it("hands out messages as log entries", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const { familyToken, deviceToken } = await staff.household("Margaret");
      const sent = await send(relay, familyToken, "Hello Mum, see you Sunday");

      const page = await sync(relay, deviceToken);
      expect(page).toEqual({
        entries: [
          {
            seq: 1,
            at: START.toISOString(),
            kind: "message",
            message: {
              id: sent.id,
              senderId: sent.senderId,
              senderName: "Margaret's daughter",
              text: "Hello Mum, see you Sunday",
              photos: [],
              sentAt: START.toISOString(),
            },
          },
        ],
        cursor: 1,
        hasMore: false,
        logId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        head: 1,
        settings: {
          preferredName: "Margaret",
          language: "en-GB",
          replyOptions: ["Thank you ♥", "Lovely photo!", "Please ring me"],
          quietHours: { start: "21:00", end: "08:00" },
          textSize: "large",
          paused: false,
        },
      });
    });
  });

  describe("each resident's log", () => {
    async function twoHouseholds() {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      return { relay, a: await staff.household("Margaret"), b: await staff.household("Arthur") };
    }
    const texts = (page: SyncPage) => messagesOf(page).map((m) => m.text);
    const seqs = (page: { entries: { seq: number }[] }) => page.entries.map((e) => e.seq);

    it("numbers entries 1, 2, 3… for each resident on its own", async () => {
      const { relay, a, b } = await twoHouseholds();
      const order: [typeof a, string][] = [
        [a, "A1"],
        [b, "B1"],
        [a, "A2"],
        [a, "A3"],
        [b, "B2"],
      ];
      const sent = [];
      for (const [household, text] of order) sent.push((await send(relay, household.familyToken, text)).seq);
      expect(sent).toEqual([1, 1, 2, 3, 2]);

      expect(seqs(await sync(relay, a.deviceToken))).toEqual([1, 2, 3]);
      expect(seqs(await sync(relay, b.deviceToken))).toEqual([1, 2]);
    });

    it("shows a tablet only its own resident's messages", async () => {
      const { relay, a, b } = await twoHouseholds();
      await send(relay, a.familyToken, "For Margaret");
      await send(relay, b.familyToken, "For Arthur");
      await send(relay, a.familyToken, "Also for Margaret");

      expect(texts(await sync(relay, a.deviceToken))).toEqual(["For Margaret", "Also for Margaret"]);
      expect(texts(await sync(relay, b.deviceToken))).toEqual(["For Arthur"]);
    });

    it("gives only the entries after the cursor", async () => {
      const { relay, a } = await twoHouseholds();
      for (const text of ["one", "two", "three", "four"]) await send(relay, a.familyToken, text);
      const page = await sync(relay, a.deviceToken, "?after=2");
      expect(texts(page)).toEqual(["three", "four"]);
      expect(page).toMatchObject({ cursor: 4, hasMore: false });

      expect(await sync(relay, a.deviceToken, "?after=4")).toMatchObject({ entries: [], cursor: 4, hasMore: false });
      expect(await sync(relay, a.deviceToken, "?after=99")).toMatchObject({ entries: [], cursor: 99, hasMore: false });
    });

    it("comes in pages of `limit`, with hasMore until the last", async () => {
      const { relay, a } = await twoHouseholds();
      for (const text of ["one", "two", "three", "four", "five"]) await send(relay, a.familyToken, text);

      const pages = [];
      let cursor = 0;
      for (let more = true; more; ) {
        const page = await sync(relay, a.deviceToken, `?after=${cursor}&limit=2`);
        pages.push({ seqs: seqs(page), cursor: page.cursor, hasMore: page.hasMore });
        cursor = page.cursor;
        more = page.hasMore;
      }
      expect(pages).toEqual([
        { seqs: [1, 2], cursor: 2, hasMore: true },
        { seqs: [3, 4], cursor: 4, hasMore: true },
        { seqs: [5], cursor: 5, hasMore: false },
      ]);
      // A page that ends exactly at the last entry says there is no more.
      expect(await sync(relay, a.deviceToken, "?after=3&limit=2")).toMatchObject({ cursor: 5, hasMore: false });
    });

    it.each([
      ["?after=-1", "after"],
      ["?after=abc", "after"],
      ["?after=1.5", "after"],
      ["?limit=1000", "limit"],
      ["?limit=0", "limit"],
      ["?since=3", "since"],
    ])("refuses the query %s with a message naming %s", async (query, field) => {
      const { relay, a } = await twoHouseholds();
      const message = await expectError(await syncRequest(relay, a.deviceToken, query), 400, "invalid_request");
      expect(message).toContain(field);
    });
  });
});
