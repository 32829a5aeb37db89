import type { Battery, TabletStatusRequest } from "@letterbox/shared";
import type { LetterboxDb, TabletPush } from "../db/db";
import { withTimeout } from "../kit/web-push";
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

/** The part of the Battery Status API's BatteryManager that the report uses (TypeScript's DOM types lack it). */
type BatteryManager = { level: number; charging: boolean };
type WithBattery = { getBattery?: () => Promise<BatteryManager> };

/** A browser that takes longer than this to read its battery is treated as having no reading. */
const BATTERY_READ_MS = 2_000;

/**
 * The battery, where the browser offers the Battery Status API (Chrome on Android does; Firefox,
 * Safari and service workers do not): null there, or if reading it fails, never an error. The
 * level goes in whole percent, as Chrome gives it, so the report changes only when it does.
 */
export async function readBattery(nav: WithBattery = navigator as WithBattery): Promise<Battery | null> {
  if (typeof nav.getBattery !== "function") return null;
  try {
    const { level, charging } = await withTimeout(nav.getBattery(), BATTERY_READ_MS);
    if (typeof level !== "number" || !(level >= 0 && level <= 1) || typeof charging !== "boolean") return null;
    return { level: Math.round(level * 100) / 100, charging };
  } catch {
    return null;
  }
}

/**
 * How this tablet is, for the staff dashboard. Storage is rounded to whole mebibytes so that the
 * report changes when something real changes, not with every receipt. Works in the page and in the
 * service worker alike.
 */
export async function readDeviceStatus(db: LetterboxDb): Promise<TabletStatusRequest> {
  const [settings, estimate, persisted, push, battery] = await Promise.all([
    db.settings.get("resident"),
    navigator.storage?.estimate?.().catch(() => undefined),
    navigator.storage?.persisted?.().catch(() => false),
    db.state.get("tablet").then((state) => pushState(state?.push)),
    readBattery(),
  ]);
  return {
    appVersion: appVersion(),
    language: settings?.language ?? "en-GB",
    storageUsedBytes: Math.round((estimate?.usage ?? 0) / MIB) * MIB,
    storageQuotaBytes: estimate?.quota ? Math.round(estimate.quota / MIB) * MIB : null,
    storagePersisted: Boolean(persisted),
    pushState: push,
    battery,
  };
}
