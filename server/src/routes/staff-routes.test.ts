import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { familyLinkSchema, residentSchema, SETUP_CODE, staffMemberSchema } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp, createServices } from "../app";
import { BoundedHasher, type PasswordHasher, scryptHasher } from "../services/credentials";
import { SIGN_IN_BUDGETS } from "../services/sign-in-throttle";
import { engines } from "../test-databases";
import {
  cookieSetBy,
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  firstStaffSetupToken,
  messagesOf,
  OFFICER,
  pairTablet,
  quickHasher,
  type Relay,
  rowCounts,
  SESSION_COOKIE,
  STAFF,
  START,
  send,
  signIn,
  startRelay,
  sync,
} from "../test-support";

const meSchema = z.object({ staff: staffMemberSchema });
/** Forty sign-ins at once queue for the same limit counters' row locks; on a busy machine that takes a while. */
const MANY_AT_ONCE_MS = 20_000;
const UNKNOWN_RESIDENT = "00000000-0000-4000-8000-000000000000";

/** Signs the first staff member in again and returns the new session's Cookie header. */
async function signedIn(relay: Relay) {
  const res = await signIn(relay, STAFF.email, STAFF.password);
  await expectBody(res, 200, meSchema);
  const cookie = cookieSetBy(res, SESSION_COOKIE);
  if (!cookie) throw new Error("Signing in set no cookie");
  return `${SESSION_COOKIE}=${cookie.value}`;
}

const me = (relay: Relay, cookie: string) => relay.request("/api/staff/me", { cookie });

