import { useLiveQuery } from "dexie-react-hooks";
import { useEffect, useSyncExternalStore } from "react";
import { familyDb, type OutboxEntry } from "../db/family-db";
import { Outbox, type OutboxEvent } from "./outbox";
import { sendMessage, uploadPhoto } from "./relay";

/** One outbox per page, whatever renders it. */
export const outbox = new Outbox(familyDb, { uploadPhoto, sendMessage });

/** How often to try again while something waits (browsers slow this down in a hidden tab, which is fine). */
const RETRY_EVERY_MS = 5_000;

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
 * The messages of this link still waiting to go, and how the sending goes. Sends when the page
 * opens, when the signal comes back, and every few seconds while anything waits.
 */
export function useOutbox(token: string, onEvent: (event: OutboxEvent) => void) {
  const all = useLiveQuery(() => familyDb.outbox.orderBy("createdAt").toArray(), [], [] as OutboxEntry[]);
  const snapshot = useSyncExternalStore(outbox.subscribe, outbox.getSnapshot);
  const entries = all.filter((e) => e.token === token);
  const waiting = all.some((e) => e.problem === null);

  useEffect(() => outbox.onEvent(onEvent), [onEvent]);

  useEffect(() => {
    const now = () => void outbox.flush({ now: true });
    now();
    window.addEventListener("online", now);
    return () => window.removeEventListener("online", now);
  }, []);

  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void outbox.flush(), RETRY_EVERY_MS);
    return () => clearInterval(timer);
  }, [waiting]);

  return { entries, snapshot };
}
