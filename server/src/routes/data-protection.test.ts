import {
  conversationSchema,
  createdFamilyLinkSchema,
  deviceSchema,
  familyLinkSchema,
  familyMeSchema,
  residentSchema,
} from "@letterbox/shared";
import { strFromU8, unzipSync } from "fflate";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { hashToken } from "../services/credentials";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  messagesOf,
  photoFilesOnDisk,
  type Relay,
  STAFF,
  START,
  type StaffClient,
  send,
  sendWithPhotos,
  staffNow,
  startRelay,
  storedDisplayImage,
  sync,
  tabletStatus,
  testJpeg,
  uploadPhoto,
} from "../test-support";

const DAY = 24 * 60;
const OK = z.object({ ok: z.literal(true) });
const devicesBody = z.object({ devices: z.array(deviceSchema) });
const linksBody = z.object({ links: z.array(familyLinkSchema) });

const receipts = (relay: Relay, deviceToken: string, list: { messageId: string; state: string }[]) =>
  relay.request("/api/tablet/receipts", { bearer: deviceToken, json: { receipts: list } });

const reply = (relay: Relay, deviceToken: string, inReplyTo: string, text: string) =>
  relay.request("/api/tablet/replies", { bearer: deviceToken, json: { id: uuidv7(), inReplyTo, text } });

const familyMe = (relay: Relay, familyToken: string) => relay.request("/api/family/me", { bearer: familyToken });

async function deviceIdOf(staff: StaffClient, residentId: string): Promise<string> {
  const { devices } = await expectBody(await staff.request(`/residents/${residentId}/devices`), 200, devicesBody);
  const active = devices.find((d) => d.wipedAt === null);
  if (!active) throw new Error("The resident has no active tablet");
  return active.id;
}

