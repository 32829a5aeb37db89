import { dashboardRowResponseSchema, dashboardSchema, staffSessionSchema } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { needScore } from "../services/dashboard-service";
import { type Engine, engines } from "../test-databases";
import {
  cookieSetBy,
  expectBody,
  expectError,
  firstStaff,
  type Relay,
  SESSION_COOKIE,
  type StaffClient,
  secondStaff,
  send,
  staffNow,
  startRelay,
  sync,
} from "../test-support";

const HOUR = 60;
const DAY = 24 * HOUR;
const FIRST = ["Aled", "Bethan", "Ceri", "Dafydd", "Eirlys", "Ffion", "Gwilym", "Heulwen", "Iolo", "Jac", "Lowri", "Mair"];
const LAST = [
  "Ashdown",
  "Bevan",
  "Cadwaladr",
  "Davies",
  "Evans",
  "Griffiths",
  "Howells",
  "Jenkins",
  "Lloyd",
  "Morgan",
  "Owen",
  "Parry",
  "Rees",
  "Thomas",
  "Vaughan",
  "Williams",
  "Yorath",
  "Zachary",
  "Morris",
  "Price",
  "Hughes",
  "Powell",
  "Roberts",
  "Watkins",
  "Bowen",
];

/**
 * 300 residents, as a council's relay has them after a year: most with a tablet nobody set up yet,
 * some paused, a few whose tablets went quiet, and three whose names are searched for below.
 */
async function crowdedRelay(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const names = FIRST.flatMap((first) => LAST.map((last) => `${first} ${last}`)).slice(0, 297);
  // A few at a time: the relay writes each one (and its audit entry) to disk before it answers.
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((fullName) => staff.createResident(fullName.split(" ")[0] ?? "", fullName)));
  }
  const sian = await staff.createResident("Nain", "Siân Llewellyn");
  const obrien = await staff.createResident("Peggy", "Margaret O’Brien");
  const margaretha = await staff.createResident("Greta", "Margaretha Ashdown");
  const households = [];
  for (const name of ["Quentin", "Rhiannon", "Tegwen"]) households.push(await staff.household(name));
  const { rows } = await dashboardOf(staff, "?pageSize=100&page=3");
  for (const row of rows.slice(0, 40))
    await staff.request(`/residents/${row.resident.id}`, { method: "PATCH", json: { paused: true } });
  // Two days on, the three tablets have gone quiet; Rhiannon's family wrote and it is unseen.
  await send(relay, households[1]?.familyToken ?? "", "Are you there, Mam?");
  relay.clock.advanceMinutes(2 * DAY + HOUR);
  await sync(relay, households[2]?.deviceToken ?? "");
  // Signed in afresh: the first session has been idle too long.
  return { relay, staff: await staffNow(relay), sian, obrien, margaretha, households };
}

async function dashboardOf(staff: StaffClient, query = "") {
  return expectBody(await staff.request(`/dashboard${query}`), 200, dashboardSchema);
}

/** Every page in turn, as the console's "Next page" walks them. */
async function allPages(staff: StaffClient, query: string) {
  const first = await dashboardOf(staff, `?${query}&page=1`);
  const rows = [...first.rows];
  const pages = Math.ceil(first.matching / first.pageSize);
  for (let page = 2; page <= pages; page++) rows.push(...(await dashboardOf(staff, `?${query}&page=${page}`)).rows);
  return { first, rows };
}

// Each test seeds 303 residents, each written to disk before the relay answers: slow on a busy machine.
const SEEDED = { timeout: 30_000 };

