import "fake-indexeddb/auto";
import type { SendMessageRequest, SentMessage, UploadedPhoto } from "@letterbox/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { RelayError } from "../api/relay-error";
import { familyDb } from "../db/family-db";
import { Outbox, type OutboxEvent, type OutboxRelay } from "./outbox";

const TOKEN = "t".repeat(43);
const offline = () => new RelayError(0, "network", "Letterbox could not be reached.");

/**
 * The relay as the outbox sees it, in memory, with the relay's rule that an id is accepted once:
 * an identical retry gets the stored message back, different content is refused.
 */
function fakeRelay() {
  const stored = new Map<string, SendMessageRequest>();
  const photos = new Map<string, Blob>();
  const uploads: string[] = [];
  const posts: string[] = [];
  /** What to answer with, in order, before behaving normally: a failure, or null for a normal answer. */
  const failUploads: (RelayError | null)[] = [];
  const failPosts: (RelayError | "after-store")[] = [];
  let photoSeq = 0;

  const relay: OutboxRelay = {
    async uploadPhoto(_token, blob, onProgress) {
      const label = await blob.text();
      uploads.push(label);
      const failure = failUploads.shift();
      if (failure instanceof RelayError) throw failure;
      onProgress(0.5);
      const id = (++photoSeq).toString(16).padStart(64, "0");
      photos.set(id, blob);
      onProgress(1);
      const photo: UploadedPhoto = { id, width: 1600, height: 1200 };
      return photo;
    },
    async sendMessage(_token, message) {
      posts.push(message.id);
      const failure = failPosts.shift();
      if (failure instanceof RelayError) throw failure;
      for (const p of message.photos ?? []) {
        if (!photos.has(p.id)) throw new RelayError(404, "photo_not_found", "A photo of this message is missing.");
      }
      const earlier = stored.get(message.id);
      if (earlier && JSON.stringify(earlier) !== JSON.stringify(message)) {
        throw new RelayError(409, "id_reused", "That message id was used for a different message.");
      }
      stored.set(message.id, message);
      // The relay stored it, and then the answer was lost on the way back.
      if (failure === "after-store") throw offline();
      const sent: SentMessage = {
        id: message.id,
        senderId: "link",
        senderName: "Sarah (daughter)",
        text: message.text,
        photos: (message.photos ?? []).map((p) => ({ id: p.id, width: 1600, height: 1200, caption: p.caption ?? "" })),
        sentAt: "2026-11-28T10:15:00.000Z",
        seq: stored.size,
      };
      return sent;
    },
  };
  return { relay, stored, photos, uploads, posts, failUploads, failPosts };
}

const photo = (label: string) => new Blob([label], { type: "image/jpeg" });

let clock: number;
const now = () => new Date(clock);

beforeEach(async () => {
  clock = Date.parse("2026-11-28T10:15:00Z");
  await familyDb.outbox.clear();
});