/** Bytes of a photo as the tablet downloads it. */
async function tabletPhoto(relay: Relay, deviceToken: string, photoId: string): Promise<Buffer> {
  const res = await relay.request(`/api/tablet/photos/${photoId}`, { bearer: deviceToken });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * Margaret's household with a conversation in it: a message with a distinctive text and a
 * captioned photo, delivered and seen, a reply from her tablet, and the tablet's status report.
 */
async function conversationWithContent(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const home = await staff.household("Margaret");
  const content = {
    text: "Tangerine zeppelin over Aberystwyth 7391",
    caption: "Quokka on the pier",
    reply: "Narwhal reply 4417",
  };
  const photoId = await uploadPhoto(relay, home.familyToken, await testJpeg(1));
  const message = await sendWithPhotos(relay, home.familyToken, content.text, [{ id: photoId, caption: content.caption }]);
  await sync(relay, home.deviceToken);
  await receipts(relay, home.deviceToken, [
    { messageId: message.id, state: "delivered" },
    { messageId: message.id, state: "seen" },
  ]);
  expect((await reply(relay, home.deviceToken, message.id, content.reply)).status).toBe(201);
  await tabletStatus(relay, home.deviceToken);
  return { relay, staff, ...home, content, photoId, message };
}

describe.each(engines)("data protection on $name", (engine) => {
  describe("staff endpoints", () => {
    it("never return message content: text, captions, photos or replies (except the subject access export)", async () => {
      const { relay, staff, resident, link, content, photoId } = await conversationWithContent(engine);
      const deviceId = await deviceIdOf(staff, resident.id);
      const params: Record<string, string> = {
        residentId: resident.id,
        linkId: link.id,
        deviceId,
        staffId: (await expectBody(await staff.request("/me"), 200, z.object({ staff: z.object({ id: z.string() }) }))).staff.id,
      };
      // Every GET the staff API has, so that one added later is checked too.
      const paths = [
        ...new Set(
          relay.app.routes
            .filter((r) => r.method === "GET" && r.path.startsWith("/api/staff/"))
            .map((r) => r.path.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? `:${name}`)),
        ),
      ];
      expect(paths).toEqual(
        expect.arrayContaining([
          "/api/staff/me",
          "/api/staff/dashboard",
          "/api/staff/residents",
          `/api/staff/residents/${resident.id}`,
          `/api/staff/residents/${resident.id}/family-links`,
          `/api/staff/residents/${resident.id}/devices`,
          `/api/staff/residents/${resident.id}/export`,
          "/api/staff/staff",
          "/api/staff/audit",
          "/api/staff/audit.csv",
        ]),
      );
      const secrets = [content.text, content.caption, content.reply, photoId];
      for (const path of paths) {
        expect(path).not.toContain(":");
        const res = await relay.request(path, { cookie: staff.cookie });
        expect(`${path}: ${res.status}`).toBe(`${path}: 200`);
        const body = Buffer.from(await res.arrayBuffer());
        if (path.endsWith("/export")) {
          const files = unzipSync(new Uint8Array(body));
          const json = strFromU8(files["letterbox-export.json"] as Uint8Array);
          for (const secret of secrets) expect(json).toContain(secret);
          continue;
        }
        const text = body.toString("utf8");
        for (const secret of secrets) expect(`${path}: ${text.includes(secret)}`).toBe(`${path}: false`);
      }

      // Nor do the answers to what staff change.
      const changes = [
        await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { textSize: "larger" } }),
        await staff.request(`/residents/${resident.id}/archive`, { method: "POST" }),
        await staff.request(`/residents/${resident.id}/unarchive`, { method: "POST" }),
        await staff.request(`/residents/${resident.id}/family-links/${link.id}/reissue`, { method: "POST" }),
      ];
      for (const res of changes) {
        const text = await res.text();
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    });
  });

  describe("the subject access export", () => {
    it("is a zip of everything held about the resident: record, links, tablets, messages, replies and photos", async () => {
      const { relay, staff, resident, link, familyToken, deviceToken, content, photoId, message } =
        await conversationWithContent(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      relay.clock.advanceMinutes(5);
      const second = await uploadPhoto(relay, son.token, await testJpeg(2));
      // The son sends the same picture as his sister did: the same photo, stored once.
      expect(await uploadPhoto(relay, son.token, await testJpeg(1))).toBe(photoId);
      const fromSon = await sendWithPhotos(relay, son.token, "Two photos from the match", [
        { id: second },
        { id: photoId, caption: "Same pier again" },
      ]);
      const withdrawn = await send(relay, familyToken, "Wrong person, sorry");
      await relay.request(`/api/family/messages/${withdrawn.id}`, { method: "DELETE", bearer: familyToken });

      const res = await staff.request(`/residents/${resident.id}/export`);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("application/zip");
      expect(res.headers.get("Cache-Control")).toBe("no-store");
      expect(res.headers.get("Content-Disposition")).toBe('attachment; filename="letterbox-Margaret-Example-2026-11-28.zip"');
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      expect(Object.keys(files).sort()).toEqual(
        ["letterbox-export.json", `photos/${photoId}.jpg`, `photos/${second}.jpg`].sort(),
      );

      const data = JSON.parse(strFromU8(files["letterbox-export.json"] as Uint8Array));
      const shown = await expectBody(
        await staff.request(`/residents/${resident.id}`),
        200,
        z.object({ resident: residentSchema }),
      );
      expect(data.resident).toEqual(shown.resident);
      expect(data.exportedAt).toBe(relay.clock.now().toISOString());
      expect(data.familyLinks.map((l: { id: string; label: string }) => [l.id, l.label])).toEqual([
        [link.id, "Margaret's daughter"],
        [son.link.id, "Margaret's son"],
      ]);
      expect(data.tablets).toEqual([
        expect.objectContaining({ id: await deviceIdOf(staff, resident.id), appVersion: "1.4.2", wipedAt: null }),
      ]);
      expect(data.messages).toEqual([
        {
          id: message.id,
          from: "Margaret's daughter",
          sentAt: START.toISOString(),
          text: content.text,
          photos: [{ file: `photos/${photoId}.jpg`, caption: content.caption }],
          deliveredAt: START.toISOString(),
          seenAt: START.toISOString(),
          deletedAt: null,
        },
        {
          id: fromSon.id,
          from: "Margaret's son",
          sentAt: fromSon.sentAt,
          text: "Two photos from the match",
          photos: [
            { file: `photos/${second}.jpg`, caption: "" },
            { file: `photos/${photoId}.jpg`, caption: "Same pier again" },
          ],
          deliveredAt: null,
          seenAt: null,
          deletedAt: null,
        },
        // A withdrawn message is listed as such, without its words.
        expect.objectContaining({ id: withdrawn.id, text: "", photos: [], deletedAt: withdrawn.sentAt }),
      ]);
      expect(data.replies).toEqual([
        { id: expect.any(String), inReplyTo: message.id, text: content.reply, sentAt: START.toISOString() },
      ]);

      // The photos are the stored display images, byte for byte, as the tablet shows them.
      for (const id of [photoId, second]) {
        const inZip = Buffer.from(files[`photos/${id}.jpg`] as Uint8Array);
        expect(inZip.equals(storedDisplayImage(relay, id))).toBe(true);
        expect(inZip.equals(await tabletPhoto(relay, deviceToken, id))).toBe(true);
      }

      const [latest] = await staff.auditEntries();
      expect(latest).toMatchObject({
        action: "resident.exported",
        residentId: resident.id,
        staffName: STAFF.name,
        detail: { messages: 3 },
      });
    });

    it("includes the photos uploaded but not sent, while the relay still has them", async () => {
      const { relay, staff, resident, photoId } = await conversationWithContent(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const unsent = await uploadPhoto(relay, son.token, await testJpeg(7));
      // The daughter's photo, uploaded again by her brother and not sent by him: his upload is held too.
      expect(await uploadPhoto(relay, son.token, await testJpeg(1))).toBe(photoId);
      const exported = async () => {
        const files = unzipSync(
          new Uint8Array(await (await (await staffNow(relay)).request(`/residents/${resident.id}/export`)).arrayBuffer()),
        );
        return { files, data: JSON.parse(strFromU8(files["letterbox-export.json"] as Uint8Array)) };
      };

      const { files, data } = await exported();
      expect(data.unsentPhotos).toEqual([
        { file: `photos/${unsent}.jpg`, from: "Margaret's son", uploadedAt: START.toISOString() },
        { file: `photos/${photoId}.jpg`, from: "Margaret's son", uploadedAt: START.toISOString() },
      ]);
      expect(Buffer.from(files[`photos/${unsent}.jpg`] as Uint8Array).equals(storedDisplayImage(relay, unsent))).toBe(true);

      // A day on, retention has let them go, and so does the export.
      relay.clock.advanceMinutes(DAY + 1);
      await relay.services.dataProtection.applyRetention();
      const later = await exported();
      expect(later.data.unsentPhotos).toEqual([]);
      expect(Object.keys(later.files).sort()).toEqual(["letterbox-export.json", `photos/${photoId}.jpg`]);
    });

    it("is only of the resident asked for", async () => {
      const { relay, staff, content } = await conversationWithContent(engine);
      const arthur = await staff.household("Arthur");
      await send(relay, arthur.familyToken, "For Arthur only");
      const res = await staff.request(`/residents/${arthur.resident.id}/export`);
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      expect(Object.keys(files)).toEqual(["letterbox-export.json"]);
      const json = strFromU8(files["letterbox-export.json"] as Uint8Array);
      expect(json).toContain("For Arthur only");
      expect(json).not.toContain(content.text);
      expect(json).not.toContain("Margaret");
      await expectError(await staff.request("/residents/00000000-0000-4000-8000-000000000000/export"), 404, "not_found");
    });
  });

  describe("erasing a resident", () => {
    it("leaves nothing of them in the database or the photos folder, and their links and tablet stop working", async () => {
      const { relay, staff, resident, link, familyToken, deviceToken, content, photoId } = await conversationWithContent(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const deviceId = await deviceIdOf(staff, resident.id);
      // A photo the son uploaded but never sent, and one that Arthur's family sent too (same picture).
      const unsent = await uploadPhoto(relay, son.token, await testJpeg(3));
      const shared = await uploadPhoto(relay, son.token, await testJpeg(4));
      await sendWithPhotos(relay, son.token, "Found this old one", [{ id: shared }]);
      const arthur = await staff.household("Arthur");
      expect(await uploadPhoto(relay, arthur.familyToken, await testJpeg(4))).toBe(shared);
      await sendWithPhotos(relay, arthur.familyToken, "For Arthur", [{ id: shared }]);
      // An unused set-up code, a push subscription for her tablet and one for her daughter.
      await staff.createSetupCode(resident.id);
      const subscription = (id: string, owner: { device_id: string | null; family_link_id: string | null }) => ({
        id,
        endpoint: `https://push.example/${id}`,
        p256dh: `B${"a".repeat(86)}`,
        auth: "b".repeat(22),
        resident_id: resident.id,
        created_at: START.toISOString(),
        failing_since: null,
        last_error: null,
        ...owner,
      });
      await relay.db
        .insertInto("push_subscriptions")
        .values([
          subscription(uuidv7(), { device_id: deviceId, family_link_id: null }),
          subscription(uuidv7(), { device_id: null, family_link_id: link.id }),
        ])
        .execute();
      await relay.db
        .insertInto("push_device_states")
        .values({ device_id: deviceId, state: "subscribed", updated_at: START.toISOString() })
        .execute();
      expect(photoFilesOnDisk(relay)).toHaveLength(6);

      relay.clock.advanceMinutes(1);
      await expectBody(await staff.request(`/residents/${resident.id}`, { method: "DELETE" }), 200, OK);

      const tables = await dumpTables(relay);
      const { audit_log, ...rest } = tables;
      const everything = JSON.stringify(rest);
      const traces = {
        "resident id": resident.id,
        "resident name": "Margaret",
        "daughter's link": link.id,
        "son's link": son.link.id,
        "daughter's token hash": hashToken(familyToken),
        "son's token hash": hashToken(son.token),
        "device id": deviceId,
        "device token hash": hashToken(deviceToken),
        "message text": content.text,
        caption: content.caption,
        reply: content.reply,
        "the photo only she had": photoId,
        "the unsent photo": unsent,
      };
      for (const [what, trace] of Object.entries(traces)) expect(`${what}: ${everything.includes(trace)}`).toBe(`${what}: false`);
      // The audit log keeps that she was erased and by whom, but no content or credentials.
      const audit = JSON.stringify(audit_log);
      for (const trace of [content.text, content.caption, content.reply, hashToken(familyToken), hashToken(deviceToken)]) {
        expect(audit).not.toContain(trace);
      }
      expect(
        Object.entries(tables).filter(([t, rows]) => t !== "audit_log" && JSON.stringify(rows).includes(arthur.resident.id))
          .length,
      ).toBeGreaterThan(0);

      // Her photos are gone from the disk; the one Arthur's family sent too stays, and still shows.
      expect(photoFilesOnDisk(relay)).toEqual([`${shared}.jpg`, `${shared}.thumb.jpg`].sort());
      expect((await tabletPhoto(relay, arthur.deviceToken, shared)).equals(storedDisplayImage(relay, shared))).toBe(true);
      expect(messagesOf(await sync(relay, arthur.deviceToken)).map((m) => m.text)).toEqual(["For Arthur"]);

      // Her family's links and her tablet no longer work; staff find nothing.
      await expectError(await familyMe(relay, familyToken), 401, "unauthenticated");
      await expectError(await familyMe(relay, son.token), 401, "unauthenticated");
      await expectError(await relay.request("/api/tablet/sync", { bearer: deviceToken }), 401, "unauthenticated");
      await expectError(await staff.request(`/residents/${resident.id}`), 404, "not_found");
      await expectError(await staff.request(`/residents/${resident.id}`, { method: "DELETE" }), 404, "not_found");

      const [erased] = (await staff.auditEntries()).filter((e) => e.action === "resident.erased");
      expect(erased).toEqual({
        at: new Date(START.getTime() + 60_000).toISOString(),
        staffName: STAFF.name,
        action: "resident.erased",
        residentId: resident.id,
        detail: { photos: 3 },
        source: "unknown",
      });
    });
  });

  describe("revoking a family link", () => {
    it("takes effect on the link's next request", async () => {
      const { relay, staff, resident, link, familyToken } = await conversationWithContent(engine);
      await expectBody(await familyMe(relay, familyToken), 200, familyMeSchema);
      await expectBody(await staff.revokeFamilyLink(resident.id, link.id), 200, OK);

      await expectError(await familyMe(relay, familyToken), 410, "link_revoked");
      await expectError(await relay.request("/api/family/conversation", { bearer: familyToken }), 410, "link_revoked");
      await expectError(
        await relay.request("/api/family/messages", { bearer: familyToken, json: { id: uuidv7(), text: "Still there?" } }),
        410,
        "link_revoked",
      );
      const { links } = await expectBody(await staff.request(`/residents/${resident.id}/family-links`), 200, linksBody);
      expect(links[0]).toMatchObject({ id: link.id, revokedAt: START.toISOString(), lastUsedAt: START.toISOString() });
    });
  });

  describe("re-issuing a family link", () => {
    it("gives the same person a working new link, kills the old one at once, and keeps their conversation", async () => {
      const { relay, staff, resident, link, familyToken } = await conversationWithContent(engine);
      relay.clock.advanceMinutes(10);
      const before = await expectBody(
        await relay.request("/api/family/conversation", { bearer: familyToken }),
        200,
        conversationSchema,
      );
      const res = await staff.request(`/residents/${resident.id}/family-links/${link.id}/reissue`, { method: "POST" });
      const { link: fresh } = await expectBody(res, 201, z.object({ link: createdFamilyLinkSchema }));
      const freshToken = new URL(fresh.url).hash.slice(1);
      expect(fresh).toMatchObject({ id: link.id, label: link.label, revokedAt: null });
      expect(freshToken).not.toBe(familyToken);

      // The old token is simply gone: it is no longer the key to anything.
      await expectError(await familyMe(relay, familyToken), 401, "unauthenticated");
      const me = await expectBody(await familyMe(relay, freshToken), 200, familyMeSchema);
      expect(me.member.label).toBe("Margaret's daughter");
      // The new phone shows what was sent and answered before.
      const after = await expectBody(
        await relay.request("/api/family/conversation", { bearer: freshToken }),
        200,
        conversationSchema,
      );
      expect(after.items).toEqual(before.items);
      expect((await send(relay, freshToken, "New phone, same me")).senderName).toBe("Margaret's daughter");

      const { links } = await expectBody(await staff.request(`/residents/${resident.id}/family-links`), 200, linksBody);
      expect(links.map((l) => [l.id, l.revokedAt])).toEqual([[link.id, null]]);
      const [entry] = await staff.auditEntries();
      expect(entry).toMatchObject({ action: "family_link.reissued", residentId: resident.id, detail: { familyLinkId: link.id } });
    });

    it("works for an already revoked link, and only through the link's own resident", async () => {
      const { relay, staff, resident, link } = await conversationWithContent(engine);
      const arthur = await staff.createResident("Arthur");
      await expectError(
        await staff.request(`/residents/${arthur.id}/family-links/${link.id}/reissue`, { method: "POST" }),
        404,
        "not_found",
      );
      await staff.revokeFamilyLink(resident.id, link.id);
      const res = await staff.request(`/residents/${resident.id}/family-links/${link.id}/reissue`, { method: "POST" });
      const { link: fresh } = await expectBody(res, 201, z.object({ link: createdFamilyLinkSchema }));
      await expectBody(await familyMe(relay, new URL(fresh.url).hash.slice(1)), 200, familyMeSchema);
    });
  });

  describe("wiping a tablet", () => {
    it("takes effect on its next request, which tells it to clear itself; a new tablet can then be set up", async () => {
      const { relay, staff, resident, deviceToken, photoId } = await conversationWithContent(engine);
      const deviceId = await deviceIdOf(staff, resident.id);
      await sync(relay, deviceToken);
      relay.clock.advanceMinutes(3);
      await expectBody(await staff.request(`/residents/${resident.id}/devices/${deviceId}/wipe`, { method: "POST" }), 200, OK);

      const asTablet = (path: string, json?: unknown) => relay.request(`/api/tablet${path}`, { bearer: deviceToken, json });
      await expectError(await asTablet("/sync"), 410, "device_wiped");
      await expectError(await asTablet(`/photos/${photoId}`), 410, "device_wiped");
      await expectError(await asTablet("/status", { pushState: "subscribed" }), 410, "device_wiped");
      await expectError(await asTablet("/receipts", { receipts: [] }), 410, "device_wiped");

      const { devices } = await expectBody(await staff.request(`/residents/${resident.id}/devices`), 200, devicesBody);
      expect(devices[0]).toMatchObject({ id: deviceId, wipedAt: relay.clock.now().toISOString(), online: false });
      const [entry] = await staff.auditEntries();
      expect(entry).toMatchObject({ action: "tablet.wiped", residentId: resident.id, detail: { deviceId } });
      // Wiping twice is a 404: there is no active tablet with that id.
      await expectError(
        await staff.request(`/residents/${resident.id}/devices/${deviceId}/wipe`, { method: "POST" }),
        404,
        "not_found",
      );

      // The loan goes on: the next tablet is set up for her with a new code.
      const { code } = await staff.createSetupCode(resident.id);
      const paired = await relay.request("/api/tablet/pair", { json: { code } });
      const { deviceToken: next } = (await paired.json()) as { deviceToken: string };
      expect(messagesOf(await sync(relay, next)).map((m) => m.id)).toHaveLength(1);
      await expectError(await asTablet("/sync"), 410, "device_wiped");
    });

    it("only through the tablet's own resident", async () => {
      const { relay, staff, resident, deviceToken } = await conversationWithContent(engine);
      const arthur = await staff.createResident("Arthur");
      const deviceId = await deviceIdOf(staff, resident.id);
      await expectError(
        await staff.request(`/residents/${arthur.id}/devices/${deviceId}/wipe`, { method: "POST" }),
        404,
        "not_found",
      );
      await sync(relay, deviceToken);
    });
  });
});