describe.each(engines)("the staff routes on $name", (engine) => {
  describe("the first staff account", () => {
    it("is made through the one-time set-up link, which then stops working", async () => {
      const relay = await startRelay({ engine });
      const token = await firstStaffSetupToken(relay);

      const first = await relay.request("/api/staff/setup", { json: { token, ...STAFF } });
      const { staff } = await expectBody(first, 201, meSchema);
      expect(staff).toMatchObject({ name: STAFF.name, email: STAFF.email });
      const session = `${SESSION_COOKIE}=${cookieSetBy(first, SESSION_COOKIE)?.value}`;
      expect((await expectBody(await me(relay, session), 200, meSchema)).staff).toEqual(staff);

      const again = await relay.request("/api/staff/setup", { json: { token, ...STAFF, email: "someone.else@council.example" } });
      await expectError(again, 400, "setup_link_invalid");
      expect((await rowCounts(relay)).staff).toBe(1);
      expect(await relay.services.staff.issueFirstStaffLink()).toBeUndefined();
    });

    /** Two relay instances started on one database, as behind a load balancer, each with its own clock. */
    async function twoInstances() {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-two-"));
      const database = await engine.relayDatabase(dataDir);
      return [await startRelay({ engine, dataDir, database }), await startRelay({ engine, dataDir, database })] as const;
    }
    /** Each try from an address of its own, so that the tries against guessing links stay out of it. */
    let tries = 0;
    const setUp = (relay: Relay, token: string, who: typeof STAFF) =>
      relay.request("/api/staff/setup", { json: { token, ...who }, from: `192.0.2.${++tries}` });
    /**
     * Whether the link would make the first account now, without making it: a live link gets as
     * far as the password, which is refused for being common; a dead one is refused at once.
     */
    async function linkWorks(relay: Relay, token: string) {
      const res = await setUp(relay, token, { ...STAFF, password: "123456789012" });
      const { error } = (await res.json()) as { error: { code: string } };
      expect(["password_too_common", "setup_link_invalid"]).toContain(error.code);
      return error.code === "password_too_common";
    }

    it("can be made through the link either of two instances printed, on either, and then through none", async () => {
      const [one, two] = await twoInstances();
      const tokens = [await firstStaffSetupToken(one), await firstStaffSetupToken(two)];
      for (const relay of [one, two]) for (const token of tokens) expect(await linkWorks(relay, token)).toBe(true);

      // The first link printed, opened on the other instance.
      await expectBody(await setUp(two, tokens[0] ?? "", STAFF), 201, meSchema);
      const other = { ...STAFF, email: "someone.else@council.example" };
      for (const relay of [one, two]) {
        for (const token of tokens) await expectError(await setUp(relay, token, other), 400, "setup_link_invalid");
        expect(await relay.services.staff.issueFirstStaffLink()).toBeUndefined();
      }
      expect((await rowCounts(one)).staff).toBe(1);
    });

    it("keeps each instance's link for its own 24 hours, whatever the other prints", async () => {
      const [one, two] = await twoInstances();
      const early = await firstStaffSetupToken(one);
      two.clock.advanceMinutes(60);
      const late = await firstStaffSetupToken(two);
      expect(await linkWorks(two, early)).toBe(true);
      one.clock.advanceMinutes(24 * 60);
      two.clock.advanceMinutes(23 * 60);
      // A restart of the first instance prints a new link; the second's still works.
      const again = await firstStaffSetupToken(one);
      for (const relay of [one, two]) {
        expect(await linkWorks(relay, early)).toBe(false);
        expect(await linkWorks(relay, late)).toBe(true);
        expect(await linkWorks(relay, again)).toBe(true);
      }
      await expectBody(await setUp(one, late, STAFF), 201, meSchema);
    });

    it("cannot be made with a link older than 24 hours", async () => {
      const relay = await startRelay({ engine });
      const token = await firstStaffSetupToken(relay);
      relay.clock.advanceMinutes(24 * 60);
      await expectError(await relay.request("/api/staff/setup", { json: { token, ...STAFF } }), 400, "setup_link_invalid");
      expect((await rowCounts(relay)).staff).toBe(0);
    });

    it("cannot be made with a made-up token", async () => {
      const relay = await startRelay({ engine });
      await firstStaffSetupToken(relay);
      const res = await relay.request("/api/staff/setup", { json: { token: "x".repeat(43), ...STAFF } });
      await expectError(res, 400, "setup_link_invalid");
      expect((await rowCounts(relay)).staff).toBe(0);
    });
  });

  describe("signing in", () => {
    it("sets an HttpOnly, SameSite=Strict cookie for /api/staff only, not Secure on plain http", async () => {
      const relay = await startRelay({ engine, publicUrl: "http://localhost:8080" });
      await firstStaff(relay);
      const res = await signIn(relay, STAFF.email, STAFF.password);
      await expectBody(res, 200, meSchema);
      const cookie = cookieSetBy(res, SESSION_COOKIE);
      expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const attributes = cookie?.line.split(/;\s*/).slice(1);
      expect(attributes).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Strict", "Path=/api/staff"]));
      expect(attributes).not.toContain("Secure");
    });

    it("marks the cookie Secure when the public address is https", async () => {
      const relay = await startRelay({ engine, publicUrl: "https://letterbox.example.org" });
      await firstStaff(relay);
      const cookie = cookieSetBy(await signIn(relay, STAFF.email, STAFF.password), SESSION_COOKIE);
      expect(cookie?.line.split(/;\s*/)).toContain("Secure");
    });

    it("refuses a wrong password with 401 wrong_password and no session", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const before = (await rowCounts(relay)).staff_sessions;
      const res = await signIn(relay, STAFF.email, "not the password at all");
      expect(cookieSetBy(res, SESSION_COOKIE)).toBeUndefined();
      await expectError(res, 401, "wrong_password");
      expect((await rowCounts(relay)).staff_sessions).toBe(before);
    });

    it("answers an unknown email exactly as a wrong password, so accounts cannot be discovered", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const wrongPassword = await expectError(await signIn(relay, STAFF.email, "not the password at all"), 401, "wrong_password");
      const unknownEmail = await expectError(
        await signIn(relay, "nobody@council.example", STAFF.password),
        401,
        "wrong_password",
      );
      expect(unknownEmail).toBe(wrongPassword);
    });

    it("accepts the email in any case", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      await expectBody(await signIn(relay, STAFF.email.toUpperCase(), STAFF.password), 200, meSchema);
    });
  });

  describe("a staff session", () => {
    it.each([
      ["GET", "/me"],
      ["GET", "/residents"],
      ["POST", "/residents"],
      ["GET", `/residents/${UNKNOWN_RESIDENT}/family-links`],
      ["POST", `/residents/${UNKNOWN_RESIDENT}/family-links`],
      ["POST", `/residents/${UNKNOWN_RESIDENT}/setup-codes`],
    ])("is needed for %s %s", async (method, path) => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      await expectError(await relay.request(`/api/staff${path}`, { method }), 401, "unauthenticated");
      const madeUp = `${SESSION_COOKIE}=${"a".repeat(43)}`;
      await expectError(await relay.request(`/api/staff${path}`, { method, cookie: madeUp }), 401, "unauthenticated");
    });

    it("ends after 8 hours without use, and is then deleted", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      relay.clock.advanceMinutes(8 * 60);
      await expectBody(await me(relay, cookie), 200, meSchema);
      const sessions = (await rowCounts(relay)).staff_sessions;

      relay.clock.advanceMinutes(8 * 60 + 1);
      await expectError(await me(relay, cookie), 401, "unauthenticated");
      expect((await rowCounts(relay)).staff_sessions).toBe(sessions - 1);
    });

    it("is kept going by use", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      // 11 hours signed in, more than 8 of them in all, but never 8 of them idle.
      for (const _gap of [1, 2, 3, 4, 5]) {
        relay.clock.advanceMinutes(2 * 60 + 12);
        await expectBody(await me(relay, cookie), 200, meSchema);
      }
    });

    it("ends 12 hours after sign-in however much it is used, and is then deleted", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      relay.clock.advanceMinutes(8 * 60);
      await expectBody(await me(relay, cookie), 200, meSchema);
      relay.clock.advanceMinutes(4 * 60 - 1);
      await expectBody(await me(relay, cookie), 200, meSchema);
      const sessions = (await rowCounts(relay)).staff_sessions;

      relay.clock.advanceMinutes(1);
      await expectError(await me(relay, cookie), 401, "unauthenticated");
      expect((await rowCounts(relay)).staff_sessions).toBe(sessions - 1);
      // Signing in again starts a new one.
      await expectBody(await me(relay, await signedIn(relay)), 200, meSchema);
    });

    it("lasts as long as STAFF_SESSION_HOURS says", async () => {
      const relay = await startRelay({ engine });
      const deps = { ...relay.deps, staffSessionHours: 2 };
      const app = createApp(deps, createServices(deps));
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      const meThere = () => app.request("/api/staff/me", { headers: { Cookie: cookie } });
      relay.clock.advanceMinutes(2 * 60 - 1);
      expect((await meThere()).status).toBe(200);
      relay.clock.advanceMinutes(1);
      await expectError(await meThere(), 401, "unauthenticated");
    });

    it("renews the browser's cookie on use, so an active officer is not signed out after 8 hours", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      const res = await me(relay, cookie);
      expect(cookieSetBy(res, SESSION_COOKIE)?.line).toMatch(/Max-Age=28800/);
    });

    it("ends at logout, which also clears the cookie", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      const cookie = await signedIn(relay);
      const other = await signedIn(relay);

      const res = await relay.request("/api/staff/logout", { method: "POST", cookie });
      expect(res.status).toBe(200);
      expect(cookieSetBy(res, SESSION_COOKIE)?.line).toMatch(/Max-Age=0/);
      await expectError(await me(relay, cookie), 401, "unauthenticated");
      // Only that session ends: the same person signed in elsewhere stays signed in.
      await expectBody(await me(relay, other), 200, meSchema);
    });
  });

  describe("wrong passwords", () => {
    const ATTACKER = "203.0.113.66";
    const OFFICE = "198.51.100.7";
    const { accountFromAddress } = SIGN_IN_BUDGETS;

    /** Wrong passwords from one address, one after another, until the relay refuses one. */
    async function failUntilRefused(relay: Relay, from: string, email = STAFF.email) {
      for (let i = 0; ; i++) {
        const res = await signIn(relay, email, `wrong password ${i}`, from);
        if (res.status === 429) return res;
        await expectError(res, 401, "wrong_password");
      }
    }

    it(
      "are checked at most five at a time from one place, however many arrive at once",
      async () => {
        // The real hash, so that all forty are in flight while the first ones are still hashing.
        const verified: string[] = [];
        const counting: PasswordHasher = {
          hash: (password) => scryptHasher.hash(password),
          verify: (password, stored) => {
            verified.push(password);
            return scryptHasher.verify(password, stored);
          },
        };
        const relay = await startRelay({ engine, passwordHasher: counting });
        await firstStaff(relay);

        const answers = await Promise.all(
          Array.from({ length: 40 }, (_, i) => signIn(relay, STAFF.email, `wrong password ${i}`, ATTACKER)),
        );
        const statuses = answers.map((r) => r.status).sort();
        expect(verified).toHaveLength(accountFromAddress.tries);
        expect(statuses.filter((s) => s === 401)).toHaveLength(accountFromAddress.tries);
        expect(statuses.filter((s) => s === 429)).toHaveLength(40 - accountFromAddress.tries);
        for (const res of answers.filter((r) => r.status === 429)) await expectError(res, 429, "too_many_attempts");
      },
      MANY_AT_ONCE_MS,
    );

    it("slow the next try down with 429, Retry-After and a sentence saying how long, then let one through", async () => {
      const relay = await startRelay({ engine, passwordHasher: quickHasher() });
      await firstStaff(relay);
      const refused = await failUntilRefused(relay, ATTACKER);
      expect(refused.headers.get("Retry-After")).toBe("60");
      expect(await expectError(refused, 429, "too_many_attempts")).toBe(
        "Too many wrong tries. Please wait 1 minute and try again.",
      );
      // Never a lock: the budget recovers a try a minute, for the right password as for a wrong one.
      relay.clock.advanceMinutes(1);
      await expectError(await signIn(relay, STAFF.email, "one more guess", ATTACKER), 401, "wrong_password");
      await expectError(await signIn(relay, STAFF.email, STAFF.password, ATTACKER), 429, "too_many_attempts");
      relay.clock.advanceMinutes(1);
      await expectBody(await signIn(relay, STAFF.email, STAFF.password, ATTACKER), 200, meSchema);
    });

    it("from elsewhere do not keep the owner out: the right password from a clean address still works", async () => {
      const relay = await startRelay({ engine, passwordHasher: quickHasher() });
      await firstStaff(relay);
      const attackers = Array.from({ length: 6 }, (_, i) => `203.0.113.${10 + i}`);
      for (const from of attackers) await failUntilRefused(relay, from);
      relay.clock.advanceMinutes(1);
      // The account's budget for the attacking addresses is spent, whatever they send now...
      const refused = await signIn(relay, STAFF.email, STAFF.password, attackers[0]);
      expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(60);
      await expectError(refused, 429, "too_many_attempts");
      // ...but the owner signing in from the office is let in at once.
      await expectBody(await signIn(relay, STAFF.email, STAFF.password, OFFICE), 200, meSchema);
    });

    it("are forgotten for that person at that address once they sign in, and do not hold up a colleague there", async () => {
      const relay = await startRelay({ engine, passwordHasher: quickHasher() });
      await firstStaff(relay);
      await relay.services.staff.createStaff(OFFICER);
      for (let i = 0; i < accountFromAddress.tries - 1; i++) {
        await expectError(await signIn(relay, STAFF.email, `typo ${i}`, OFFICE), 401, "wrong_password");
      }
      await expectBody(await signIn(relay, STAFF.email, STAFF.password, OFFICE), 200, meSchema);
      // A colleague at the same office mistypes once, then signs in.
      await expectError(await signIn(relay, OFFICER.email, "not quite it", OFFICE), 401, "wrong_password");
      await expectBody(await signIn(relay, OFFICER.email, OFFICER.password, OFFICE), 200, meSchema);
      // And the first person has a full five tries again.
      for (let i = 0; i < accountFromAddress.tries - 1; i++) {
        await expectError(await signIn(relay, STAFF.email, `later typo ${i}`, OFFICE), 401, "wrong_password");
      }
      await expectBody(await signIn(relay, STAFF.email, STAFF.password, OFFICE), 200, meSchema);
    });

    it(
      "of an address trying many accounts are counted for the address too",
      async () => {
        const relay = await startRelay({ engine, passwordHasher: quickHasher() });
        await firstStaff(relay);
        const { address } = SIGN_IN_BUDGETS;
        for (let i = 0; i < address.tries; i++) {
          await expectError(await signIn(relay, `someone${i}@council.example`, "Winter2026!", ATTACKER), 401, "wrong_password");
        }
        const refused = await signIn(relay, "someone.else@council.example", "Winter2026!", ATTACKER);
        expect(refused.headers.get("Retry-After")).toBe(String(address.recoverMs / 1000));
        await expectError(refused, 429, "too_many_attempts");
        await expectBody(await signIn(relay, STAFF.email, STAFF.password, OFFICE), 200, meSchema);
      },
      MANY_AT_ONCE_MS,
    );
  });

  describe("signing in while the relay is busy hashing passwords", () => {
    it("is refused with 429 busy and Retry-After, and the refused try does not count as a wrong one", async () => {
      const quick = quickHasher();
      const held: (() => void)[] = [];
      let hold = false;
      const inner: PasswordHasher = {
        hash: quick.hash,
        verify: async (password, stored) => {
          if (hold) await new Promise<void>((go) => held.push(go));
          return quick.verify(password, stored);
        },
      };
      const relay = await startRelay({
        passwordHasher: new BoundedHasher(inner, { concurrent: 1, queued: 0, retryAfterSeconds: 1 }),
      });
      await firstStaff(relay);
      hold = true;
      const first = signIn(relay, STAFF.email, STAFF.password, "198.51.100.7");
      await expect.poll(() => held.length).toBe(1);

      const busy = await signIn(relay, STAFF.email, "a guess", "203.0.113.66");
      expect(busy.headers.get("Retry-After")).toBe("1");
      expect(await expectError(busy, 429, "busy")).toBe("Letterbox is busy with other sign-ins. Please try again in a moment.");
      held[0]?.();
      await expectBody(await first, 200, meSchema);

      hold = false;
      for (let i = 0; i < SIGN_IN_BUDGETS.accountFromAddress.tries; i++) {
        await expectError(await signIn(relay, STAFF.email, `guess ${i}`, "203.0.113.66"), 401, "wrong_password");
      }
    });
  });

  describe("residents", () => {
    it("are created and listed", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret", "Margaret Jones");
      expect(margaret).toMatchObject({ fullName: "Margaret Jones", preferredName: "Margaret", createdAt: START.toISOString() });

      const list = await expectBody(await staff.request("/residents"), 200, z.object({ residents: z.array(residentSchema) }));
      expect(list.residents).toEqual([margaret]);
    });

    it.each([
      ["an unknown field", { fullName: "Margaret Jones", preferredName: "Margaret", room: "12" }],
      ["a missing field", { fullName: "Margaret Jones" }],
      ["a blank name", { fullName: "   ", preferredName: "Margaret" }],
      ["a name over 80 characters", { fullName: "M".repeat(81), preferredName: "Margaret" }],
    ])("are refused with %s, and nothing is stored", async (_what, json) => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      await expectError(await staff.request("/residents", { json }), 400, "invalid_request");
      expect((await rowCounts(relay)).residents).toBe(0);
    });
  });

  describe("family links", () => {
    it("are the public address with a 43-character token in the fragment, shown once", async () => {
      const relay = await startRelay({ engine, publicUrl: "https://letterbox.example.org/" });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const { link, token } = await staff.createFamilyLink(margaret.id, "Sarah (daughter)");
      expect(link.url).toMatch(/^https:\/\/letterbox\.example\.org\/family#[A-Za-z0-9_-]{43}$/);
      expect(link).toMatchObject({ label: "Sarah (daughter)", createdAt: START.toISOString(), revokedAt: null });

      const second = await staff.createFamilyLink(margaret.id, "Tom (grandson)");
      expect(second.token).not.toBe(token);

      const listed = await staff.request(`/residents/${margaret.id}/family-links`);
      const { links } = await expectBody(listed, 200, z.object({ links: z.array(familyLinkSchema.strict()) }));
      expect(links.map((l) => l.label)).toEqual(["Sarah (daughter)", "Tom (grandson)"]);
    });

    it("keep the relationship apart from the name, and each message carries both to the tablet", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const { link, token } = await staff.createFamilyLink(margaret.id, " Sarah ", "  daughter ");
      expect(link).toMatchObject({ label: "Sarah", relationship: "daughter" });
      const tom = await staff.createFamilyLink(margaret.id, "Tom", "   ");
      expect(tom.link.relationship).toBeNull();
      const listed = await staff.request(`/residents/${margaret.id}/family-links`);
      const { links } = await expectBody(listed, 200, z.object({ links: z.array(familyLinkSchema.strict()) }));
      expect(links.map((l) => [l.label, l.relationship])).toEqual([
        ["Sarah", "daughter"],
        ["Tom", null],
      ]);

      const deviceToken = await pairTablet(relay, (await staff.createSetupCode(margaret.id)).code);
      await send(relay, token, "Hello Mum");
      await send(relay, tom.token, "Hi Gran");
      const [fromSarah, fromTom] = messagesOf(await sync(relay, deviceToken));
      expect(fromSarah).toMatchObject({ senderName: "Sarah", senderRelationship: "daughter" });
      // None given: the field is left out, as it is on messages a tablet stored before relationships.
      expect(fromTom?.senderName).toBe("Tom");
      expect(fromTom).not.toHaveProperty("senderRelationship");
    });

    it("are changed by staff, name or relationship apart, for the messages sent from then on", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const { link, token } = await staff.createFamilyLink(margaret.id, "Sarah (daughter)");
      const deviceToken = await pairTablet(relay, (await staff.createSetupCode(margaret.id)).code);
      await send(relay, token, "Before");
      const edit = (json: unknown, residentId = margaret.id) =>
        staff.request(`/residents/${residentId}/family-links/${link.id}`, { method: "PATCH", json });
      const body = z.object({ link: familyLinkSchema.strict() });

      expect((await expectBody(await edit({ label: "Sarah", relationship: "daughter" }), 200, body)).link).toMatchObject({
        label: "Sarah",
        relationship: "daughter",
      });
      expect((await expectBody(await edit({ relationship: "eldest daughter" }), 200, body)).link).toMatchObject({
        label: "Sarah",
        relationship: "eldest daughter",
      });
      await send(relay, token, "After");
      const [before, after] = messagesOf(await sync(relay, deviceToken));
      expect(before).toMatchObject({ senderName: "Sarah (daughter)" });
      expect(before).not.toHaveProperty("senderRelationship");
      expect(after).toMatchObject({ senderName: "Sarah", senderRelationship: "eldest daughter" });

      expect((await expectBody(await edit({ relationship: "" }), 200, body)).link.relationship).toBeNull();
      const other = await staff.createResident("Arthur");
      await expectError(await edit({ label: "Sal" }, other.id), 404, "not_found");
      const audit = (await dumpTables(relay)).audit_log.filter((r) => (r as { action: string }).action === "family_link.updated");
      expect(audit).toHaveLength(3);
      // Which fields changed, never the words.
      expect(JSON.stringify(audit)).not.toContain("eldest");
    });

    it.each([
      ["a relationship over 40 characters", { label: "Sarah", relationship: "a".repeat(41) }],
      ["a relationship that starts with “your”", { label: "Sarah", relationship: "your daughter" }],
      ["a relationship on two lines", { label: "Sarah", relationship: "daughter\nfriend" }],
      ["a relationship that is not text", { label: "Sarah", relationship: 7 }],
      ["a blank name", { label: "  ", relationship: "daughter" }],
    ])("with %s is refused with invalid_request and a sentence, made or changed", async (_what, json) => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const message = await expectError(
        await staff.request(`/residents/${margaret.id}/family-links`, { json }),
        400,
        "invalid_request",
      );
      expect(message).toMatch(/relationship|name|label/i);
      expect((await rowCounts(relay)).family_links).toBe(0);
      const { link } = await staff.createFamilyLink(margaret.id, "Sarah", "daughter");
      const before = (await dumpTables(relay)).family_links;
      await expectError(
        await staff.request(`/residents/${margaret.id}/family-links/${link.id}`, { method: "PATCH", json }),
        400,
        "invalid_request",
      );
      expect((await dumpTables(relay)).family_links).toEqual(before);
    });

    it("are revoked through their own resident only", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const arthur = await staff.createResident("Arthur");
      const { link } = await staff.createFamilyLink(arthur.id, "Ann (niece)");

      await expectError(await staff.revokeFamilyLink(margaret.id, link.id), 404, "not_found");
      expect((await staff.revokeFamilyLink(arthur.id, link.id)).status).toBe(200);
      // Revoking twice is not an error the console needs to handle as success.
      await expectError(await staff.revokeFamilyLink(arthur.id, link.id), 404, "not_found");

      const listed = await staff.request(`/residents/${arthur.id}/family-links`);
      const { links } = await expectBody(listed, 200, z.object({ links: z.array(familyLinkSchema) }));
      expect(links[0]?.revokedAt).toBe(START.toISOString());
    });

    it("cannot be made for a resident who does not exist", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const res = await staff.request(`/residents/${UNKNOWN_RESIDENT}/family-links`, { json: { label: "Sarah" } });
      await expectError(res, 404, "not_found");
      await expectError(
        await staff.request("/residents/not-a-uuid/family-links", { json: { label: "Sarah" } }),
        400,
        "invalid_request",
      );
      expect((await rowCounts(relay)).family_links).toBe(0);
    });
  });

  describe("set-up codes", () => {
    it("are 8 characters from the set-up alphabet and last 30 minutes", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      const setupCode = await staff.createSetupCode(margaret.id);
      expect(setupCode.code).toMatch(new RegExp(`^[${SETUP_CODE.alphabet}]{8}$`));
      expect(setupCode.expiresAt).toBe(new Date(START.getTime() + 30 * 60_000).toISOString());
    });

    it("cannot be made for a resident who does not exist", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      await expectError(await staff.request(`/residents/${UNKNOWN_RESIDENT}/setup-codes`, { method: "POST" }), 404, "not_found");
      expect((await rowCounts(relay)).setup_codes).toBe(0);
    });
  });
});
