import type { Photo, ReceiptState } from "@letterbox/shared";
import type { Kysely, Selectable, Transaction } from "kysely";
import { PullHeads } from "../pull-heads";
import type { Database } from "../schema";
import { BUSY, type SqliteHotPaths } from "../sqlite-hot";
import { lockResidentLog, lockResidentLogs } from "./locks";
import { type ResidentRow, toResident } from "./resident-store";

/** A message as the relay keeps it; `seq` is its place in the resident's log. */
export type MessageRow = {
  id: string;
  residentId: string;
  familyLinkId: string;
  senderName: string;
  senderRelationship: string | null;
  text: string;
  photos: Photo[];
  sentAt: string;
  seq: number;
  deletedAt: string | null;
  deliveredAt: string | null;
  seenAt: string | null;
};
export type ReplyRow = {
  id: string;
  residentId: string;
  inReplyTo: string;
  /** The family link the reply goes to: the sender of the message it answers. */
  familyLinkId: string;
  text: string;
  sentAt: string;
  seq: number;
};
export type LogEntryRow =
  | { seq: number; at: string; kind: "message"; message: MessageRow }
  | { seq: number; at: string; kind: "message_deleted"; messageId: string }
  | { seq: number; at: string; kind: "receipt"; messageId: string; state: ReceiptState }
  | { seq: number; at: string; kind: "reply"; reply: ReplyRow };
export type LogKind = LogEntryRow["kind"];
/** Every kind this relay reads; the type makes a new kind fail to compile until it is listed. */
const KNOWN_KINDS: Record<LogKind, true> = { message: true, message_deleted: true, receipt: true, reply: true };
const isKnownKind = (kind: string): kind is LogKind => Object.hasOwn(KNOWN_KINDS, kind);

export type NewMessage = Omit<MessageRow, "seq" | "deletedAt" | "deliveredAt" | "seenAt">;
export type NewReply = Omit<ReplyRow, "seq" | "familyLinkId">;
type AppendResult = { created: boolean; message: MessageRow };

/**
 * Each resident's log: messages, replies and receipts, numbered by a per-resident sequence that
 * tablets and family pages pull from. Every write that others must hear about appends an entry.
 */
export interface LogStore {
  /**
   * Appends a message and its log entry with the resident's next sequence number, durably. When
   * the id is already taken, nothing is written and the stored message is returned instead.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  /** Marks the sender's message deleted (text and photos dropped) and logs it; idempotent. */
  deleteMessage(
    id: string,
    familyLinkId: string,
    at: string,
  ): Promise<
    { result: "deleted"; residentId: string; seq: number; photoIds: string[] } | { result: "already_deleted" | "not_found" }
  >;
  /** Records the receipts that move a message forward (delivered, then seen) and logs each; returns those. */
  recordReceipts(
    residentId: string,
    receipts: { messageId: string; state: ReceiptState }[],
    at: string,
  ): Promise<{ seq: number; familyLinkId: string }[]>;
  /** Appends a reply to a message of the resident; `no_message` when there is no such message. */
  appendReply(reply: NewReply): Promise<{ created: boolean; reply: ReplyRow } | "no_message">;
  /**
   * The resident's log after `afterSeq`, at most `limit` entries; a message entry whose message was
   * deleted carries it with deletedAt set. An entry of a kind this relay does not know (written by
   * a newer version) ends the page before it, so a client never moves its cursor past it.
   */
  pull(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]>;
  /**
   * The same page with the resident (for the settings a sync page carries) and where the log
   * stands (as `position` says), all read at one moment, so the head is never below the page's
   * last seq; undefined when there is no such resident.
   */
  pullPage(
    residentId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ resident: ResidentRow; position: { logId: string; head: number }; entries: LogEntryRow[] } | undefined>;
  /** Every live message and reply of the resident, in log order; with `includeDeleted`, deleted messages too (no content). */
  conversation(residentId: string, includeDeleted?: boolean): Promise<{ messages: MessageRow[]; replies: ReplyRow[] }>;
  /**
   * Where the resident's log stands: which copy of the log this database holds (a restore changes
   * it) and the last seq handed out.
   */
  position(residentId: string): Promise<{ logId: string; head: number } | undefined>;
  /** Ids of the resident's live messages sent before `before` (for retention). */
  messagesSentBefore(residentId: string, before: string): Promise<{ id: string; familyLinkId: string }[]>;
}

