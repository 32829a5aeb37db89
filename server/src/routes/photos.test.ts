import fs from "node:fs";
import path from "node:path";
import { LIMITS, uploadedPhotoSchema } from "@letterbox/shared";
import sharp from "sharp";
import { uuidv7 } from "uuidv7";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { REFUSED_UPLOADS } from "../services/photo-service";
import { type Engine, engines } from "../test-databases";
import { dumpTables, expectBody, expectError, firstStaff, messagesOf, type Relay, startRelay, sync } from "../test-support";

const uploaded = z.object({ photo: uploadedPhotoSchema });

/** A real JPEG, made here: a 1200×900 gradient with a GPS position in its EXIF. */
async function holidayJpeg(seed = 0): Promise<Buffer> {
  const width = 1200;
  const height = 900;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i + seed) % 256;
    pixels[i * 3 + 1] = (i >> 8) % 256;
    pixels[i * 3 + 2] = 128;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .withExif({ IFD0: { Make: "PhonyPhone" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "52/1 1/1 0/1" } })
    .toBuffer();
}

async function household(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  return { relay, staff, ...(await staff.household("Margaret")) };
}

const upload = (relay: Relay, familyToken: string, body: Buffer, contentType = "image/jpeg") =>
  relay.request("/api/family/photos", {
    bearer: familyToken,
    body: body as unknown as string,
    headers: { "Content-Type": contentType },
  });

const sendWithPhotos = (relay: Relay, familyToken: string, photos: { id: string; caption?: string }[], text = "") =>
  relay.request("/api/family/messages", { bearer: familyToken, json: { id: uuidv7(), text, photos } });

const photoFiles = (relay: Relay) =>
  fs.existsSync(path.join(relay.dataDir, "photos"))
    ? fs.readdirSync(path.join(relay.dataDir, "photos"), { recursive: true }).filter((f) => String(f).endsWith(".jpg"))
    : [];

