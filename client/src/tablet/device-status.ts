import type { TabletStatusRequest } from "@letterbox/shared";
import type { LetterboxDb, TabletPush } from "../db/db";
import { appVersion } from "./version";

const MIB = 1024 * 1024;

type PushState = TabletStatusRequest["pushState"];

/** The worker's own registration, or (in the page) the tablet's. */
async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  const own = (globalThis as { registration?: ServiceWorkerRegistration }).registration;
  if (own) return own;
  return "serviceWorker" in navigator ? navigator.serviceWorker.getRegistration("/tablet") : undefined;
}

/**
 * What subscribing gave (kept by tablet/push.ts), checked against the browser: a subscription that
 * has gone since is "unknown" until the next start subscribes again.
 */
async function pushState(stored: TabletPush | undefined): Promise<PushState> {
  if (!("PushManager" in globalThis)) return "no_push_manager";
  if (stored?.state !== "subscribed") return stored?.state ?? "unknown";
  try {
    const subscription = await (await registration())?.pushManager?.getSubscription();
    return subscription?.endpoint === stored.endpoint ? "subscribed" : "unknown";
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
    db.state.get("tablet").then((state) => pushState(state?.push)),
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