describe.each(engines)("the dashboard's search on $name", (engine) => {
  describe("the dashboard with hundreds of residents", SEEDED, () => {
    it("sends one page at a time, 25 by default, in the order of need across all pages", async () => {
      const { staff } = await crowdedRelay(engine);
      const first = await dashboardOf(staff);
      expect(first).toMatchObject({ residents: 303, matching: 303, page: 1, pageSize: 25 });
      expect(first.rows).toHaveLength(25);
      // Paused is not a need: the paused 40 and the one tablet that came back are not counted.
      expect(first.needingAttention).toBe(303 - 40 - 1);
      expect(first.rows.slice(0, 2).map((r) => [r.resident.preferredName, r.alerts])).toEqual([
        ["Rhiannon", ["tablet_offline", "messages_unseen"]],
        ["Quentin", ["tablet_offline"]],
      ]);

      const { rows } = await allPages(staff, "pageSize=40");
      expect(rows).toHaveLength(303);
      expect(new Set(rows.map((r) => r.resident.id)).size).toBe(303);
      const order = rows.map((r) => [-needScore(r), r.resident.fullName] as const);
      const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
      expect(order).toEqual(sorted);
      expect(rows.at(-1)?.resident.preferredName).toBe("Tegwen");

      const last = await dashboardOf(staff, "?page=13");
      expect(last).toMatchObject({ page: 13, matching: 303 });
      expect(last.rows.map((r) => r.resident.id)).toEqual(rows.slice(300).map((r) => r.resident.id));
      // Past the end (residents archived meanwhile): the last page, which says which it is.
      const past = await dashboardOf(staff, "?page=14");
      expect(past.page).toBe(13);
      expect(past.rows).toEqual(last.rows);
    });

    it("finds residents by full or preferred name, ignoring case, accents and curly apostrophes", async () => {
      const { staff, sian, obrien, margaretha } = await crowdedRelay(engine);
      const found = async (q: string) => (await dashboardOf(staff, `?q=${encodeURIComponent(q)}`)).rows.map((r) => r.resident.id);
      expect(await found("sian")).toEqual([sian.id]);
      expect(await found("  LLEWELLYN ")).toEqual([sian.id]);
      expect(await found("nain")).toEqual([sian.id]);
      expect(await found("o'brien")).toEqual([obrien.id]);
      expect(await found("margaret")).toEqual([obrien.id, margaretha.id]);
      const none = await dashboardOf(staff, "?q=Nobody%20here");
      expect(none).toMatchObject({ rows: [], matching: 0, page: 1, residents: 303 });
      // An empty search is no search.
      expect((await dashboardOf(staff, "?q=")).matching).toBe(303);

      const ashdowns = await allPages(staff, "q=ashdown&pageSize=5");
      expect(ashdowns.first.matching).toBe(13);
      expect(ashdowns.rows.map((r) => r.resident.fullName)).toEqual(
        expect.arrayContaining(["Margaretha Ashdown", "Aled Ashdown", "Mair Ashdown"]),
      );
      expect(ashdowns.rows.every((r) => r.resident.fullName.endsWith("Ashdown"))).toBe(true);
    });

    it("filters by what needs attention, keeping the order of need, and with a name search too", async () => {
      const { staff, households } = await crowdedRelay(engine);
      const offline = await dashboardOf(staff, "?reason=tablet_offline");
      expect(offline.rows.map((r) => r.resident.preferredName)).toEqual(["Rhiannon", "Quentin"]);
      expect(offline.matching).toBe(2);

      const paused = await allPages(staff, "reason=paused&pageSize=15");
      expect(paused.first.matching).toBe(40);
      expect(paused.rows.every((r) => r.alerts.includes("paused"))).toBe(true);
      const names = paused.rows.map((r) => r.resident.fullName);
      expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));

      const neverSetUp = await dashboardOf(staff, "?reason=tablet_never_set_up&q=ffion");
      expect(neverSetUp.matching).toBe(LAST.length);
      expect(
        neverSetUp.rows.every((r) => r.resident.fullName.startsWith("Ffion") && r.alerts.includes("tablet_never_set_up")),
      ).toBe(true);
      expect((await dashboardOf(staff, "?reason=messages_unseen&q=quentin")).rows).toEqual([]);
      expect((await dashboardOf(staff, "?reason=messages_unseen")).rows.map((r) => r.resident.id)).toEqual([
        households[1]?.resident.id,
      ]);
    });

    it("refuses query values it cannot use with 400 invalid_request, naming the value", async () => {
      const { staff } = await crowdedRelay(engine);
      const refused: [string, RegExp][] = [
        ["?page=0", /“page” must be 1 or more/],
        ["?page=two", /“page”/],
        ["?page=1.5", /“page”/],
        ["?page=-1", /“page”/],
        ["?pageSize=101", /“pageSize” must be 100 or less/],
        ["?pageSize=0", /“pageSize” must be 1 or more/],
        ["?reason=lonely", /“reason” is not one of the allowed values/],
        [`?q=${"a".repeat(81)}`, /“q” must be at most 80 characters/],
        ["?page=1&page=2", /“page”/],
        ["?sort=name", /Unknown field: sort/],
      ];
      for (const [query, message] of refused) {
        const res = await staff.request(`/dashboard${query}`);
        expect(`${query}: ${await expectError(res, 400, "invalid_request")}`).toMatch(message);
      }
    });
  });

  describe("one resident's dashboard row", SEEDED, () => {
    it("is the row the dashboard shows for them, null once archived, and 404 for no such resident", async () => {
      const { staff, households } = await crowdedRelay(engine);
      const rhiannon = households[1]?.resident.id ?? "";
      const { row } = await expectBody(await staff.request(`/dashboard/${rhiannon}`), 200, dashboardRowResponseSchema);
      expect(row).toEqual((await dashboardOf(staff)).rows[0]);
      await staff.request(`/residents/${rhiannon}/archive`, { method: "POST" });
      expect(await expectBody(await staff.request(`/dashboard/${rhiannon}`), 200, dashboardRowResponseSchema)).toEqual({
        row: null,
      });
      await expectError(await staff.request("/dashboard/0193a7c2-0000-7000-8000-000000000000"), 404, "not_found");
      await expectError(await staff.request("/dashboard/not-an-id"), 400, "invalid_request");
    });
  });

  describe("the console's session check", () => {
    const session = (relay: Relay, cookie?: string) => relay.request("/api/staff/session", { cookie });

    it("answers signed out with 200, also for a session that has ended, which it clears", async () => {
      const relay = await startRelay({ engine });
      expect(await expectBody(await session(relay), 200, staffSessionSchema)).toEqual({ signedIn: false });
      const staff = await firstStaff(relay);
      await relay.request("/api/staff/logout", { method: "POST", cookie: staff.cookie });
      const ended = await session(relay, staff.cookie);
      expect(await expectBody(ended, 200, staffSessionSchema)).toEqual({ signedIn: false });
      expect(cookieSetBy(ended, SESSION_COOKIE)?.line).toMatch(/Max-Age=0/);
      // Everything else still says 401 to a browser that is not signed in.
      await expectError(await relay.request("/api/staff/me"), 401, "unauthenticated");
      await expectError(await relay.request("/api/staff/dashboard", { cookie: staff.cookie }), 401, "unauthenticated");
    });

    it("names who is signed in and renews the session's cookie", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const res = await session(relay, staff.cookie);
      expect(await expectBody(res, 200, staffSessionSchema)).toEqual({
        signedIn: true,
        staff: { id: expect.any(String), name: "Priya Shah", email: "priya.shah@council.example", role: "admin" },
        council: "your council",
      });
      expect(cookieSetBy(res, SESSION_COOKIE)?.value).toBe(staff.cookie.split("=")[1]);
    });
  });

  describe("the organisation's settings", () => {
    it("are read by administrators only", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const { client: officer } = await secondStaff(relay, admin, "officer");
      const { settings } = await dashboardOf(admin);
      const res = await admin.request("/settings");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ settings });
      await expectError(await officer.request("/settings"), 403, "forbidden");
    });
  });
});
