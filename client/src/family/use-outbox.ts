import { useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { OutboxEntry } from "../db/family-db";
import { afterFirstPaint } from "../kit/after-first-paint";
import type { OutboxEvent, OutboxSnapshot } from "./outbox";

type PageOutbox = typeof import("./page-outbox");

let loading: Promise<PageOutbox> | undefined;

/**
 * The page's outbox, with its database. Loaded once the conversation is on screen, not before: Dexie
 * is a third of the page's script, and showing the conversation needs none of it. A load that
 * failed is tried again on the next call.
 */
export function loadOutbox(): Promise<PageOutbox> {
  loading ??= import("./page-outbox").catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** How often to try again while something waits (browsers slow this down in a hidden tab, which is fine). */
const RETRY_EVERY_MS = 5_000;

const NO_ENTRIES: OutboxEntry[] = [];
const IDLE: OutboxSnapshot = { sending: null, progress: {}, noSignal: false };
const notLoaded = () => () => {};
const idle = () => IDLE;

const subscribeOnline = (onChange: () => void) => {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
};

/** Whether the phone believes it has a connection; when it says no, it is right. */
export const useOnline = () => useSyncExternalStore(subscribeOnline, () => navigator.onLine);

/**
 * The messages of this link still waiting to go, and how the sending goes. Sends when the outbox
 * has loaded (just after the page opens), when the signal comes back, and every few seconds while
 * anything waits.
 */
export function useOutbox(token: string, onEvent: (event: OutboxEvent) => void) {
  const [page, setPage] = useState<PageOutbox | null>(null);
  const [all, setAll] = useState(NO_ENTRIES);

  // Once the conversation is painted: its script would otherwise hold up that first paint.
  useEffect(() => {
    let live = true;
    afterFirstPaint()
      .then(loadOutbox)
      .then(
        (loaded) => live && setPage(loaded),
        () => {}, // no signal and not in the worker's cache: Send tries again
      );
    return () => {
      live = false;
    };
  }, []);

  // The same empty list each time the outbox is empty, so that nothing downstream is drawn again.
  useEffect(() => page?.watchEntries((entries) => setAll(entries.length > 0 ? entries : NO_ENTRIES)), [page]);
  const snapshot = useSyncExternalStore(page ? page.outbox.subscribe : notLoaded, page ? page.outbox.getSnapshot : idle);
  const entries = useMemo(() => all.filter((e) => e.token === token), [all, token]);
  const waiting = all.some((e) => e.problem === null);

  useEffect(() => page?.outbox.onEvent(onEvent), [page, onEvent]);

  useEffect(() => {
    if (!page) return;
    const now = () => void page.outbox.flush({ now: true });
    now();
    window.addEventListener("online", now);
    return () => window.removeEventListener("online", now);
  }, [page]);

  useEffect(() => {
    if (!page || !waiting) return;
    const timer = setInterval(() => void page.outbox.flush(), RETRY_EVERY_MS);
    return () => clearInterval(timer);
  }, [page, waiting]);

  return { entries, snapshot };
}
