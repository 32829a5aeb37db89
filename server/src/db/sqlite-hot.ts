import type { Photo, ReceiptState } from "@letterbox/shared";
import type SQLite from "better-sqlite3";
import type { PullHead } from "./pull-heads";
import type { Database } from "./schema";
import type { DeviceRow } from "./stores/device-store";
import type { LogEntryRow, LogKind, MessageRow, ReplyRow } from "./stores/log-store";
import { toResident } from "./stores/resident-store";

/** The connection is inside a transaction that Kysely opened: use the Kysely path, which waits its turn. */
export const BUSY = "busy" as const;

/** A log entry's own columns, then its message's (`m_`) and reply's (`r_`), from one joined statement. */
type EntryRow = Omit<Database["log_entries"], "resident_id"> & {
  m_id: string | null;
  m_family_link_id: string;
  m_sender_name: string;
  m_sender_relationship: string | null;
  m_text: string;
  m_sent_at: string;
  m_seq: number;
  m_deleted_at: string | null;
  m_delivered_at: string | null;
  m_seen_at: string | null;
  m_photos: string;
  r_id: string | null;
  r_in_reply_to: string;
  r_family_link_id: string;
  r_text: string;
  r_sent_at: string;
  r_seq: number;
};

const KNOWN: Record<LogKind, true> = { message: true, message_deleted: true, receipt: true, reply: true };

/**
 * The tablet's hot paths on SQLite as statements prepared once and run on the relay's own
 * connection, without Kysely's building and compiling (about as long as the statement itself):
 * the device a token names, and a sync page read in one transaction, its entries with their
 * messages, photos and replies in one statement. They give exactly what the Kysely paths give
 * (stores/device-store.ts, stores/log-store.ts), which the tests hold them to.
 *
 * They run only while no transaction is open on the connection: Kysely runs a transaction across
 * several turns of the event loop, and a statement run meanwhile on the same connection would
 * see its uncommitted writes. Then they answer BUSY and the caller takes the Kysely path, which
 * waits for the transaction to end. Each call here runs to its end in one turn (better-sqlite3 is
 * synchronous), so nothing interleaves with it.
 */
export class SqliteHotPaths {
  private prepared: Prepared | undefined;

  constructor(private readonly file: SQLite.Database) {}

  /** Prepared at first use, when the tables are there (a store may be made before migrating). */
  private get statements(): Prepared {
    this.prepared ??= new Prepared(this.file);
    return this.prepared;
  }

  /** The device whose token hashes to `tokenHash`, as KyselyDeviceStore.findByTokenHash gives it. */
  device(tokenHash: string): DeviceRow | undefined | typeof BUSY {
    if (this.file.inTransaction) return BUSY;
    const r = this.statements.deviceByToken.get(tokenHash) as
      | { id: string; resident_id: string; paired_at: string; last_seen_at: string | null; revoked_at: string | null }
      | undefined;
    return (
      r && { id: r.id, residentId: r.resident_id, pairedAt: r.paired_at, lastSeenAt: r.last_seen_at, revokedAt: r.revoked_at }
    );
  }

  /** A sync page as KyselyLogStore.pullPage reads it from the database. */
  page(residentId: string, afterSeq: number, limit: number): (PullHead & { entries: LogEntryRow[] }) | undefined | typeof BUSY {
    if (this.file.inTransaction) return BUSY;
    const read = this.statements.readPage(residentId, afterSeq, limit);
    if (!read) return undefined;
    const { resident, rows } = read;
    const entries: LogEntryRow[] = [];
    for (const e of rows) {
      // An entry of a kind this relay does not know ends the page (see LogStore.pull).
      if (!Object.hasOwn(KNOWN, e.kind)) break;
      const entry = toEntry(residentId, e);
      if (entry) entries.push(entry);
    }
    return {
      resident: toResident(resident as unknown as Parameters<typeof toResident>[0]),
      position: { logId: resident.log_id as string, head: resident.last_seq as number },
      entries,
    };
  }
}

