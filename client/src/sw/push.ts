/// <reference lib="webworker" />
import type { PushPayload } from "@letterbox/shared";
import { db, type LetterboxDb } from "../db/db";
import { familyDb } from "../db/family-db";
import { getMe } from "../family/relay";
import { familyCy } from "../i18n/family-cy";
import { familyEnGB } from "../i18n/family-en-GB";
import { tabletText as tabletCy } from "../i18n/tablet-cy";
import { tabletText as tabletEnGB } from "../i18n/tablet-en-GB";
import { inQuietHours } from "../kit/when";
import { shortName } from "../tablet/names";
import { relay } from "../tablet/relay";
import { syncNow, WORKER_SYNCED } from "../tablet/sync";

declare const self: ServiceWorkerGlobalScope;

/**
 * The one worker file serves two registrations: the tablet's (scope /tablet) and, when a family
 * member asks to be told of replies, the family page's (scope /family). Each push is only a hint:
 * the tablet's worker pulls the log with the same sync engine as the page, so the message and its
 * photos are on the tablet even if the network goes straight after.
 */
export type WorkerApp = "tablet" | "family";

export function appOf(scope: string): WorkerApp | null {
  const path = new URL(scope).pathname;
  if (path.startsWith("/tablet")) return "tablet";
  if (path.startsWith("/family")) return "family";
  return null;
}

/** The relay's payload (shared/src/api.ts pushPayloadSchema), read without zod: anything odd is just "pull now". */
export type Hint = Partial<PushPayload>;

export function readHint(data: { json(): unknown } | null | undefined): Hint {
  let raw: unknown;
  try {
    raw = data?.json();
  } catch {
    return {};
  }
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  const hint: Hint = {};
  if (typeof r.kind === "string") hint.kind = r.kind as PushPayload["kind"];
  if (typeof r.residentId === "string") hint.residentId = r.residentId;
  if (typeof r.seq === "number") hint.seq = r.seq;
  if (typeof r.senderName === "string") hint.senderName = r.senderName;
  return hint;
}

export type Shown = { title: string; options: NotificationOptions & { renotify?: boolean } };

/**
 * What the tablet shows for a push once it has synced (`synced` false: the pull failed, so the
 * push's own words are all there is). Nothing for a message already seen or taken back, nor while
 * the resident is paused; silent in quiet hours, so that the night stays undisturbed.
 */
export async function tabletNotification(db: LetterboxDb, hint: Hint, synced: boolean, now = new Date()): Promise<Shown | null> {
  if (hint.kind !== "message") return null;
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return null;
  if (hint.residentId !== undefined && hint.residentId !== state.residentId) return null;
  const settings = await db.settings.get("resident");
  if (settings?.paused) return null;
  const message = hint.seq === undefined ? undefined : await db.messages.where("seq").equals(hint.seq).first();
  // A pull that has reached the hinted entry decides: gone means taken back, no unreadSeq means seen.
  // One that has not (it raced the send, or a relay instance was behind) leaves the push's own words.
  const reached = hint.seq === undefined || state.cursor >= hint.seq;
  if (synced && reached && message?.unreadSeq === undefined) return null;
  const words = settings?.language === "cy" ? tabletCy : tabletEnGB;
  const from = message?.senderName ?? hint.senderName;
  // The hinted message counts even when it has not arrived yet.
  const unread = (await db.messages.where("unreadSeq").above(0).count()) + (message ? 0 : 1);
  return {
    title: from ? words.notifyFrom(shortName(from)) : words.notifyNew,
    options: {
      body: unread > 1 ? words.newMessages(unread) : words.notifyBody,
      lang: words.lang,
      icon: "/icon-192.png",
      // One notification however many pushes: the newest replaces it, and still alerts.
      tag: "letterbox-message",
      renotify: true,
      silent: inQuietHours(now, settings?.quietHours),
      data: { url: "/tablet" },
    },
  };
}

/** What a family member is told: "Margaret replied", "Margaret has seen your message". */
export function familyNotification(hint: Hint, residentName: string | null, language: string | undefined): Shown | null {
  const t = language?.toLowerCase().startsWith("cy") ? familyCy : familyEnGB;
  let title: string;
  if (hint.kind === "reply") title = residentName ? t.replied(residentName) : t.pushRepliedNoName;
  else if (hint.kind === "receipt") title = residentName ? t.pushSeen(residentName) : t.pushSeenNoName;
  else return null;
  return {
    title,
    options: { lang: t.lang, icon: "/icon-192.png", tag: `letterbox-${hint.kind}`, data: { url: "/family" } },
  };
}

/** The windows of this registration's app (open pages of the other app, or of none, do not count). */
async function ownWindows(app: WorkerApp): Promise<WindowClient[]> {
  const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return all.filter((w) => appOf(w.url) === app);
}

async function tabletPush(hint: Hint) {
  let synced = true;
  try {
    await syncNow(db, relay);
    // A pull can end short of the hinted entry (an instance behind the one that took the send):
    // one more try before the notification falls back to the push's own words.
    if (hint.seq !== undefined && ((await db.state.get("tablet"))?.cursor ?? 0) < hint.seq) await syncNow(db, relay);
  } catch {
    // No network after all: the message comes with the next sync; the push's words still say who wrote.
    synced = false;
  }
  const windows = await ownWindows("tablet");
  // On screen the app opens the message itself, with its chime; otherwise the notification wakes the tablet.
  if (!windows.some((w) => w.visibilityState === "visible")) {
    const shown = await tabletNotification(db, hint, synced);
    if (shown) await self.registration.showNotification(shown.title, shown.options);
  }
  // Open pages (hidden ones too) pull at once and redraw from IndexedDB.
  for (const w of windows) w.postMessage({ type: WORKER_SYNCED, kind: hint.kind, seq: hint.seq });
}

/** The resident's name for the family's notification: the link's token is on this phone already. */
async function residentName(): Promise<string | null> {
  try {
    const token = (await familyDb.state.get("token"))?.value;
    return token ? (await getMe(token)).resident.preferredName : null;
  } catch {
    return null;
  }
}

async function familyPush(hint: Hint) {
  // A family page on screen keeps itself up to date (live connection, polling): nothing to show.
  const windows = await ownWindows("family");
  if (windows.some((w) => w.visibilityState === "visible")) return;
  const shown = familyNotification(hint, await residentName(), self.navigator.language);
  if (shown) await self.registration.showNotification(shown.title, shown.options);
}

/** A push wakes the worker even with every page closed; waitUntil keeps it alive until the sync is done. */
export function onPush(event: PushEvent) {
  const hint = readHint(event.data);
  const app = appOf(self.registration.scope);
  if (app === "tablet") event.waitUntil(tabletPush(hint));
  else if (app === "family") event.waitUntil(familyPush(hint));
}

/** A tap on the notification: the app's open window comes to the front, or the app opens. */
export function onNotificationClick(event: NotificationEvent) {
  event.notification.close();
  const app = appOf(self.registration.scope) ?? "tablet";
  const url = (event.notification.data as { url?: string } | null)?.url ?? `/${app}`;
  event.waitUntil(
    (async () => {
      const open = await ownWindows(app);
      const window = open.find((w) => w.focused) ?? open[0];
      if (window) await window.focus();
      else await self.clients.openWindow(url);
    })(),
  );
}
