import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import { db } from "../db/db";
import { readDeviceStatus } from "./device-status";
import { followLive, POLL_MS } from "./live";
import { relay } from "./relay";
import { DEFAULT_PHOTO_BUDGET_BYTES, syncNow, WORKER_SYNCED } from "./sync";
import { type Connection, SyncLoop } from "./sync-loop";

export type { Connection };

export const BACKGROUND_SYNC_TAG = "letterbox-sync";

/** A share of what the browser grants this site, within sensible bounds: photos must never crowd out the app. */
async function photoBudget(): Promise<number> {
  try {
    const { quota } = (await navigator.storage?.estimate?.()) ?? {};
    if (!quota) return DEFAULT_PHOTO_BUDGET_BYTES;
    return Math.min(2 * 1024 ** 3, Math.max(50 * 1024 ** 2, Math.round(quota * 0.3)));
  } catch {
    return DEFAULT_PHOTO_BUDGET_BYTES;
  }
}

/** Ask the service worker to sync when the network is back even if the page is gone by then (where the browser can). */
function askForBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  void navigator.serviceWorker.ready
    .then((registration) =>
      (registration as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(
        BACKGROUND_SYNC_TAG,
      ),
    )
    .catch(() => undefined);
}

export type SyncHandle = { connection: Connection; syncSoon: () => void };

export const SyncContext = createContext<SyncHandle>({ connection: "unknown", syncSoon: () => {} });
export const useSyncHandle = () => useContext(SyncContext);

/**
 * Keeps the tablet's copy of the log up to date while the app is open: at start, at once when the
 * live connection says the log grew, on a timer (every few seconds without a live connection),
 * when the network comes back, when the screen is shown again, and at once when something waits
 * to be sent. Reports whether the relay answers.
 */
export function useSync(paired: boolean, deviceToken: string | undefined): SyncHandle {
  const [connection, setConnection] = useState<Connection>("unknown");
  const loop = useRef<SyncLoop | null>(null);
  useEffect(() => {
    if (!paired) return;
    let budget = DEFAULT_PHOTO_BUDGET_BYTES;
    void photoBudget().then((b) => {
      budget = b;
    });
    const readStatus = () => readDeviceStatus(db);
    const running = new SyncLoop(() => syncNow(db, relay, { photoBudgetBytes: budget, readStatus }), {
      intervalMs: POLL_MS,
      onConnection: setConnection,
    });
    loop.current = running;
    running.start();
    const poke = () => void running.trigger();
    const stopLive = deviceToken ? followLive(running, deviceToken) : () => {};
    const onVisible = () => document.visibilityState === "visible" && poke();
    // The service worker pulled because of a push (sw/push.ts): this page follows at once.
    const onWorker = (event: MessageEvent) => (event.data as { type?: unknown } | null)?.type === WORKER_SYNCED && poke();
    navigator.serviceWorker?.addEventListener("message", onWorker);
    window.addEventListener("online", poke);
    window.addEventListener("offline", poke);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopLive();
      navigator.serviceWorker?.removeEventListener("message", onWorker);
      running.stop();
      loop.current = null;
      window.removeEventListener("online", poke);
      window.removeEventListener("offline", poke);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [paired, deviceToken]);
  const syncSoon = useCallback(() => {
    // The worker is asked only for what this page could not send itself: registering while online
    // would fire at once and sync twice.
    void loop.current?.trigger().then(async () => {
      const waiting = (await db.outbox.filter((r) => !r.failed).count()) + (await db.receipts.count());
      if (waiting > 0) askForBackgroundSync();
    });
  }, []);
  return { connection, syncSoon };
}
