import { createECDH, randomBytes } from "node:crypto";
import { type Alert, dashboardSchema, deviceSchema, LIMITS, PUSH_UNAVAILABLE_REASONS } from "@letterbox/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  HEALTHY_STATUS,
  messagesOf,
  pairTablet,
  type Relay,
  START,
  send,
  staffNow,
  startRelay,
  sync,
  tabletStatus,
} from "../test-support";

const HOUR = 60;
const DAY = 24 * HOUR;
const devicesBody = z.object({ devices: z.array(deviceSchema.strict()) });

/** What staff see now (signed in afresh when the clock has moved past the idle limit). */
async function dashboard(relay: Relay) {
  return expectBody(await (await staffNow(relay)).request("/dashboard"), 200, dashboardSchema);
}

async function alertsOf(relay: Relay, residentId: string): Promise<Alert[]> {
  const row = (await dashboard(relay)).rows.find((r) => r.resident.id === residentId);
  if (!row) throw new Error("The resident is not on the dashboard");
  return row.alerts;
}

async function devices(relay: Relay, residentId: string) {
  const staff = await staffNow(relay);
  return (await expectBody(await staff.request(`/residents/${residentId}/devices`), 200, devicesBody)).devices;
}

/** What the tablet tells the relay about push (POST /api/tablet/push): a reason it has none, or a subscription. */
function reportPush(relay: Relay, deviceToken: string, unavailable?: string) {
  const browser = createECDH("prime256v1");
  browser.generateKeys();
  const subscription = {
    endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(8).toString("hex")}`,
    keys: { p256dh: browser.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") },
  };
  return relay.request("/api/tablet/push", { bearer: deviceToken, json: unavailable ? { unavailable } : { subscription } });
}

const seen = (relay: Relay, deviceToken: string, messageId: string, state = "seen") =>
  relay.request("/api/tablet/receipts", { bearer: deviceToken, json: { receipts: [{ messageId, state }] } });

async function household(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  return { relay, staff, ...(await staff.household("Margaret")) };
}

describe.each(engines)("the dashboard on $name", (engine) => {
  describe("the dashboard's alerts", () => {
    it("say a resident's tablet was never set up until one pairs, and again once it is wiped", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.createResident("Margaret");
      expect(await alertsOf(relay, margaret.id)).toEqual(["tablet_never_set_up"]);

      const { code } = await staff.createSetupCode(margaret.id);
      const paired = (await (await relay.request("/api/tablet/pair", { json: { code } })).json()) as { deviceToken: string };
      expect(await alertsOf(relay, margaret.id)).toEqual([]);

      const [device] = await devices(relay, margaret.id);
      await staff.request(`/residents/${margaret.id}/devices/${device?.id}/wipe`, { method: "POST" });
      expect(await alertsOf(relay, margaret.id)).toEqual(["tablet_never_set_up"]);
      await expectError(await relay.request("/api/tablet/sync", { bearer: paired.deviceToken }), 410, "device_wiped");
    });

    it("say a tablet is offline when it has not reached the relay for more than 48 hours", async () => {
      const { relay, resident, deviceToken } = await household(engine);
      relay.clock.advanceMinutes(48 * HOUR);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      relay.clock.advanceMinutes(1);
      expect(await alertsOf(relay, resident.id)).toEqual(["tablet_offline"]);
      const row = (await dashboard(relay)).rows[0];
      expect(row?.tablet).toMatchObject({ lastSeenAt: START.toISOString(), online: false });

      // Its next request counts as contact.
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await dashboard(relay)).rows[0]?.tablet).toMatchObject({
        lastSeenAt: relay.clock.now().toISOString(),
        online: true,
      });
    });

    it("take the tablet's last contact from any of its requests, written at most once a minute", async () => {
      const { relay, resident, deviceToken } = await household(engine);
      relay.clock.advanceMinutes(10);
      const first = relay.clock.now().toISOString();
      await tabletStatus(relay, deviceToken);
      expect((await devices(relay, resident.id))[0]?.lastSeenAt).toBe(first);

      relay.clock.advanceMinutes(0.5);
      await sync(relay, deviceToken);
      expect((await devices(relay, resident.id))[0]?.lastSeenAt).toBe(first);

      relay.clock.advanceMinutes(0.6);
      await relay.request("/api/tablet/sync", { bearer: deviceToken });
      expect((await devices(relay, resident.id))[0]?.lastSeenAt).toBe(relay.clock.now().toISOString());

      // Online means reached the relay in the last two minutes.
      expect((await devices(relay, resident.id))[0]?.online).toBe(true);
      relay.clock.advanceMinutes(2);
      expect((await devices(relay, resident.id))[0]?.online).toBe(false);
    });

    it("say messages are unseen when the oldest unseen one is more than 48 hours old", async () => {
      const { relay, resident, deviceToken, familyToken } = await household(engine);
      const old = await send(relay, familyToken, "First");
      relay.clock.advanceMinutes(24 * HOUR);
      const newer = await send(relay, familyToken, "Second");
      relay.clock.advanceMinutes(24 * HOUR);
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual([]);

      relay.clock.advanceMinutes(1);
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual(["messages_unseen"]);
      expect((await dashboard(relay)).rows[0]).toMatchObject({
        unseenCount: 2,
        oldestUnseenAt: START.toISOString(),
        lastSeenMessageAt: null,
      });

      // Delivered is not seen.
      await seen(relay, deviceToken, old.id, "delivered");
      expect(await alertsOf(relay, resident.id)).toEqual(["messages_unseen"]);
      // Once the old one is seen, the oldest unseen is a day old.
      await seen(relay, deviceToken, old.id);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await dashboard(relay)).rows[0]).toMatchObject({
        unseenCount: 1,
        oldestUnseenAt: newer.sentAt,
        lastSeenMessageAt: relay.clock.now().toISOString(),
      });
    });

    it.each(PUSH_UNAVAILABLE_REASONS)("say push is failing when the tablet reports %s, until it subscribes", async (reason) => {
      const { relay, resident, deviceToken } = await household(engine);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await reportPush(relay, deviceToken, reason)).status).toBe(200);
      expect(await alertsOf(relay, resident.id)).toEqual(["push_failing"]);
      expect((await dashboard(relay)).rows[0]?.tablet.pushState).toBe(reason);
      // The status report is the tablet's own view: the relay's push state is not taken from it.
      await tabletStatus(relay, deviceToken, { pushState: "subscribed" });
      expect(await alertsOf(relay, resident.id)).toEqual(["push_failing"]);
      expect((await reportPush(relay, deviceToken)).status).toBe(200);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await dashboard(relay)).rows[0]?.tablet.pushState).toBe("subscribed");
    });

    it("prompt staff when no family message has come for more than 14 days, counting from the resident's creation", async () => {
      const { relay, resident, deviceToken, familyToken } = await household(engine);
      relay.clock.advanceMinutes(14 * DAY);
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      relay.clock.advanceMinutes(1);
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual(["no_family_message"]);

      const message = await send(relay, familyToken, "Sorry it has been a while");
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await dashboard(relay)).rows[0]?.lastFamilyMessageAt).toBe(message.sentAt);

      relay.clock.advanceMinutes(14 * DAY + 1);
      await sync(relay, deviceToken);
      await seen(relay, deviceToken, message.id);
      expect(await alertsOf(relay, resident.id)).toEqual(["no_family_message"]);
    });

    it("do not prompt staff about family who wrote, when retention has since deleted the message", async () => {
      const { relay, staff, resident, deviceToken, familyToken } = await household(engine);
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { retentionDays: 7 } });
      relay.clock.advanceMinutes(10 * DAY);
      const message = await send(relay, familyToken, "Back from holiday");
      await seen(relay, deviceToken, message.id);
      relay.clock.advanceMinutes(8 * DAY);
      await sync(relay, deviceToken);
      await relay.services.dataProtection.applyRetention();
      expect(messagesOf(await sync(relay, deviceToken))).toEqual([]);

      // The family wrote 8 days ago: not "no family message for 14 days".
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      expect((await dashboard(relay)).rows[0]?.lastFamilyMessageAt).toBe(message.sentAt);
      relay.clock.advanceMinutes(6 * DAY + 1);
      await sync(relay, deviceToken);
      expect(await alertsOf(relay, resident.id)).toEqual(["no_family_message"]);
    });

    it("say the battery is low at 20% or less while not charging, and keep saying it once the tablet goes dark", async () => {
      const { relay, resident, deviceToken } = await household(engine);
      const battery = async (reading: unknown) => {
        expect((await tabletStatus(relay, deviceToken, { battery: reading })).status).toBe(200);
        return alertsOf(relay, resident.id);
      };
      expect(await battery({ level: 0.21, charging: false })).toEqual([]);
      expect(await battery({ level: 0.2, charging: false })).toEqual(["battery_low"]);
      expect(await battery({ level: 0.05, charging: true })).toEqual([]);
      // A browser without the Battery Status API reports none, and an older app leaves the field out.
      expect(await battery({ level: 0.05, charging: false })).toEqual(["battery_low"]);
      expect(await battery(null)).toEqual([]);
      await battery({ level: 0.05, charging: false });
      expect(await battery(undefined)).toEqual([]);

      await battery({ level: 0.08, charging: false });
      relay.clock.advanceMinutes(48 * HOUR + 1);
      expect(await alertsOf(relay, resident.id)).toEqual(["tablet_offline", "battery_low"]);
      expect((await dashboard(relay)).rows[0]?.tablet.battery).toEqual({ level: 0.08, charging: false });
      expect((await devices(relay, resident.id))[0]?.battery).toEqual({ level: 0.08, charging: false });

      // A paused resident's tablet may be put away: nothing but "paused".
      await (await staffNow(relay)).request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect(await alertsOf(relay, resident.id)).toEqual(["paused"]);
    });

    it("say a resident is paused until staff resume", async () => {
      const { relay, staff, resident } = await household(engine);
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: true } });
      expect(await alertsOf(relay, resident.id)).toEqual(["paused"]);
      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { paused: false } });
      expect(await alertsOf(relay, resident.id)).toEqual([]);
    });

    it("move with the thresholds an administrator sets", async () => {
      const { relay, resident, deviceToken, familyToken } = await household(engine);
      await send(relay, familyToken, "Hello");
      relay.clock.advanceMinutes(3 * DAY + 1);
      expect(await alertsOf(relay, resident.id)).toEqual(["tablet_offline", "messages_unseen"]);

      const patch = async (json: object) => (await staffNow(relay)).request("/settings", { method: "PATCH", json });
      await patch({ offlineAlertHours: 4 * 24 });
      expect(await alertsOf(relay, resident.id)).toEqual(["messages_unseen"]);
      await patch({ unseenAlertHours: 4 * 24 });
      expect(await alertsOf(relay, resident.id)).toEqual([]);
      await patch({ noFamilyMessageAlertDays: 3 });
      expect(await alertsOf(relay, resident.id)).toEqual(["no_family_message"]);
      await patch({ offlineAlertHours: 72, unseenAlertHours: 72 });
      expect(await alertsOf(relay, resident.id)).toEqual(["tablet_offline", "messages_unseen", "no_family_message"]);
      expect((await dashboard(relay)).settings).toEqual({
        offlineAlertHours: 72,
        unseenAlertHours: 72,
        noFamilyMessageAlertDays: 3,
        auditRetentionDays: 730,
      });
      // A tablet that syncs is not offline; with 14 days again, only the unseen message is left.
      await sync(relay, deviceToken);
      await patch({ noFamilyMessageAlertDays: 14 });
      expect(await alertsOf(relay, resident.id)).toEqual(["messages_unseen"]);
    });

    it("leave archived residents off the dashboard", async () => {
      const { relay, staff, resident } = await household(engine);
      const arthur = await staff.createResident("Arthur");
      await staff.request(`/residents/${resident.id}/archive`, { method: "POST" });
      expect((await dashboard(relay)).rows.map((r) => r.resident.id)).toEqual([arthur.id]);
      await staff.request(`/residents/${resident.id}/unarchive`, { method: "POST" });
      expect((await dashboard(relay)).rows.map((r) => r.resident.id).sort()).toEqual([arthur.id, resident.id].sort());
    });
  });

  describe("the dashboard's order", () => {
    it("puts most need first: offline, unseen, battery low, push failing, no family message, never set up, paused, then the rest", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      // Names in the opposite order to their need, so that sorting by name alone would fail.
      const zelda = await staff.household("Zelda"); // tablet offline
      const yusuf = await staff.household("Yusuf"); // messages unseen
      const xena = await staff.household("Xena"); // battery low and not charging
      const xavier = await staff.household("Xavier"); // push failing
      const wendy = await staff.household("Wendy"); // no family message
      const victor = await staff.createResident("Victor"); // tablet never set up
      const victorsSon = await staff.createFamilyLink(victor.id, "Victor's son");
      const ursula = await staff.household("Ursula"); // paused
      const alan = await staff.household("Alan"); // all well
      const both = await staff.household("Bronwen"); // offline and unseen: more need than offline alone

      relay.clock.advanceMinutes(12 * DAY);
      await send(relay, yusuf.familyToken, "Are you getting these?");
      await send(relay, both.familyToken, "Hello?");
      relay.clock.advanceMinutes(3 * DAY - HOUR);
      for (const h of [zelda, xena, xavier, ursula, alan, both]) await send(relay, h.familyToken, "Thinking of you");
      await send(relay, victorsSon.token, "See you Sunday");
      for (const h of [yusuf, xena, xavier, wendy, ursula, alan]) await sync(relay, h.deviceToken);
      await reportPush(relay, xavier.deviceToken, "permission_denied");
      await tabletStatus(relay, xena.deviceToken, { battery: { level: 0.15, charging: false } });
      await (await staffNow(relay)).request(`/residents/${ursula.resident.id}`, { method: "PATCH", json: { paused: true } });
      relay.clock.advanceMinutes(HOUR);

      const { rows } = await dashboard(relay);
      expect(rows.map((r) => [r.resident.preferredName, r.alerts])).toEqual([
        ["Bronwen", ["tablet_offline", "messages_unseen"]],
        ["Zelda", ["tablet_offline"]],
        ["Yusuf", ["messages_unseen"]],
        ["Xena", ["battery_low"]],
        ["Xavier", ["push_failing"]],
        ["Wendy", ["no_family_message"]],
        ["Victor", ["tablet_never_set_up"]],
        ["Ursula", ["paused"]],
        ["Alan", []],
      ]);
    });
  });

  describe("each resident's row", () => {
    it("shows the resident's newest tablet that is not wiped, however the residents' tablets were paired in turn", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const mair = await staff.household("Mair"); // first tablet, reports 1.0.0
      await tabletStatus(relay, mair.deviceToken, { appVersion: "1.0.0" });
      relay.clock.advanceMinutes(1);
      const owen = await staff.household("Owen"); // paired between Mair's two
      await tabletStatus(relay, owen.deviceToken, { appVersion: "3.0.0" });
      relay.clock.advanceMinutes(1);
      const { code } = await staff.createSetupCode(mair.resident.id);
      const mairsSecond = await pairTablet(relay, code);
      await tabletStatus(relay, mairsSecond, { appVersion: "2.0.0" });

      const shown = async () => {
        const { rows } = await dashboard(relay);
        const versionOf = (id: string) => rows.find((r) => r.resident.id === id)?.tablet.appVersion;
        return { mair: versionOf(mair.resident.id), owen: versionOf(owen.resident.id) };
      };
      expect(await shown()).toEqual({ mair: "2.0.0", owen: "3.0.0" });

      const newest = (await devices(relay, mair.resident.id)).find((d) => d.appVersion === "2.0.0");
      await staff.request(`/residents/${mair.resident.id}/devices/${newest?.id}/wipe`, { method: "POST" });
      expect(await shown()).toEqual({ mair: "1.0.0", owen: "3.0.0" });
    });

    it("alone, for the resident's own page, is the row the dashboard shows, from that resident's records only", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const households = [await staff.household("Mair"), await staff.household("Owen"), await staff.household("Siân")];
      const [mair, owen, sian] = households;
      if (!mair || !owen || !sian) throw new Error("Three households were made");
      // Each with something different to show: unseen messages, a low battery, push refused.
      await send(relay, mair.familyToken, "One");
      await send(relay, mair.familyToken, "Two");
      await send(relay, owen.familyToken, "Three");
      await tabletStatus(relay, owen.deviceToken, { battery: { level: 0.1, charging: false } });
      await reportPush(relay, sian.deviceToken, "permission_denied");
      relay.clock.advanceMinutes(3 * DAY);

      const { rows } = await dashboard(relay);
      const onlyRow = z.object({ row: z.unknown() });
      for (const { resident } of households) {
        const alone = await expectBody(await (await staffNow(relay)).request(`/dashboard/${resident.id}`), 200, onlyRow);
        expect(alone.row).toEqual(rows.find((r) => r.resident.id === resident.id));
      }
      expect(rows.map((r) => [r.resident.preferredName, r.unseenCount, r.alerts])).toEqual([
        ["Owen", 1, ["tablet_offline", "messages_unseen", "battery_low"]],
        ["Mair", 2, ["tablet_offline", "messages_unseen"]],
        ["Siân", 0, ["tablet_offline", "push_failing"]],
      ]);
    });
  });

  describe("a tablet's status report", () => {
    it("shows in the resident's device health", async () => {
      const { relay, resident, deviceToken } = await household(engine);
      expect(await devices(relay, resident.id)).toEqual([
        {
          id: expect.any(String),
          pairedAt: START.toISOString(),
          lastSeenAt: START.toISOString(),
          online: true,
          appVersion: null,
          language: null,
          pushState: null,
          pushFailingSince: null,
          pushProblem: null,
          storageUsedBytes: null,
          storageQuotaBytes: null,
          storagePersisted: null,
          battery: null,
          wipedAt: null,
        },
      ]);
      const report = {
        ...HEALTHY_STATUS,
        language: "cy",
        storageQuotaBytes: null,
        storagePersisted: false,
        battery: { level: 0.64, charging: true },
      };
      const res = await tabletStatus(relay, deviceToken, report);
      expect(res.status).toBe(200);
      const [device] = await devices(relay, resident.id);
      expect(device).toMatchObject({
        appVersion: "1.4.2",
        language: "cy",
        // Push state is what the tablet told POST /api/tablet/push, which it has not yet.
        pushState: null,
        storageUsedBytes: 12_345_678,
        storageQuotaBytes: null,
        storagePersisted: false,
        battery: { level: 0.64, charging: true },
      });
      expect((await dashboard(relay)).rows[0]?.tablet).toEqual({
        lastSeenAt: START.toISOString(),
        online: true,
        appVersion: "1.4.2",
        pushState: null,
        pushFailingSince: null,
        pushProblem: null,
        storageUsedBytes: 12_345_678,
        battery: { level: 0.64, charging: true },
      });
    });

    it.each([
      ["an unknown push state", { pushState: "broken" }],
      ["negative storage", { storageUsedBytes: -1 }],
      ["fractional storage", { storageUsedBytes: 1.5 }],
      ["storage past any tablet's", { storageUsedBytes: LIMITS.storageBytesMax + 1 }],
      ["a storage quota past any tablet's", { storageQuotaBytes: Number.MAX_SAFE_INTEGER }],
      ["an unknown language", { language: "fr" }],
      ["an app version over 40 characters", { appVersion: "1".repeat(41) }],
      ["a missing field", { appVersion: undefined }],
      ["an unknown field", { temperature: 40 }],
      ["a battery level as a percentage", { battery: { level: 80, charging: false } }],
      ["a battery reading without whether it charges", { battery: { level: 0.8 } }],
    ])("with %s is refused and recorded nowhere", async (_what, change) => {
      const { relay, deviceToken } = await household(engine);
      await tabletStatus(relay, deviceToken);
      const before = (await dumpTables(relay)).devices;
      await expectError(
        await tabletStatus(relay, deviceToken, { pushState: "no_push_manager", ...change }),
        400,
        "invalid_request",
      );
      expect((await dumpTables(relay)).devices).toEqual(before);
    });

    it("needs a paired tablet that has not been wiped", async () => {
      const { relay, staff, resident, deviceToken } = await household(engine);
      await expectError(await tabletStatus(relay, "a".repeat(43)), 401, "unauthenticated");
      const [device] = await devices(relay, resident.id);
      await staff.request(`/residents/${resident.id}/devices/${device?.id}/wipe`, { method: "POST" });
      await expectError(await tabletStatus(relay, deviceToken, { pushState: "permission_denied" }), 410, "device_wiped");
      expect((await devices(relay, resident.id))[0]).toMatchObject({ pushState: null, wipedAt: START.toISOString() });
    });
  });
});
