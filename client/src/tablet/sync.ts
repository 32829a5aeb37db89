import type { LogEntry, ReceiptsRequest, SendReplyRequest, SentReply, SyncPage, TabletStatusRequest } from "@letterbox/shared";
import { asRelayError } from "../api/relay-error";
import type { LetterboxDb, StoredMessage, TabletState } from "../db/db";
import { writeLanguage } from "./language-memory";
import { flushOutbox } from "./outbox";
import { fetchPhotos } from "./photo-store";
import { flushReceipts, queueReceipt, receiptKey } from "./receipts";

/**
 * How the sync engine reaches the relay. Plain functions, so the page, the service worker and the
 * tests (a relay in memory) each supply their own. Failures are thrown as RelayError.
 */
export type Relay = {
  pull(deviceToken: string, after: number): Promise<SyncPage>;
  sendReceipts(deviceToken: string, receipts: ReceiptsRequest["receipts"]): Promise<void>;
  sendReply(deviceToken: string, reply: SendReplyRequest): Promise<SentReply>;
  fetchPhoto(deviceToken: string, photoId: string): Promise<Blob>;
  sendStatus(deviceToken: string, status: TabletStatusRequest): Promise<void>;
};

/** How the tablet is, for the staff dashboard; read from the browser by whoever runs the sync. */
export type ReadStatus = () => Promise<TabletStatusRequest>;

/** Epoch milliseconds; tests pass a fixed clock. */
export type Clock = () => number;

export type SyncOptions = {
  now?: Clock;
  /** Bytes of photos to keep; the oldest photos of seen messages go first beyond it. */
  photoBudgetBytes?: number;
  /** For backoff jitter; tests pass a constant. */
  random?: () => number;
  /** Reports the tablet's health after a sync (when it changed, or hourly). */
  readStatus?: ReadStatus;
};

/** Health goes to the relay when it changes, and at least this often so "last reported" stays fresh. */
export const STATUS_EVERY_MS = 60 * 60_000;

export type Applied = { applied: number; newMessages: number };

/** Who pulled a page, and after which cursor. */
export type Pulled = { deviceToken: string; after: number };

/** What the service worker posts to the open pages after a push made it sync (sw/push.ts). */
export const WORKER_SYNCED = "letterbox:synced";

/** Pages are pulled until the relay says there is no more, so a tablet back after a week catches up in one go. */
const MAX_PAGES_PER_SYNC = 100;
export const DEFAULT_PHOTO_BUDGET_BYTES = 500 * 1024 * 1024;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Applies one page of log entries in one transaction. Idempotent: an entry at or below the cursor
 * changes nothing, so retries, duplicates and late or reordered pages are harmless. `pulled`
 * guards against a page pulled for a tablet that has since been set up again.
 *
 * A page from another copy of the log (the relay was restored from a backup), or whose head is
 * below the cursor (the relay has lost entries this tablet applied), means the cursor no longer
 * points anywhere: the tablet starts reading again from the beginning (`restarted`). Only a page
 * pulled at the current cursor decides that; a late page is merely stale.
 */
export async function applyPage(
  db: LetterboxDb,
  page: SyncPage,
  now: Clock = Date.now,
  pulled?: Pulled,
): Promise<Applied & { restarted?: true }> {
  const tables = [db.state, db.settings, db.messages, db.photos, db.receipts, db.replies, db.outbox, db.forgotten];
  return db.transaction("rw", tables, async () => {
    const result: Applied = { applied: 0, newMessages: 0 };
    const state = await db.state.get("tablet");
    if (!state || (pulled !== undefined && state.deviceToken !== pulled.deviceToken)) return result;
    const otherLog = state.logId !== undefined && state.logId !== page.logId;
    if (otherLog || state.cursor > page.head) {
      if (pulled?.after === state.cursor) {
        await db.state.update("tablet", { cursor: 0, logId: page.logId, pass: (state.pass ?? 0) + 1, resync: { lastKept: 0 } });
        return { ...result, restarted: true };
      }
      // A late page from the log before the restore: nothing in it belongs to this one.
      if (otherLog) return result;
    }
    const reading: Reading = { now, pass: state.pass ?? 0, resync: state.resync && { ...state.resync } };
    let last = state.cursor;
    for (const entry of [...page.entries].sort((a, b) => a.seq - b.seq)) {
      if (entry.seq <= last) continue;
      last = entry.seq;
      result.applied++;
      if (await applyEntry(db, entry, reading)) result.newMessages++;
    }
    const cursor = Math.max(last, state.cursor, page.cursor);
    const changes: Partial<TabletState> = {};
    if (cursor !== state.cursor) changes.cursor = cursor;
    if (state.logId === undefined) changes.logId = page.logId;
    if (reading.resync) {
      if (!page.hasMore && cursor >= page.head) {
        await placeLostMessages(db, reading.pass, reading.resync.lastKept);
        changes.resync = undefined;
      } else if (reading.resync.lastKept !== state.resync?.lastKept) changes.resync = reading.resync;
    }
    if (Object.keys(changes).length > 0) await db.state.update("tablet", changes);
    // Settings ride on every page; writing only real changes keeps the screen from redrawing each poll.
    if (page.settings) {
      const stored = await db.settings.get("resident");
      const fresh = { key: "resident" as const, ...page.settings };
      if (!stored || JSON.stringify(stored) !== JSON.stringify({ ...stored, ...fresh })) await db.settings.put(fresh);
    }
    return result;
  });
}