type Db = Kysely<Database> | Transaction<Database>;
type PendingAppend = { message: NewMessage; resolve: (r: AppendResult) => void; reject: (e: unknown) => void };

/**
 * The most appends one transaction writes. Far more than the sends a relay has in hand at once;
 * a bound so that a burst after a stall does not become one huge transaction.
 */
const MAX_BATCH = 200;

export class KyselyLogStore implements LogStore {
  private pendingAppends: PendingAppend[] = [];
  /** Whether a batch of appends is being written; at most one is, per store. */
  private flushing = false;

  /**
   * `heads` answers an empty pull from memory; every write here makes it forget the resident once
   * committed, before its caller (and so any tablet told by a live hint) hears of it.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly heads: PullHeads = new PullHeads({ trusted: false }),
    /** SQLite's prepared sync page (sqlite-hot.ts), where the store is on SQLite. */
    private readonly hot?: Pick<SqliteHotPaths, "page">,
  ) {}

  /** Runs a write for `residentIds` and forgets their heads after it, committed or not. */
  private async writing<T>(residentIds: Iterable<string>, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      for (const id of residentIds) this.heads.changed(id);
    }
  }

  /**
   * Group commit: at most one batch of appends is written at a time, and the appends that arrive
   * meanwhile wait and are written together in the next transaction. Each caller is answered only
   * after the commit that holds its message. One commit then covers many messages instead of one,
   * without weakening durability; on PostgreSQL it also keeps the pool's connections from queueing
   * one behind another on the resident's lock, each with a commit of its own.
   */
  appendMessage(m: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pendingAppends.push({ message: m, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      // Wait for this turn of the event loop, so the requests read with this one join its batch.
      setImmediate(() => void this.drainAppends());
    });
  }

  private async drainAppends() {
    try {
      while (this.pendingAppends.length > 0) {
        await this.flushAppends(this.pendingAppends.splice(0, MAX_BATCH));
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes one batch and answers each of its callers; never throws. */
  private async flushAppends(batch: PendingAppend[]) {
    let results: AppendResult[];
    const residents = new Set(batch.map((p) => p.message.residentId));
    try {
      results = await this.writing(residents, () =>
        this.db.transaction().execute((tx) =>
          appendMessagesIn(
            tx,
            batch.map((p) => p.message),
          ),
        ),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      // One bad append must not fail its neighbours: each is tried again on its own. (When the
      // database itself failed, each fails again and its caller hears so.)
      for (const p of batch) {
        await this.writing([p.message.residentId], () =>
          this.db.transaction().execute((tx) => appendMessagesIn(tx, [p.message])),
        ).then(([result]) => p.resolve(result as AppendResult), p.reject);
      }
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as AppendResult);
  }

  async deleteMessage(id: string, familyLinkId: string, at: string) {
    let residentId: string | undefined;
    try {
      return await this.deleteMessageIn(id, familyLinkId, at, (r) => {
        residentId = r;
      });
    } finally {
      if (residentId !== undefined) this.heads.changed(residentId);
    }
  }

  private deleteMessageIn(id: string, familyLinkId: string, at: string, locked: (residentId: string) => void) {
    return this.db.transaction().execute(async (tx) => {
      const find = () =>
        tx
          .selectFrom("messages")
          .select(["resident_id", "deleted_at"])
          .where("id", "=", id)
          .where("family_link_id", "=", familyLinkId)
          .executeTakeFirst();
      // The resident (which never changes) names the lock; what was deleted is read under it.
      const found = await find();
      if (!found) return { result: "not_found" as const };
      locked(found.resident_id);
      await lockResidentLog(tx, found.resident_id);
      const message = await find();
      if (!message) return { result: "not_found" as const };
      if (message.deleted_at) return { result: "already_deleted" as const };
      const seq = await appendLogEntry(tx, message.resident_id, { kind: "message_deleted", at, messageId: id });
      // The text and photos go at once; the row stays so the log and replies still make sense.
      await tx.updateTable("messages").set({ deleted_at: at, text: "" }).where("id", "=", id).execute();
      const photos = await tx.deleteFrom("message_photos").where("message_id", "=", id).returning("photo_id").execute();
      if (photos.length > 0) {
        await tx
          .deleteFrom("photo_uploads")
          .where("family_link_id", "=", familyLinkId)
          .where(
            "photo_id",
            "in",
            photos.map((p) => p.photo_id),
          )
          .execute();
      }
      return { result: "deleted" as const, residentId: message.resident_id, seq, photoIds: photos.map((p) => p.photo_id) };
    });
  }

  async recordReceipts(residentId: string, receipts: { messageId: string; state: ReceiptState }[], at: string) {
    return this.writing([residentId], () => this.recordReceiptsIn(residentId, receipts, at));
  }

  private recordReceiptsIn(residentId: string, receipts: { messageId: string; state: ReceiptState }[], at: string) {
    return this.db.transaction().execute(async (tx) => {
      // Read under the lock, so the same receipt from another instance is seen as recorded.
      await lockResidentLog(tx, residentId);
      const recorded: { seq: number; familyLinkId: string }[] = [];
      for (const { messageId, state } of receipts) {
        const message = await tx
          .selectFrom("messages")
          .select(["delivered_at", "seen_at", "family_link_id"])
          .where("id", "=", messageId)
          .where("resident_id", "=", residentId)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        // A receipt for a message the relay no longer has (deleted meanwhile) is simply dropped.
        if (!message) continue;
        if (state === "delivered" ? message.delivered_at : message.seen_at) continue;
        const seq = await appendLogEntry(tx, residentId, { kind: "receipt", at, messageId, state });
        await tx
          .updateTable("messages")
          .set(state === "seen" ? { seen_at: at, delivered_at: message.delivered_at ?? at } : { delivered_at: at })
          .where("id", "=", messageId)
          .execute();
        recorded.push({ seq, familyLinkId: message.family_link_id });
      }
      return recorded;
    });
  }

  async appendReply(r: NewReply) {
    return this.writing([r.residentId], () => this.appendReplyIn(r));
  }

  private appendReplyIn(r: NewReply) {
    return this.db.transaction().execute(async (tx) => {
      // A retry of the same reply on another instance waits here, then finds it stored.
      await lockResidentLog(tx, r.residentId);
      const existing = await tx.selectFrom("replies").selectAll().where("id", "=", r.id).executeTakeFirst();
      if (existing) return { created: false, reply: toReply(existing) };
      const message = await tx
        .selectFrom("messages")
        .select("family_link_id")
        .where("id", "=", r.inReplyTo)
        .where("resident_id", "=", r.residentId)
        .executeTakeFirst();
      if (!message) return "no_message" as const;
      const seq = await appendLogEntry(tx, r.residentId, { kind: "reply", at: r.sentAt, replyId: r.id });
      const row = {
        id: r.id,
        resident_id: r.residentId,
        in_reply_to: r.inReplyTo,
        family_link_id: message.family_link_id,
        text: r.text,
        sent_at: r.sentAt,
        seq,
      };
      await tx.insertInto("replies").values(row).execute();
      return { created: true, reply: toReply(row) };
    });
  }

  async pull(residentId: string, afterSeq: number, limit: number): Promise<LogEntryRow[]> {
    return (await this.pullPage(residentId, afterSeq, limit))?.entries ?? [];
  }

  async pullPage(residentId: string, afterSeq: number, limit: number) {
    // Nothing new: answered from memory, when the head kept for the resident may be trusted.
    const kept = this.heads.get(residentId);
    if (kept && afterSeq >= kept.position.head) return { ...kept, entries: [] };
    const ticket = this.heads.ticket();
    const fast = this.hot ? this.hot.page(residentId, afterSeq, limit) : BUSY;
    const page = fast === BUSY ? await this.readPage(residentId, afterSeq, limit) : fast;
    if (page) this.heads.fill(residentId, ticket, { resident: page.resident, position: page.position });
    return page;
  }

  private async readPage(residentId: string, afterSeq: number, limit: number) {
    // The resident, the log's position and the entries in one statement: one round trip for the
    // poll a tablet makes when nothing is new, and one snapshot, so the head is never below the
    // page. One row per entry, or one with no entry when the page is empty.
    const rows = await this.db
      .selectFrom("residents")
      .innerJoin("log_identity", (join) => join.on("log_identity.id", "=", 1))
      .leftJoin(
        this.db
          .selectFrom("log_entries")
          .selectAll()
          .where("resident_id", "=", residentId)
          .where("seq", ">", afterSeq)
          .orderBy("seq")
          .limit(limit)
          .as("page"),
        (join) => join.onTrue(),
      )
      .selectAll("residents")
      .select([
        "log_identity.log_id",
        "page.seq",
        "page.kind",
        "page.at",
        "page.message_id",
        "page.reply_id",
        "page.receipt_state",
      ])
      .where("residents.id", "=", residentId)
      .execute();
    const [first] = rows;
    if (!first) return undefined;
    const entries: Selectable<Database["log_entries"]>[] = [];
    for (const r of rows) {
      if (r.seq === null || r.kind === null || r.at === null) continue;
      entries.push({ ...r, resident_id: residentId, seq: r.seq, kind: r.kind, at: r.at });
    }
    // A join's rows come in no promised order.
    entries.sort((x, y) => x.seq - y.seq);
    return {
      resident: toResident(first),
      position: { logId: first.log_id, head: first.last_seq },
      entries: await this.readEntries(entries),
    };
  }

  /** The page's entries with what they point at, up to the first of a kind this relay does not know. */
  private async readEntries(entries: Selectable<Database["log_entries"]>[]): Promise<LogEntryRow[]> {
    if (entries.length === 0) return [];
    const messageIds = entries.filter((e) => e.kind === "message" && e.message_id).map((e) => e.message_id as string);
    const replyIds = entries.filter((e) => e.kind === "reply" && e.reply_id).map((e) => e.reply_id as string);
    const messages =
      messageIds.length === 0
        ? []
        : await messagesWithPhotos(
            this.db,
            await this.db.selectFrom("messages").selectAll().where("id", "in", messageIds).execute(),
          );
    const replies =
      replyIds.length === 0
        ? []
        : (await this.db.selectFrom("replies").selectAll().where("id", "in", replyIds).execute()).map(toReply);
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const replyById = new Map(replies.map((r) => [r.id, r]));
    const page: LogEntryRow[] = [];
    for (const e of entries) {
      // An entry of a kind this relay does not know (a newer version wrote it, mid-upgrade) ends
      // the page: skipping it would move the reader's cursor past it for good.
      if (!isKnownKind(e.kind)) break;
      const entry = readEntry(e, messageById, replyById);
      if (entry) page.push(entry);
    }
    return page;
  }

  async conversation(residentId: string, includeDeleted = false) {
    let query = this.db.selectFrom("messages").selectAll().where("resident_id", "=", residentId);
    if (!includeDeleted) query = query.where("deleted_at", "is", null);
    const messageRows = await query.orderBy("seq").execute();
    const replies = await this.db
      .selectFrom("replies")
      .selectAll()
      .where("resident_id", "=", residentId)
      .orderBy("seq")
      .execute();
    // The photos by the resident, not by a list of the messages' ids: a conversation of years holds
    // more messages than a statement takes variables (32,766 on SQLite).
    const photos = await photosOfResident(this.db, residentId);
    return { messages: messageRows.map((r) => toMessage(r, photos.get(r.id))), replies: replies.map(toReply) };
  }

  async position(residentId: string) {
    const row = await this.db
      .selectFrom("residents")
      .select((eb) => ["last_seq", eb.selectFrom("log_identity").select("log_id").where("id", "=", 1).as("log_id")])
      .where("id", "=", residentId)
      .executeTakeFirst();
    if (!row?.log_id) return undefined;
    return { logId: row.log_id, head: row.last_seq };
  }

  async messagesSentBefore(residentId: string, before: string) {
    const rows = await this.db
      .selectFrom("messages")
      .select(["id", "family_link_id"])
      .where("resident_id", "=", residentId)
      .where("deleted_at", "is", null)
      .where("sent_at", "<", before)
      .execute();
    return rows.map((r) => ({ id: r.id, familyLinkId: r.family_link_id }));
  }
}

/** What a log entry points at, by kind; the columns a kind does not use stay null. */
type NewLogEntry =
  | { kind: "message"; at: string; messageId: string }
  | { kind: "message_deleted"; at: string; messageId: string }
  | { kind: "receipt"; at: string; messageId: string; state: ReceiptState }
  | { kind: "reply"; at: string; replyId: string };

/**
 * Takes the resident's next sequence numbers and appends the log entries under them, in order,
 * inside the caller's transaction, which holds the resident's lock; returns the numbers. The one
 * place log entries are written.
 */
async function appendLogEntries(tx: Transaction<Database>, residentId: string, entries: NewLogEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const { last_seq: last } = await tx
    .updateTable("residents")
    .set((eb) => ({ last_seq: eb("last_seq", "+", entries.length) }))
    .where("id", "=", residentId)
    .returning("last_seq")
    .executeTakeFirstOrThrow();
  const first = last - entries.length + 1;
  await tx
    .insertInto("log_entries")
    .values(
      entries.map((entry, i) => ({
        resident_id: residentId,
        seq: first + i,
        kind: entry.kind,
        at: entry.at,
        message_id: "messageId" in entry ? entry.messageId : null,
        reply_id: "replyId" in entry ? entry.replyId : null,
        receipt_state: "state" in entry ? entry.state : null,
      })),
    )
    .execute();
  return entries.map((_, i) => first + i);
}

async function appendLogEntry(tx: Transaction<Database>, residentId: string, entry: NewLogEntry): Promise<number> {
  const [seq] = await appendLogEntries(tx, residentId, [entry]);
  return seq as number;
}

/** A stored entry of a known kind as the log's reader gets it; undefined when what it points at is gone. */
function readEntry(
  e: Selectable<Database["log_entries"]>,
  messageById: Map<string, MessageRow>,
  replyById: Map<string, ReplyRow>,
): LogEntryRow | undefined {
  const base = { seq: e.seq, at: e.at };
  const kind = e.kind as LogKind;
  switch (kind) {
    case "message": {
      const message = messageById.get(e.message_id ?? "");
      return message && { ...base, kind, message };
    }
    case "reply": {
      const reply = replyById.get(e.reply_id ?? "");
      return reply && { ...base, kind, reply };
    }
    case "message_deleted":
      return { ...base, kind, messageId: e.message_id ?? "" };
    case "receipt":
      return { ...base, kind, messageId: e.message_id ?? "", state: e.receipt_state as ReceiptState };
    default:
      kind satisfies never;
      return undefined;
  }
}

/**
 * Stores messages and their log entries, each with its resident's next sequence number, in a few
 * statements whatever their number (each statement is a round trip to PostgreSQL). A message
 * whose id is taken, by an earlier one or one before it in the same batch, is not written again:
 * its result is the stored message, with created: false.
 */
async function appendMessagesIn(tx: Transaction<Database>, batch: NewMessage[]): Promise<AppendResult[]> {
  // Every resident's log this batch writes to, locked up front in one order (see locks.ts). A retry
  // of the same message on another instance waits here, then finds it stored.
  await lockResidentLogs(
    tx,
    batch.map((m) => m.residentId),
  );
  const ids = [...new Set(batch.map((m) => m.id))];
  const existing = await tx.selectFrom("messages").selectAll().where("id", "in", ids).execute();
  const stored = new Map((await messagesWithPhotos(tx, existing)).map((m) => [m.id, m]));
  const fresh: NewMessage[] = [];
  const taken = new Set(stored.keys());
  for (const m of batch) {
    if (taken.has(m.id)) continue;
    taken.add(m.id);
    fresh.push(m);
  }
  const byResident = new Map<string, NewMessage[]>();
  for (const m of fresh) {
    const messages = byResident.get(m.residentId);
    if (messages) messages.push(m);
    else byResident.set(m.residentId, [m]);
  }
  const rows: Selectable<Database["messages"]>[] = [];
  for (const [residentId, messages] of byResident) {
    const seqs = await appendLogEntries(
      tx,
      residentId,
      messages.map((m) => ({ kind: "message", at: m.sentAt, messageId: m.id })),
    );
    for (const [i, m] of messages.entries()) {
      rows.push({
        id: m.id,
        resident_id: m.residentId,
        family_link_id: m.familyLinkId,
        sender_name: m.senderName,
        sender_relationship: m.senderRelationship,
        text: m.text,
        sent_at: m.sentAt,
        seq: seqs[i] as number,
        deleted_at: null,
        delivered_at: null,
        seen_at: null,
      });
    }
  }
  if (rows.length > 0) await tx.insertInto("messages").values(rows).execute();
  const photos = fresh.flatMap((m) =>
    m.photos.map((p, position) => ({
      message_id: m.id,
      position,
      photo_id: p.id,
      width: p.width,
      height: p.height,
      caption: p.caption,
    })),
  );
  if (photos.length > 0) await tx.insertInto("message_photos").values(photos).execute();
  const photosOf = new Map(fresh.map((m) => [m.id, m.photos]));
  const written = new Map(rows.map((r) => [r.id, toMessage(r, photosOf.get(r.id))]));
  // Only the first append of an id wrote it; a repeat in the same batch is answered as a retry.
  const answered = new Set<string>();
  return batch.map((m) => {
    const message = written.get(m.id);
    if (message && !answered.has(m.id)) {
      answered.add(m.id);
      return { created: true, message };
    }
    return { created: false, message: (stored.get(m.id) ?? message) as MessageRow };
  });
}

const toMessage = (r: Selectable<Database["messages"]>, photos: Photo[] = []): MessageRow => ({
  id: r.id,
  residentId: r.resident_id,
  familyLinkId: r.family_link_id,
  senderName: r.sender_name,
  senderRelationship: r.sender_relationship,
  text: r.text,
  photos,
  sentAt: r.sent_at,
  seq: r.seq,
  deletedAt: r.deleted_at,
  deliveredAt: r.delivered_at,
  seenAt: r.seen_at,
});

const toReply = (r: Selectable<Database["replies"]>): ReplyRow => ({
  id: r.id,
  residentId: r.resident_id,
  inReplyTo: r.in_reply_to,
  familyLinkId: r.family_link_id,
  text: r.text,
  sentAt: r.sent_at,
  seq: r.seq,
});

/** The photos of each message, in order, in one query. */
async function photosOf(db: Db, messageIds: string[]): Promise<Map<string, Photo[]>> {
  if (messageIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("message_photos")
    .selectAll()
    .where("message_id", "in", messageIds)
    .orderBy("message_id")
    .orderBy("position")
    .execute();
  return photosByMessage(rows);
}

/** The photos of every message of a resident, in order, in one query. */
async function photosOfResident(db: Db, residentId: string): Promise<Map<string, Photo[]>> {
  const rows = await db
    .selectFrom("message_photos")
    .innerJoin("messages", "messages.id", "message_photos.message_id")
    .selectAll("message_photos")
    .where("messages.resident_id", "=", residentId)
    .orderBy("message_photos.message_id")
    .orderBy("message_photos.position")
    .execute();
  return photosByMessage(rows);
}

function photosByMessage(rows: Selectable<Database["message_photos"]>[]): Map<string, Photo[]> {
  const byMessage = new Map<string, Photo[]>();
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push({ id: r.photo_id, width: r.width, height: r.height, caption: r.caption });
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

async function messagesWithPhotos(db: Db, rows: Selectable<Database["messages"]>[]): Promise<MessageRow[]> {
  const photos = await photosOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toMessage(r, photos.get(r.id)));
}
