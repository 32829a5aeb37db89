import type { Message } from "@letterbox/shared";
import { Dexie, type EntityTable } from "dexie";

export type StoredMessage = Message & { seq: number };

/** Small facts the tablet keeps between days: who it belongs to and how far it has read the log. */
export type TabletState = {
  key: "tablet";
  deviceToken: string;
  residentId: string;
  preferredName: string;
  /** The seq of the last log entry applied; the next pull asks for entries after it. */
  cursor: number;
  lastSyncedAt: string | null;
};

export type LetterboxDb = Dexie & {
  messages: EntityTable<StoredMessage, "id">;
  state: EntityTable<TabletState, "key">;
};

export function openDb(name = "letterbox-tablet"): LetterboxDb {
  const db = new Dexie(name) as LetterboxDb;
  db.version(1).stores({
    messages: "id, seq",
    state: "key",
  });
  return db;
}

/** The tablet's one database. All IndexedDB access goes through here. */
export const db = openDb();