/** How the log is being read: `resync` while reading it again after a restore of the relay. */
type Reading = { now: Clock; pass: number; resync?: { lastKept: number } };

/** Returns true when the entry brought a message the tablet did not have. */
async function applyEntry(db: LetterboxDb, entry: LogEntry, reading: Reading): Promise<boolean> {
  const { now } = reading;
  switch (entry.kind) {
    case "message": {
      const { message } = entry;
      const kept = await db.messages.get(message.id);
      if (kept) {
        if (reading.resync) await foundAgain(db, kept, entry.seq, reading, reading.resync);
        return false;
      }
      // Taken back by its sender: a relay restored from before that offers it again.
      if (await db.forgotten.get(message.id)) return false;
      const photoIds = message.photos.map((p) => p.id);
      await db.messages.add({ ...message, seq: entry.seq, photoIds, unreadSeq: entry.seq, pass: reading.pass });
      for (const id of new Set(photoIds)) {
        const photo = await db.photos.get(id);
        if (!photo) await db.photos.add({ id, status: "wanted", seq: entry.seq, size: 0 });
        else if (photo.seq < entry.seq) await db.photos.update(id, { seq: entry.seq });
      }
      await queueReceipt(db, message.id, "delivered", now());
      return true;
    }
    case "message_deleted":
      await forgetMessage(db, entry.messageId);
      return false;
    case "receipt": {
      // The relay has this receipt: one still queued here need not go.
      await db.receipts.delete(receiptKey(entry.messageId, entry.state));
      // A "seen" already in the log (this tablet before a re-pairing, say) means it is not new.
      if (entry.state !== "seen") return false;
      const message = await db.messages.get(entry.messageId);
      if (message?.unreadSeq !== undefined) await db.messages.update(message.id, { unreadSeq: undefined, seenAt: entry.at });
      return false;
    }
    case "reply":
      await db.replies.put({ ...entry.reply, seq: entry.seq });
      // The relay has it, whichever way it got there: nothing left to send.
      await db.outbox.delete(entry.reply.id);
      return false;
  }
}

/**
 * A message the tablet already had, met again while reading the log after a restore: it takes its
 * place in this log, and its receipts are sent again, since the relay's copy may be from before
 * them (the relay keeps one of each; a receipt further on in the log takes the queued one back).
 */
async function foundAgain(db: LetterboxDb, kept: StoredMessage, seq: number, reading: Reading, resync: { lastKept: number }) {
  const unread = kept.unreadSeq !== undefined;
  await db.messages.update(kept.id, { seq, pass: reading.pass, ...(unread ? { unreadSeq: seq } : {}) });
  await queueReceipt(db, kept.id, "delivered", reading.now());
  if (!unread) await queueReceipt(db, kept.id, "seen", reading.now());
  resync.lastKept = Math.max(resync.lastKept, seq);
}

/**
 * The log has been read again to its end: messages the tablet has that the relay no longer does
 * (sent after the backup it was restored from) stay, in their order, just after the last message
 * the relay still has, so that every message sent since follows them as it would have.
 */
async function placeLostMessages(db: LetterboxDb, pass: number, lastKept: number) {
  const lost = (await db.messages.filter((m) => m.pass !== pass).toArray()).sort((a, b) => a.seq - b.seq);
  for (const [i, m] of lost.entries()) {
    const seq = lastKept + (i + 1) / (lost.length + 1);
    await db.messages.update(m.id, { seq, pass, ...(m.unreadSeq !== undefined ? { unreadSeq: seq } : {}) });
    for (const id of m.photoIds) {
      const photo = await db.photos.get(id);
      if (photo && photo.seq === m.seq) await db.photos.update(id, { seq });
    }
  }
}

