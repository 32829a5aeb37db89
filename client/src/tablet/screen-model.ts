import type { LetterboxDb, OutboxReply, StoredMessage, StoredPhoto, StoredReply } from "../db/db";

/**
 * What the message screen shows, read with index lookups only, so it costs the same with ten
 * messages or ten thousand: the message itself, its neighbours in the log, where it stands, how
 * many are unread, its photos and what the resident has replied to it.
 */
export type ScreenModel = {
  message: StoredMessage | null;
  earlierId: string | null;
  laterId: string | null;
  position: number;
  total: number;
  unread: number;
  oldestUnreadId: string | null;
  newestUnreadSeq: number;
  photos: (StoredPhoto | undefined)[];
  replies: (StoredReply | OutboxReply)[];
};

/**
 * The message to start on: the oldest unread one, or the newest when all have been seen. `wanted`
 * is the one the resident moved to; if it has gone (taken back by the sender), start again.
 */
export async function readScreen(db: LetterboxDb, wanted: string | null): Promise<ScreenModel> {
  // One read transaction, and the independent lookups side by side: at start-up every round trip
  // to IndexedDB is time before the first message shows.
  return db.transaction("r", [db.messages, db.photos, db.replies, db.outbox], async () => {
    const [oldestUnread, newestUnread, unread, asked] = await Promise.all([
      db.messages.orderBy("unreadSeq").first(),
      db.messages.orderBy("unreadSeq").last(),
      db.messages.where("unreadSeq").above(0).count(),
      wanted ? db.messages.get(wanted) : undefined,
    ]);
    const message = asked ?? oldestUnread ?? (await db.messages.orderBy("seq").last()) ?? null;
    const base = { oldestUnreadId: oldestUnread?.id ?? null, newestUnreadSeq: newestUnread?.seq ?? 0, unread };
    if (!message)
      return { ...base, message: null, earlierId: null, laterId: null, position: 0, total: 0, photos: [], replies: [] };
    const [earlier, later, total, position, photos, replies, waiting] = await Promise.all([
      db.messages.where("seq").below(message.seq).last(),
      db.messages.where("seq").above(message.seq).first(),
      db.messages.count(),
      db.messages.where("seq").belowOrEqual(message.seq).count(),
      db.photos.bulkGet(message.photoIds),
      db.replies.where("inReplyTo").equals(message.id).toArray(),
      db.outbox.where("inReplyTo").equals(message.id).toArray(),
    ]);
    const sent = new Set(replies.map((r) => r.id));
    return {
      ...base,
      message,
      earlierId: earlier?.id ?? null,
      laterId: later?.id ?? null,
      position,
      total,
      photos,
      replies: [...replies, ...waiting.filter((r) => !sent.has(r.id) && !r.failed)],
    };
  });
}
