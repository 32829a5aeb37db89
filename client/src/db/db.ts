import type { Message, ReceiptState, Reply, ResidentSettings, TabletStatusRequest } from "@letterbox/shared";
import { Dexie, type EntityTable } from "dexie";

/**
 * A message as the tablet keeps it. `unreadSeq` is present only while the message has not been
 * seen: IndexedDB leaves a record out of an index when the property is missing, so the index on it
 * holds exactly the unread messages, in log order, however many thousands of read ones there are.
 */
export type StoredMessage = Message & {
  seq: number;
  /** The photo ids again, flat, for the multi-entry index that finds who else uses a photo. */
  photoIds: string[];
  unreadSeq?: number;
  seenAt?: string;
  /**
   * The reading of the log (TabletState.pass) that brought it or last found it there. After the
   * relay was restored from a backup, a message no reading since has found is one the relay lost:
   * it stays on the tablet, placed after the last message the relay still has.
   */
  pass?: number;
};

/** Small facts the tablet keeps between days: who it belongs to and how far it has read the log. */
export type TabletState = {
  key: "tablet";
  deviceToken: string;
  residentId: string;
  preferredName: string;
  /** The seq of the last log entry applied; the next pull asks for entries after it. */
  cursor: number;
  /** The relay's log identity the cursor belongs to (absent: synced before relays had one). */
  logId?: string;
  /** How many times the tablet has started reading the log again from the start (absent: never). */
  pass?: number;
  /** Present while reading the log again: the highest seq of a message the tablet had and found again. */
  resync?: { lastKept: number };
  lastSyncedAt: string | null;
  pairedAt?: string;
  /** The staff PIN chosen at pairing, never stored as typed: PBKDF2-SHA-256. */
  pin?: { salt: string; hash: string; iterations: number };
  /** The relay no longer knows this tablet: show nothing personal until staff set it up again. */
  revoked?: boolean;
  /** The health last reported to the relay, and when (epoch ms). */
  lastStatus?: TabletStatusRequest;
  lastStatusAt?: number;
  /** What came of subscribing to web push (tablet/push.ts): for the health report and the staff corner. */
  push?: TabletPush;
};

export type TabletPushState = TabletStatusRequest["pushState"];

export type TabletPush = {
  state: TabletPushState;
  /** The subscription's endpoint when subscribed: a different one at start means it changed. */
  endpoint?: string;
  /** The relay has been told (POST /api/tablet/push); if not, the next start tells it. */
  reported: boolean;
  /** Epoch ms of the attempt. */
  at: number;
};

export type StoredSettings = ResidentSettings & { key: "resident" };

/**
 * A photo's display image. Rows exist from the moment a message names the photo ("wanted"); the
 * Blob arrives later, and may be dropped again ("evicted") to stay within the storage budget.
 */
export type StoredPhoto = {
  id: string;
  status: "wanted" | "stored" | "evicted" | "missing";
  /** The newest log position that uses the photo: eviction takes the oldest first. */
  seq: number;
  blob?: Blob;
  size: number;
  storedAt?: number;
  /** Fetched again because the resident opened its message: not evicted before this (epoch ms). */
  keepUntil?: number;
};

/** A one-tap reply waiting for the relay. The row goes once the relay has acknowledged its id. */
export type OutboxReply = {
  id: string;
  inReplyTo: string;
  text: string;
  createdAt: string;
  attempts: number;
  /** Epoch ms; a retry waits until then (backoff). */
  nextAttemptAt: number;
  /** The relay refused it for good (e.g. the message was taken back): kept only for the staff corner. */
  failed?: boolean;
};

/** A receipt waiting to be sent ("delivered" when stored, "seen" after a few seconds on screen). */
export type QueuedReceipt = {
  key: string;
  messageId: string;
  state: ReceiptState;
  queuedAt: number;
};

export type StoredReply = Reply & { seq?: number };

/** A message its sender took back: never shown again, even if a relay restored from a backup offers it. */
export type ForgottenMessage = { id: string };

export type LetterboxDb = Dexie & {
  messages: EntityTable<StoredMessage, "id">;
  state: EntityTable<TabletState, "key">;
  settings: EntityTable<StoredSettings, "key">;
  photos: EntityTable<StoredPhoto, "id">;
  outbox: EntityTable<OutboxReply, "id">;
  receipts: EntityTable<QueuedReceipt, "key">;
  replies: EntityTable<StoredReply, "id">;
  forgotten: EntityTable<ForgottenMessage, "id">;
};

export function openDb(name = "letterbox-tablet"): LetterboxDb {
  const db = new Dexie(name) as LetterboxDb;
  db.version(1).stores({
    messages: "id, seq",
    state: "key",
  });
  db.version(2)
    .stores({
      messages: "id, seq, unreadSeq, *photoIds",
      state: "key",
      settings: "key",
      photos: "id, status, seq",
      outbox: "id, nextAttemptAt, inReplyTo",
      receipts: "key, queuedAt",
      replies: "id, inReplyTo",
    })
    .upgrade((tx) =>
      // Messages saved by the first version knew nothing of photos or of being seen: they count as
      // unread, so the resident is shown them and the family learns when they were seen.
      tx
        .table("messages")
        .toCollection()
        .modify((m: Partial<StoredMessage> & { seq: number }) => {
          m.senderId ??= "";
          m.photos ??= [];
          m.photoIds = m.photos.map((p) => p.id);
          if (!m.seenAt) m.unreadSeq = m.seq;
        }),
    );
  db.version(3).stores({ forgotten: "id" });
  return db;
}

/** The tablet's one database. All IndexedDB access goes through here. */
export const db = openDb();