/** The sender took a message back: it goes, with its photos (unless another message shows them) and anything queued for it. */
async function forgetMessage(db: LetterboxDb, messageId: string) {
  const message: StoredMessage | undefined = await db.messages.get(messageId);
  await db.forgotten.put({ id: messageId });
  await db.messages.delete(messageId);
  await db.receipts.where("key").startsWith(`${messageId}:`).delete();
  await db.outbox.where("inReplyTo").equals(messageId).delete();
  await db.replies.where("inReplyTo").equals(messageId).delete();
  for (const id of message?.photoIds ?? []) {
    if ((await db.messages.where("photoIds").equals(id).count()) === 0) await db.photos.delete(id);
  }
}

/** Pulls everything after the stored cursor and applies it, page by page. */
export async function pullAll(db: LetterboxDb, relay: Relay, now: Clock = Date.now): Promise<Applied> {
  const total: Applied = { applied: 0, newMessages: 0 };
  for (let i = 0; i < MAX_PAGES_PER_SYNC; i++) {
    const state: TabletState | undefined = await db.state.get("tablet");
    if (!state || state.revoked) return total;
    const page = await relay.pull(state.deviceToken, state.cursor);
    const applied = await applyPage(db, page, now, { deviceToken: state.deviceToken, after: state.cursor });
    total.applied += applied.applied;
    total.newMessages += applied.newMessages;
    if (applied.restarted) continue;
    // A page that does not move the cursor cannot be followed by a useful one.
    if (!page.hasMore || page.cursor <= state.cursor) break;
  }
  await db.state.update("tablet", { lastSyncedAt: iso(now()) });
  return total;
}

/**
 * One whole sync: pull the log, then send what waits (receipts, replies), then fetch photos. Only a
 * failed pull makes the sync fail (the tablet is offline); everything else retries on its own
 * schedule. A relay that no longer knows the tablet marks it revoked, and nothing more is tried.
 */
export async function syncNow(db: LetterboxDb, relay: Relay, options: SyncOptions = {}): Promise<Applied> {
  const now = options.now ?? Date.now;
  try {
    const applied = await pullAll(db, relay, now);
    await flushReceipts(db, relay);
    // The relay has just answered, so earlier failures were the network's: try every waiting reply now.
    await flushOutbox(db, relay, { now, force: true, random: options.random });
    await fetchPhotos(db, relay, { now, budgetBytes: options.photoBudgetBytes ?? DEFAULT_PHOTO_BUDGET_BYTES });
    if (options.readStatus) await reportStatus(db, relay, options.readStatus, now);
    return applied;
  } catch (err) {
    await whenTheRelayDisowns(db, err);
    throw err;
  }
}

/**
 * Staff wiped the tablet (the loan ended): everything of the resident's goes and the set-up screen
 * shows. A tablet the relay simply does not know (its data lost, say) keeps what it has but shows
 * nothing personal until staff set it up again.
 */
export async function whenTheRelayDisowns(db: LetterboxDb, err: unknown) {
  const problem = asRelayError(err);
  if (problem.status === 410 || problem.code === "device_wiped") await forgetEverything(db);
  else if (problem.unauthenticated) await db.state.update("tablet", { revoked: true });
}

/** Every table emptied in one transaction, and the remembered language with them. */
export async function forgetEverything(db: LetterboxDb) {
  await db.transaction("rw", db.tables, async () => {
    for (const table of db.tables) await table.clear();
  });
  writeLanguage(null);
}

/** Sends the tablet's health when it differs from what was last sent, or an hour has passed. */
export async function reportStatus(db: LetterboxDb, relay: Relay, readStatus: ReadStatus, now: Clock = Date.now) {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return false;
  let status: TabletStatusRequest;
  try {
    status = await readStatus();
  } catch {
    return false;
  }
  const same = JSON.stringify(status) === JSON.stringify(state.lastStatus);
  if (same && state.lastStatusAt !== undefined && now() - state.lastStatusAt < STATUS_EVERY_MS) return false;
  try {
    await relay.sendStatus(state.deviceToken, status);
  } catch (err) {
    const problem = asRelayError(err);
    if (problem.unauthenticated || problem.status === 410) throw problem;
    // Health is best effort: the next sync tries again.
    return false;
  }
  await db.state.update("tablet", { lastStatus: status, lastStatusAt: now() });
  return true;
}
