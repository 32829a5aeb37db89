import type { TabletStatusRequest } from "@letterbox/shared";
import type { LetterboxDb } from "../db/db";
import { appVersion } from "./version";

const MIB = 1024 * 1024;

type PushState = TabletStatusRequest["pushState"];

/** The worker's own registration, or (in the page) the tablet's. */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  const own = (globalThis as { registration?: ServiceWorkerRegistration }).registration;
  if (own) return own;
  return "serviceWorker" in navigator ? navigator.serviceWorker.getRegistration("/tablet") : undefined;
}

async function pushState(): Promise<PushState> {
  if (!("PushManager" in globalThis)) return "no_push_manager";
  if (globalThis.Notification?.permission === "denied") return "permission_denied";
  try {
    const found = await registration();
    if (!found) return "no_push_manager";
    return (await found.pushManager.getSubscription()) ? "subscribed" : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * How this tablet is, for the staff dashboard. Storage is rounded to whole mebibytes so that the
 * report changes when something real changes, not with every receipt. Works in the page and in the
 * service worker alike.
 */
export async function readDeviceStatus(db: LetterboxDb): Promise<TabletStatusRequest> {
  const [settings, estimate, persisted, push] = await Promise.all([
    db.settings.get("resident"),
    navigator.storage?.estimate?.().catch(() => undefined),
    navigator.storage?.persisted?.().catch(() => false),
    pushState(),
  ]);
  return {
    appVersion: appVersion(),
    language: settings?.language ?? "en-GB",
    storageUsedBytes: Math.round((estimate?.usage ?? 0) / MIB) * MIB,
    storageQuotaBytes: estimate?.quota ? Math.round(estimate.quota / MIB) * MIB : null,
    storagePersisted: Boolean(persisted),
    pushState: push,
  };
}