class Prepared {
  readonly deviceByToken: SQLite.Statement;
  readonly resident: SQLite.Statement;
  readonly entries: SQLite.Statement;
  readonly readPage: (residentId: string, afterSeq: number, limit: number) => PageRead | undefined;

  constructor(file: SQLite.Database) {
    this.deviceByToken = file.prepare(
      "SELECT id, resident_id, paired_at, last_seen_at, revoked_at FROM devices WHERE token_hash = ?",
    );
    this.resident = file.prepare(
      "SELECT r.*, (SELECT log_id FROM log_identity WHERE id = 1) AS log_id FROM residents r WHERE r.id = ?",
    );
    this.entries = file.prepare(`
      SELECT e.seq, e.kind, e.at, e.message_id, e.reply_id, e.receipt_state,
        m.id AS m_id, m.family_link_id AS m_family_link_id, m.sender_name AS m_sender_name,
        m.sender_relationship AS m_sender_relationship, m.text AS m_text, m.sent_at AS m_sent_at, m.seq AS m_seq,
        m.deleted_at AS m_deleted_at, m.delivered_at AS m_delivered_at, m.seen_at AS m_seen_at,
        CASE WHEN m.id IS NULL THEN '[]' ELSE (
          SELECT json_group_array(json_object('id', p.photo_id, 'width', p.width, 'height', p.height, 'caption', p.caption))
          FROM (SELECT * FROM message_photos WHERE message_id = m.id ORDER BY position) p
        ) END AS m_photos,
        r.id AS r_id, r.in_reply_to AS r_in_reply_to, r.family_link_id AS r_family_link_id, r.text AS r_text,
        r.sent_at AS r_sent_at, r.seq AS r_seq
      FROM log_entries e
      LEFT JOIN messages m ON e.kind = 'message' AND m.id = e.message_id
      LEFT JOIN replies r ON e.kind = 'reply' AND r.id = e.reply_id
      WHERE e.resident_id = ? AND e.seq > ?
      ORDER BY e.seq
      LIMIT ?`);
    // One read transaction: the resident, the head and the entries from one snapshot.
    this.readPage = file.transaction((residentId: string, afterSeq: number, limit: number) => {
      const resident = this.resident.get(residentId) as (Record<string, unknown> & { log_id: string | null }) | undefined;
      if (!resident?.log_id) return undefined;
      return { resident, rows: this.entries.all(residentId, afterSeq, limit) as EntryRow[] };
    });
  }
}

type PageRead = { resident: Record<string, unknown> & { log_id: string | null }; rows: EntryRow[] };

function toEntry(residentId: string, e: EntryRow): LogEntryRow | undefined {
  switch (e.kind as LogKind) {
    case "message": {
      if (e.m_id === null) return undefined;
      const message: MessageRow = {
        id: e.m_id,
        residentId,
        familyLinkId: e.m_family_link_id,
        senderName: e.m_sender_name,
        senderRelationship: e.m_sender_relationship,
        text: e.m_text,
        photos: e.m_photos === "[]" ? [] : (JSON.parse(e.m_photos) as Photo[]),
        sentAt: e.m_sent_at,
        seq: e.m_seq,
        deletedAt: e.m_deleted_at,
        deliveredAt: e.m_delivered_at,
        seenAt: e.m_seen_at,
      };
      return { seq: e.seq, at: e.at, kind: "message", message };
    }
    case "reply": {
      if (e.r_id === null) return undefined;
      const reply: ReplyRow = {
        id: e.r_id,
        residentId,
        inReplyTo: e.r_in_reply_to,
        familyLinkId: e.r_family_link_id,
        text: e.r_text,
        sentAt: e.r_sent_at,
        seq: e.r_seq,
      };
      return { seq: e.seq, at: e.at, kind: "reply", reply };
    }
    case "message_deleted":
      return { seq: e.seq, at: e.at, kind: "message_deleted", messageId: e.message_id ?? "" };
    case "receipt":
      return { seq: e.seq, at: e.at, kind: "receipt", messageId: e.message_id ?? "", state: e.receipt_state as ReceiptState };
  }
}
