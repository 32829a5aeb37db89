import { liveQuery } from "dexie";
import { familyDb, type OutboxEntry } from "../db/family-db";
import { Outbox } from "./outbox";
import { sendMessage, uploadPhoto } from "./relay";

/** One outbox per page, whatever renders it. Loaded after the first screen (use-outbox.ts). */
export const outbox = new Outbox(familyDb, { uploadPhoto, sendMessage });

/** Calls `onChange` with every entry of the outbox, oldest first, now and on each change; returns the stop. */
export function watchEntries(onChange: (all: OutboxEntry[]) => void): () => void {
  const subscription = liveQuery(() => familyDb.outbox.orderBy("createdAt").toArray()).subscribe({
    next: onChange,
    // The phone's storage refused (some private windows): nothing can wait in it, so nothing is shown.
    error: () => onChange([]),
  });
  return () => subscription.unsubscribe();
}