describe.each(engines)("photos on $name", (engine) => {
  describe("a family photo", () => {
    it("is re-encoded without its metadata, attached with a caption, and reaches the tablet", async () => {
      const { relay, familyToken, deviceToken } = await household(engine);
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      expect(photo).toMatchObject({ width: 1200, height: 900 });

      const sent = await sendWithPhotos(relay, familyToken, [{ id: photo.id, caption: "Where we stayed" }], "Look!");
      expect(sent.status).toBe(201);
      const [message] = messagesOf(await sync(relay, deviceToken));
      expect(message?.photos).toEqual([{ id: photo.id, width: 1200, height: 900, caption: "Where we stayed" }]);

      const display = await relay.request(`/api/tablet/photos/${photo.id}`, { bearer: deviceToken });
      expect(display.status).toBe(200);
      expect(display.headers.get("Content-Type")).toBe("image/jpeg");
      const bytes = Buffer.from(await display.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(bytes.includes(Buffer.from("PhonyPhone"))).toBe(false);

      const thumb = await relay.request(`/api/family/photos/${photo.id}/thumb`, { bearer: familyToken });
      const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
      expect(Math.max(thumbMeta.width ?? 0, thumbMeta.height ?? 0)).toBe(LIMITS.photoThumbLongEdge);
    });

    it("is shown only to its resident's tablet and family", async () => {
      const { relay, staff, familyToken } = await household(engine);
      const other = await staff.household("Arthur");
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      await sendWithPhotos(relay, familyToken, [{ id: photo.id }]);

      await expectError(
        await relay.request(`/api/tablet/photos/${photo.id}`, { bearer: other.deviceToken }),
        404,
        "photo_not_found",
      );
      await expectError(
        await relay.request(`/api/family/photos/${photo.id}/thumb`, { bearer: other.familyToken }),
        404,
        "photo_not_found",
      );
      // Nor can another family attach it to their own message by its id.
      await expectError(await sendWithPhotos(relay, other.familyToken, [{ id: photo.id }]), 404, "photo_not_found");
    });

    it("is shown to the rest of the family only when staff let family members see each other's messages", async () => {
      const { relay, staff, resident, familyToken, deviceToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const { photo: sent } = await expectBody(await upload(relay, familyToken, await holidayJpeg(1)), 201, uploaded);
      expect((await sendWithPhotos(relay, familyToken, [{ id: sent.id }])).status).toBe(201);
      const { photo: unsent } = await expectBody(await upload(relay, familyToken, await holidayJpeg(2)), 201, uploaded);
      const thumb = (token: string, id: string) => relay.request(`/api/family/photos/${id}/thumb`, { bearer: token });

      // Private by default: the son gets "not here" for his sister's photos, as for an id that does not exist.
      await expectError(await thumb(son.token, sent.id), 404, "photo_not_found");
      await expectError(await thumb(son.token, unsent.id), 404, "photo_not_found");
      // She still sees her own, sent or not yet sent; the tablet sees every photo of its messages.
      expect((await thumb(familyToken, sent.id)).status).toBe(200);
      expect((await thumb(familyToken, unsent.id)).status).toBe(200);
      expect((await relay.request(`/api/tablet/photos/${sent.id}`, { bearer: deviceToken })).status).toBe(200);

      await staff.request(`/residents/${resident.id}`, { method: "PATCH", json: { familySeesAll: true } });
      expect((await thumb(son.token, sent.id)).status).toBe(200);
      // What she has not sent stays hers.
      await expectError(await thumb(son.token, unsent.id), 404, "photo_not_found");
    });

    it("goes from the tablet and the disk when its message is deleted", async () => {
      const { relay, familyToken, deviceToken } = await household(engine);
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      const res = await sendWithPhotos(relay, familyToken, [{ id: photo.id }], "oops");
      const { message } = (await res.json()) as { message: { id: string } };
      expect(photoFiles(relay)).toHaveLength(2);

      await relay.request(`/api/family/messages/${message.id}`, { method: "DELETE", bearer: familyToken });
      await expectError(await relay.request(`/api/tablet/photos/${photo.id}`, { bearer: deviceToken }), 404, "photo_not_found");
      expect(photoFiles(relay)).toEqual([]);
    });

    it("may be sent on its own, without text", async () => {
      const { relay, familyToken } = await household(engine);
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      expect((await sendWithPhotos(relay, familyToken, [{ id: photo.id }])).status).toBe(201);
    });
  });

  describe("a bad photo", () => {
    it.each([
      ["an empty body", async () => Buffer.alloc(0), 422, "photo_unreadable"],
      ["a text file named as a JPEG", async () => Buffer.from("<html>not a photo</html>"), 415, "photo_type_unsupported"],
      ["a truncated JPEG", async () => (await holidayJpeg()).subarray(0, 2000), 422, "photo_unreadable"],
    ] as const)("(%s) gets a clear 4xx and stores nothing", async (_what, body, status, code) => {
      const { relay, familyToken } = await household(engine);
      // The link's "last used" time is recorded on its first use; a bad photo must add nothing else.
      await relay.request("/api/family/me", { bearer: familyToken });
      const before = await dumpTables(relay);
      await expectError(await upload(relay, familyToken, await body()), status, code);
      expect(await dumpTables(relay)).toEqual(before);
      expect(photoFiles(relay)).toEqual([]);
    });

    it("over the size limit is refused with 413 before it is all read", async () => {
      const { relay, familyToken } = await household(engine);
      const big = Buffer.alloc(LIMITS.photoUploadMaxBytes + 1, 0xff);
      await expectError(await upload(relay, familyToken, big), 413, "photo_too_large");
      expect(photoFiles(relay)).toEqual([]);
    });

    it("from a revoked link is refused", async () => {
      const { relay, staff, resident, link, familyToken } = await household(engine);
      await staff.revokeFamilyLink(resident.id, link.id);
      await expectError(await upload(relay, familyToken, await holidayJpeg()), 410, "link_revoked");
    });

    it("eleven to one message are refused", async () => {
      const { relay, familyToken } = await household(engine);
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      const eleven = Array.from({ length: 11 }, () => ({ id: photo.id }));
      expect(await expectError(await sendWithPhotos(relay, familyToken, eleven), 400, "invalid_request")).toContain("at most 10");
    });

    it("past the daily allowance is refused with a sentence, and tomorrow is fine", async () => {
      const { relay, familyToken, store } = await household(engine).then(async (h) => ({ ...h, store: h.relay.store }));
      const link = (await relay.services.conversations.authenticateFamily(familyToken)).link;
      for (let i = 0; i < LIMITS.photosPerSenderPerDay; i++) {
        await store.photoRecords.recordUpload({
          photoId: "a".repeat(64),
          familyLinkId: link.id,
          residentId: link.residentId,
          width: 1,
          height: 1,
          uploadedAt: relay.clock.now().toISOString(),
        });
      }
      await expectError(await upload(relay, familyToken, await holidayJpeg()), 429, "quota_exceeded");
      relay.clock.advanceMinutes(24 * 60 + 1);
      expect((await upload(relay, familyToken, await holidayJpeg())).status).toBe(201);
    });

    it("counts against the daily allowance even after its message is deleted", async () => {
      const { relay, familyToken } = await household(engine);
      const link = (await relay.services.conversations.authenticateFamily(familyToken)).link;
      for (let i = 0; i < LIMITS.photosPerSenderPerDay - 1; i++) {
        await relay.store.photoRecords.recordUpload({
          photoId: "b".repeat(64),
          familyLinkId: link.id,
          residentId: link.residentId,
          width: 1,
          height: 1,
          uploadedAt: relay.clock.now().toISOString(),
        });
      }
      const { photo } = await expectBody(await upload(relay, familyToken, await holidayJpeg()), 201, uploaded);
      const sent = await sendWithPhotos(relay, familyToken, [{ id: photo.id }]);
      const { message } = (await sent.json()) as { message: { id: string } };
      expect((await relay.request(`/api/family/messages/${message.id}`, { method: "DELETE", bearer: familyToken })).status).toBe(
        200,
      );
      await expectError(await upload(relay, familyToken, await holidayJpeg(1)), 429, "quota_exceeded");
    });
  });

  describe("photo uploads at once", () => {
    /** Work that holds a decode slot until the test opens the gate. */
    function gate() {
      let open = () => {};
      const closed = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { closed, open };
    }

    it("past the queue's places are refused with busy and Retry-After, before they are read, and go through once it moves", async () => {
      const { relay, staff, resident, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const queue = relay.services.photos.queue;
      const decodes = gate();
      // Every decode slot is busy, and every place but one taken.
      const held = Array.from({ length: queue.capacity - 1 }, () => queue.enter());
      const running = held.slice(0, queue.decodesAtOnce).map((place) => place.decode(() => decodes.closed));

      // A real upload takes the last place and waits its turn to be decoded.
      const first = upload(relay, familyToken, await holidayJpeg(1));
      await vi.waitFor(() => expect(queue.state.waiting).toBe(1));

      const refused = await upload(relay, son.token, await holidayJpeg(2));
      expect(refused.headers.get("Retry-After")).toBe("5");
      expect(await expectError(refused, 429, "busy")).toContain("nothing you need to do");
      expect(photoFiles(relay)).toEqual([]);

      decodes.open();
      await Promise.all(running);
      await expectBody(await first, 201, uploaded);
      for (const place of held) place.leave();
      expect(queue.state).toEqual({ places: 0, decoding: 0, waiting: 0 });
      await expectBody(await upload(relay, son.token, await holidayJpeg(2)), 201, uploaded);
    });

    it("from one link are at most two in the queue, so one link cannot take every place", async () => {
      const { relay, staff, resident, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const queue = relay.services.photos.queue;
      const decodes = gate();
      const held = Array.from({ length: queue.decodesAtOnce }, () => queue.enter());
      const running = held.map((place) => place.decode(() => decodes.closed));

      const waiting = [upload(relay, familyToken, await holidayJpeg(1)), upload(relay, familyToken, await holidayJpeg(2))];
      await vi.waitFor(() => expect(queue.state.waiting).toBe(2));
      await expectError(await upload(relay, familyToken, await holidayJpeg(3)), 429, "busy");
      // Her brother still finds a place.
      const his = upload(relay, son.token, await holidayJpeg(4));
      await vi.waitFor(() => expect(queue.state.waiting).toBe(3));

      decodes.open();
      await Promise.all(running);
      for (const res of await Promise.all([...waiting, his])) await expectBody(res, 201, uploaded);
      for (const place of held) place.leave();
    });

    it("refused for what they are count against the link: after ten in an hour it must wait, and other links need not", async () => {
      const { relay, staff, resident, familyToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const truncated = (await holidayJpeg()).subarray(0, 2000);
      const notAPhoto = Buffer.from("<html>not a photo</html>");
      const tooBig = Buffer.alloc(LIMITS.photoUploadMaxBytes + 1, 0xff);
      for (let i = 0; i < REFUSED_UPLOADS.max - 3; i++)
        await expectError(await upload(relay, familyToken, notAPhoto), 415, "photo_type_unsupported");
      await expectError(await upload(relay, familyToken, truncated), 422, "photo_unreadable");
      await expectError(await upload(relay, familyToken, tooBig), 413, "photo_too_large");

      // The last try left: of three sent at once, one is looked at and two are told to wait.
      const atOnce = await Promise.all([notAPhoto, notAPhoto, notAPhoto].map((body) => upload(relay, familyToken, body)));
      expect(atOnce.map((res) => res.status).sort()).toEqual([415, 429, 429]);

      const good = await holidayJpeg();
      const waiting = await upload(relay, familyToken, good);
      expect(waiting.headers.get("Retry-After")).toBe(String(REFUSED_UPLOADS.windowMinutes * 60));
      expect(await expectError(waiting, 429, "too_many_attempts")).toContain("60 minutes");
      await expectBody(await upload(relay, son.token, good), 201, uploaded);

      relay.clock.advanceMinutes(REFUSED_UPLOADS.windowMinutes);
      await expectBody(await upload(relay, familyToken, good), 201, uploaded);
    });
  });
});