describe("Outbox", () => {
  it("keeps a message written offline, photos as Blobs, and sends it exactly once when the signal is back", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const events: OutboxEvent[] = [];
    outbox.onEvent((e) => events.push(e));
    const id = await outbox.add({
      token: TOKEN,
      text: "Hello Mum!",
      photos: [
        { blob: photo("garden"), caption: "The garden" },
        { blob: photo("kitchen"), caption: "" },
        { blob: photo("roses"), caption: "Your roses" },
      ],
    });

    fake.failUploads.push(offline());
    await outbox.flush();
    expect(outbox.getSnapshot().noSignal).toBe(true);
    const kept = await familyDb.outbox.get(id);
    expect(kept?.photos.map((p) => p.blob)).toEqual([expect.any(Blob), expect.any(Blob), expect.any(Blob)]);
    expect(await kept?.photos[2]?.blob.text()).toBe("roses");
    expect(fake.stored.size).toBe(0);

    await outbox.flush({ now: true });
    await outbox.flush({ now: true });
    expect(fake.stored.size).toBe(1);
    const message = fake.stored.get(id);
    expect(message?.text).toBe("Hello Mum!");
    expect(message?.photos?.map((p) => p.caption)).toEqual(["The garden", "", "Your roses"]);
    expect(await familyDb.outbox.count()).toBe(0);
    expect(events).toEqual([{ kind: "sent", token: TOKEN, message: expect.objectContaining({ id }) }]);
    expect(outbox.getSnapshot()).toMatchObject({ sending: null, noSignal: false });
  });

  it("resends the same id when the relay stored a message but its answer was lost, so it is stored once", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const id = await outbox.add({ token: TOKEN, text: "Shall I ring you at 6?", photos: [] });
    fake.failPosts.push("after-store");
    await outbox.flush();
    expect(await familyDb.outbox.get(id)).toBeDefined();

    await outbox.flush({ now: true });
    expect(fake.posts).toEqual([id, id]);
    expect(fake.stored.size).toBe(1);
    expect(await familyDb.outbox.count()).toBe(0);
  });

  it("does not upload again the photos that reached the relay before the signal dropped", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    await outbox.add({
      token: TOKEN,
      text: "",
      photos: [
        { blob: photo("a"), caption: "" },
        { blob: photo("b"), caption: "" },
      ],
    });
    fake.failUploads.push(null, offline());
    await outbox.flush();
    await outbox.flush({ now: true });
    expect(fake.uploads).toEqual(["a", "b", "b"]);
    expect(fake.stored.size).toBe(1);
  });

  it("sends once when asked twice at the same moment (two events, or two tabs)", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    await outbox.add({ token: TOKEN, text: "One", photos: [] });
    await Promise.all([outbox.flush({ now: true }), outbox.flush({ now: true }), outbox.flush()]);
    expect(fake.posts).toHaveLength(1);
  });

  it("sends in the order written", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const first = await outbox.add({ token: TOKEN, text: "First", photos: [] });
    clock += 1000;
    const second = await outbox.add({ token: TOKEN, text: "Second", photos: [] });
    await outbox.flush();
    expect(fake.posts).toEqual([first, second]);
  });

  it("keeps a refused photo's message with the relay's sentence next to that photo, and sends the others", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const refused = await outbox.add({
      token: TOKEN,
      text: "Look",
      photos: [
        { blob: photo("ok"), caption: "" },
        { blob: photo("heic"), caption: "" },
      ],
    });
    clock += 1000;
    const fine = await outbox.add({ token: TOKEN, text: "And this", photos: [] });
    fake.failUploads.push(
      null,
      new RelayError(415, "photo_type_unsupported", "This photo is in a format Letterbox cannot read."),
    );
    await outbox.flush();

    expect((await familyDb.outbox.get(refused))?.problem).toEqual({
      code: "photo_type_unsupported",
      message: "This photo is in a format Letterbox cannot read.",
      photo: 1,
    });
    expect([...fake.stored.keys()]).toEqual([fine]);
    // Left alone until the sender decides…
    await outbox.flush({ now: true });
    expect(fake.uploads).toEqual(["ok", "heic"]);
    // …and tried again when asked (the first photo is not uploaded twice).
    await outbox.retry(refused);
    expect(fake.uploads).toEqual(["ok", "heic", "heic"]);
    expect(fake.stored.has(refused)).toBe(true);
  });

  it("tells the page when the link no longer works, and keeps the message", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const events: OutboxEvent[] = [];
    outbox.onEvent((e) => events.push(e));
    const id = await outbox.add({ token: TOKEN, text: "Hello", photos: [] });
    fake.failPosts.push(new RelayError(410, "link_revoked", "This link no longer works. Please ask the council for a new one."));
    await outbox.flush();
    expect(events).toEqual([{ kind: "dead-link", token: TOKEN, error: expect.objectContaining({ code: "link_revoked" }) }]);
    expect((await familyDb.outbox.get(id))?.problem?.code).toBe("link_revoked");
  });

  it("waits longer after each busy answer, but goes at once when asked to", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    await outbox.add({ token: TOKEN, text: "Hello", photos: [] });
    fake.failPosts.push(new RelayError(503, "internal", "Busy"), new RelayError(503, "internal", "Busy"));
    await outbox.flush();
    await outbox.flush();
    expect(fake.posts).toHaveLength(1);
    clock += 2_000;
    await outbox.flush();
    expect(fake.posts).toHaveLength(2);
    clock += 2_000; // the wait has doubled to 4 s
    await outbox.flush();
    expect(fake.posts).toHaveLength(2);
    await outbox.flush({ now: true });
    expect(fake.posts).toHaveLength(3);
    expect(await familyDb.outbox.count()).toBe(0);
  });

  it("uploads the photos again, once, when the relay no longer has them", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    await outbox.add({ token: TOKEN, text: "", photos: [{ blob: photo("a"), caption: "" }] });
    fake.failPosts.push(offline());
    await outbox.flush();
    fake.photos.clear(); // tidied away on the relay while the phone was offline
    await outbox.flush({ now: true });
    expect(fake.uploads).toEqual(["a", "a"]);
    expect(fake.stored.size).toBe(1);
  });

  it("does not send a message the sender removed while its photos were uploading", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const id = await outbox.add({ token: TOKEN, text: "Oops", photos: [{ blob: photo("a"), caption: "" }] });
    const upload = fake.relay.uploadPhoto;
    fake.relay.uploadPhoto = async (...args) => {
      await outbox.remove(id);
      return upload(...args);
    };
    await outbox.flush();
    expect(fake.posts).toEqual([]);
  });

  it("shows how far each photo has got while it is sending", async () => {
    const fake = fakeRelay();
    const outbox = new Outbox(familyDb, fake.relay, now);
    const id = await outbox.add({
      token: TOKEN,
      text: "",
      photos: [
        { blob: photo("a"), caption: "" },
        { blob: photo("b"), caption: "" },
      ],
    });
    const seen: (readonly number[] | undefined)[] = [];
    outbox.subscribe(() => {
      const s = outbox.getSnapshot();
      if (s.sending === id) seen.push(s.progress[id]);
    });
    await outbox.flush();
    expect(seen).toContainEqual([0.5, 0]);
    expect(seen).toContainEqual([1, 0.5]);
    expect(outbox.getSnapshot().progress[id]).toBeUndefined();
  });
});
