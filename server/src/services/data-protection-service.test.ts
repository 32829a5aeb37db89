import { conversationSchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  messagesOf,
  photoFilesOnDisk,
  send,
  sendWithPhotos,
  staffNow,
  startRelay,
  sync,
  testJpeg,
  uploadPhoto,
} from "../test-support";

const DAY = 24 * 60;

describe.each(engines)("the data protection service on $name", (engine) => {
  describe("retention", () => {
    it("deletes messages older than the resident's setting through the log, with their photos; newer ones stay", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.household("Margaret");
      const arthur = await staff.household("Arthur");
      await staff.request(`/residents/${margaret.resident.id}`, { method: "PATCH", json: { retentionDays: 30 } });

      const oldPhoto = await uploadPhoto(relay, margaret.familyToken, await testJpeg(5));
      const old = await sendWithPhotos(relay, margaret.familyToken, "Old news from November", [{ id: oldPhoto }]);
      const arthursOld = await send(relay, arthur.familyToken, "Arthur keeps a year");
      const first = await sync(relay, margaret.deviceToken);
      expect(messagesOf(first).map((m) => m.id)).toEqual([old.id]);
      const seen = { receipts: [{ messageId: old.id, state: "seen" }] };
      await relay.request("/api/tablet/receipts", { bearer: margaret.deviceToken, json: seen });

      relay.clock.advanceMinutes(20 * DAY);
      const newPhoto = await uploadPhoto(relay, margaret.familyToken, await testJpeg(6));
      const newer = await sendWithPhotos(relay, margaret.familyToken, "Newer news", [{ id: newPhoto }]);
      const caughtUp = await sync(relay, margaret.deviceToken, `?after=${first.cursor}`);

      relay.clock.advanceMinutes(11 * DAY);
      expect(await relay.services.dataProtection.applyRetention()).toEqual({
        messages: 1,
        unsentPhotos: 0,
      });

      // The tablet is told to drop it; a tablet starting afresh never sees it.
      const next = await sync(relay, margaret.deviceToken, `?after=${caughtUp.cursor}`);
      expect(next.entries).toEqual([expect.objectContaining({ kind: "message_deleted", messageId: old.id })]);
      expect(messagesOf(await sync(relay, margaret.deviceToken)).map((m) => m.id)).toEqual([newer.id]);
      const family = await expectBody(
        await relay.request("/api/family/conversation", { bearer: margaret.familyToken }),
        200,
        conversationSchema,
      );
      expect(family.items.map((i) => (i.kind === "message" ? i.message.id : i.kind))).toEqual([newer.id]);

      // Its words and its photo are gone; the newer photo and Arthur's year-long history stay.
      expect(JSON.stringify(await dumpTables(relay))).not.toContain("Old news from November");
      expect(photoFilesOnDisk(relay)).toEqual([`${newPhoto}.jpg`, `${newPhoto}.thumb.jpg`].sort());
      expect(messagesOf(await sync(relay, arthur.deviceToken)).map((m) => m.id)).toEqual([arthursOld.id]);

      // Running again finds nothing more.
      expect(await relay.services.dataProtection.applyRetention()).toEqual({
        messages: 0,
        unsentPhotos: 0,
      });
    });

    it("removes photos uploaded but not sent within a day, with their files; sent and newer uploads stay", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.household("Margaret");
      const son = await staff.createFamilyLink(margaret.resident.id, "Margaret's son");
      const abandoned = await uploadPhoto(relay, margaret.familyToken, await testJpeg(8));
      const sent = await uploadPhoto(relay, margaret.familyToken, await testJpeg(9));
      await sendWithPhotos(relay, margaret.familyToken, "Sent on the day", [{ id: sent }]);
      // The same picture from both: the daughter never sent hers, her brother did.
      const shared = await uploadPhoto(relay, margaret.familyToken, await testJpeg(10));
      expect(await uploadPhoto(relay, son.token, await testJpeg(10))).toBe(shared);
      await sendWithPhotos(relay, son.token, "From me too", [{ id: shared }]);

      relay.clock.advanceMinutes(DAY - 1);
      expect(await relay.services.dataProtection.applyRetention()).toEqual({
        messages: 0,
        unsentPhotos: 0,
      });
      relay.clock.advanceMinutes(2);
      const fresh = await uploadPhoto(relay, margaret.familyToken, await testJpeg(11));
      expect(await relay.services.dataProtection.applyRetention()).toEqual({
        messages: 0,
        unsentPhotos: 2,
      });

      // The abandoned photo's files are gone; the shared one stays for her brother's message.
      expect(photoFilesOnDisk(relay)).toEqual([sent, shared, fresh].flatMap((id) => [`${id}.jpg`, `${id}.thumb.jpg`]).sort());
      const thumb = (id: string) => relay.request(`/api/family/photos/${id}/thumb`, { bearer: margaret.familyToken });
      await expectError(await thumb(abandoned), 404, "photo_not_found");
      // Sending an expired upload asks for the photo again (the family page uploads it anew).
      await expectError(
        await relay.request("/api/family/messages", {
          bearer: margaret.familyToken,
          json: { id: uuidv7(), text: "", photos: [{ id: abandoned }] },
        }),
        404,
        "photo_not_found",
      );
      await sendWithPhotos(relay, margaret.familyToken, "Newer", [{ id: fresh }]);
      expect(messagesOf(await sync(relay, margaret.deviceToken)).map((m) => m.photos.map((p) => p.id))).toEqual([
        [sent],
        [shared],
        [fresh],
      ]);
      const [applied] = (await (await staffNow(relay)).auditEntries()).filter((e) => e.action === "retention.applied");
      expect(applied?.detail).toEqual({ messages: 0, unsentPhotos: 2 });
    });

    it("prunes audit entries older than the audit retention setting, and records what it did", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const margaret = await staff.household("Margaret");
      await staff.request("/settings", { method: "PATCH", json: { auditRetentionDays: 30 } });
      await staff.request(`/residents/${margaret.resident.id}`, { method: "PATCH", json: { retentionDays: 7 } });
      await send(relay, margaret.familyToken, "Soon gone");

      relay.clock.advanceMinutes(20 * DAY);
      const later = await staffNow(relay);
      await later.request(`/residents/${margaret.resident.id}`, { method: "PATCH", json: { textSize: "largest" } });

      relay.clock.advanceMinutes(11 * DAY);
      await relay.services.dataProtection.applyRetention();

      const entries = await (await staffNow(relay)).auditEntries();
      const cutoff = new Date(relay.clock.now().getTime() - 30 * 86_400_000).toISOString();
      expect(entries.every((e) => e.at >= cutoff)).toBe(true);
      expect(entries.map((e) => e.action).reverse()).toEqual([
        "staff.signed_in",
        "resident.updated",
        "retention.applied",
        "staff.signed_in",
      ]);
      expect(entries.find((e) => e.action === "retention.applied")).toEqual({
        at: relay.clock.now().toISOString(),
        staffName: "retention",
        action: "retention.applied",
        residentId: null,
        detail: { messages: 1, unsentPhotos: 0 },
        source: "relay",
      });
    });
  });
});
