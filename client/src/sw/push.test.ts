import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LetterboxDb } from "../db/db";
import { markSeen } from "../tablet/receipts";
import { applyPage } from "../tablet/sync";
import { pairedDb } from "../tablet/testing/db";
import { message, settings } from "../tablet/testing/fake-relay";
import { appOf, familyNotification, onNotificationClick, readHint, tabletNotification } from "./push";

let db: LetterboxDb;

beforeEach(async () => {
  db = await pairedDb();
});

afterEach(async () => {
  db.close();
  await db.delete();
});

const noon = new Date("2026-11-28T12:00:00");
const hint = (seq: number) => ({ kind: "message" as const, residentId: "r", seq, senderName: "Sarah (daughter)" });

async function receive(n: number, over: Parameters<typeof settings>[0] = {}) {
  await applyPage(db, {
    entries: Array.from({ length: n }, (_, i) => ({
      kind: "message" as const,
      seq: i + 1,
      at: "2026-11-28T10:00:00.000Z",
      message: message(i + 1),
    })),
    cursor: n,
    hasMore: false,
    settings: settings(over),
    logId: "log-1",
    head: n,
  });
}

describe("the tablet's notification", () => {
  it("says who wrote, in the resident's words, and opens the tablet app", async () => {
    await receive(1);
    const shown = await tabletNotification(db, hint(1), true, noon);
    expect(shown?.title).toBe("New message from Sarah");
    expect(shown?.options).toMatchObject({
      body: "Tap to read it",
      tag: "letterbox-message",
      silent: false,
      data: { url: "/tablet" },
    });
  });

  it("is in Welsh for a Welsh-speaking resident", async () => {
    await receive(1, { language: "cy" });
    const shown = await tabletNotification(db, hint(1), true, noon);
    expect(shown?.title).toBe("Neges newydd oddi wrth Sarah");
    expect(shown?.options.body).toBe("Tapiwch i’w darllen");
    expect(shown?.options.lang).toBe("cy");
  });

  it("counts what waits when more than one message is unread", async () => {
    await receive(3);
    expect((await tabletNotification(db, hint(3), true, noon))?.options.body).toBe("3 new messages");
  });

  it("is silent in quiet hours", async () => {
    await receive(1);
    expect((await tabletNotification(db, hint(1), true, new Date("2026-11-28T23:30:00")))?.options.silent).toBe(true);
  });

  it("shows nothing for a message already seen, taken back, or not a message", async () => {
    await receive(2);
    await markSeen(db, message(1).id, Date.now());
    expect(await tabletNotification(db, hint(1), true, noon)).toBeNull();
    await db.messages.where("seq").equals(2).delete();
    expect(await tabletNotification(db, hint(2), true, noon)).toBeNull();
    expect(await tabletNotification(db, { kind: "message_deleted", residentId: "r", seq: 2 }, true, noon)).toBeNull();
  });

  it("when the pull ended short of the hinted message, still says who wrote from the push's own words", async () => {
    await receive(2);
    const shown = await tabletNotification(db, hint(9), true, noon);
    expect(shown?.title).toBe("New message from Sarah");
    expect(shown?.options.body).toBe("3 new messages");
  });

  it("shows nothing while the resident is paused, or for another resident's push", async () => {
    await receive(1, { paused: true });
    expect(await tabletNotification(db, hint(1), true, noon)).toBeNull();
    await receive(1);
    expect(await tabletNotification(db, { ...hint(1), residentId: "someone-else" }, true, noon)).toBeNull();
  });

  it("when the pull failed, still says who wrote from the push's own words", async () => {
    const shown = await tabletNotification(db, hint(1), false, noon);
    expect(shown?.title).toBe("New message from Sarah");
  });
});

describe("the family's notification", () => {
  it("says the resident replied, or has seen the message, in the phone's language", () => {
    expect(familyNotification({ kind: "reply" }, "Margaret", "en-GB")?.title).toBe("Margaret replied");
    expect(familyNotification({ kind: "receipt" }, "Margaret", "en-GB")?.title).toBe("Margaret has seen your message");
    expect(familyNotification({ kind: "reply" }, "Margaret", "cy-GB")?.title).toBe("Atebodd Margaret");
    expect(familyNotification({ kind: "reply" }, null, "en")?.title).toBe("You have a reply in Letterbox");
    expect(familyNotification({ kind: "reply" }, "Margaret", "en")?.options.data).toEqual({ url: "/family" });
    expect(familyNotification({ kind: "message" }, "Margaret", "en")).toBeNull();
  });
});

describe("reading a push", () => {
  it("takes the relay's fields and ignores anything else", () => {
    const data = (value: unknown) => ({ json: () => value });
    expect(readHint(data({ kind: "message", residentId: "r", seq: 4, senderName: "Sarah", extra: 1 }))).toEqual({
      kind: "message",
      residentId: "r",
      seq: 4,
      senderName: "Sarah",
    });
    expect(readHint(data({ seq: "4" }))).toEqual({});
    expect(readHint(null)).toEqual({});
    expect(
      readHint({
        json: () => {
          throw new SyntaxError("not JSON");
        },
      }),
    ).toEqual({});
  });

  it("tells the two registrations of the worker apart by their scope", () => {
    expect(appOf("https://letterbox.example/tablet")).toBe("tablet");
    expect(appOf("https://letterbox.example/family")).toBe("family");
    expect(appOf("https://letterbox.example/")).toBeNull();
  });
});

describe("a tap on the notification", () => {
  type FakeWindow = { url: string; focused: boolean; focus: ReturnType<typeof vi.fn> };
  const win = (url: string, focused = false): FakeWindow => ({ url, focused, focus: vi.fn(async () => undefined) });

  async function tap(scope: string, open: FakeWindow[], data: unknown = { url: "/tablet" }) {
    const openWindow = vi.fn(async () => null);
    vi.stubGlobal("self", { registration: { scope }, clients: { matchAll: async () => open, openWindow } });
    let work: Promise<unknown> = Promise.resolve();
    const close = vi.fn();
    onNotificationClick({
      notification: { close, data },
      waitUntil: (p: Promise<unknown>) => (work = p),
    } as unknown as NotificationEvent);
    await work;
    vi.unstubAllGlobals();
    expect(close).toHaveBeenCalled();
    return openWindow;
  }

  it("brings the open tablet app to the front rather than opening another", async () => {
    const other = win("https://letterbox.example/family");
    const app = win("https://letterbox.example/tablet");
    const openWindow = await tap("https://letterbox.example/tablet", [other, app]);
    expect(app.focus).toHaveBeenCalled();
    expect(other.focus).not.toHaveBeenCalled();
    expect(openWindow).not.toHaveBeenCalled();
  });

  it("opens the app when it is not open", async () => {
    const openWindow = await tap("https://letterbox.example/tablet", [win("https://letterbox.example/staff")]);
    expect(openWindow).toHaveBeenCalledWith("/tablet");
  });

  it("opens the family page from the family's notification", async () => {
    const openWindow = await tap("https://letterbox.example/family", [], { url: "/family" });
    expect(openWindow).toHaveBeenCalledWith("/family");
  });
});
