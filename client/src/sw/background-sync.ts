/// <reference lib="webworker" />
import { db } from "../db/db";
import { relay } from "../tablet/relay";
import { syncNow } from "../tablet/sync";

/** The tags the tablet registers (see tablet/use-sync.ts). */
const TAGS = new Set(["letterbox-sync"]);

// Health is reported by the page, which knows its build; the worker only moves messages.
const run = () => syncNow(db, relay);

type SyncEvent = ExtendableEvent & { tag: string; lastChance?: boolean };

/**
 * The same sync engine the page runs, run by the worker: when the network comes back after a
 * reply was tapped offline (Background Sync) and, where the browser grants it, now and then while
 * the app is closed (Periodic Background Sync). Replies keep their ids, so the page and the worker
 * both sending is harmless.
 */
export function onBackgroundSync(event: Event) {
  const sync = event as SyncEvent;
  if (!TAGS.has(sync.tag)) return;
  sync.waitUntil(run().then(() => undefined));
}

export function onPeriodicSync(event: Event) {
  const sync = event as SyncEvent;
  if (!TAGS.has(sync.tag)) return;
  sync.waitUntil(
    run().then(
      () => undefined,
      () => undefined,
    ),
  );
}
