import type { ResidentRow } from "./stores/resident-store";

/** What a sync page says besides its entries: the resident (for its settings) and where the log stands. */
export type PullHead = { resident: ResidentRow; position: { logId: string; head: number } };

/** Taken before a read of the database, handed back with what it read (`PullHeads.fill`). */
export type HeadTicket = number;

/**
 * Each resident's log head and settings as the database last said, so that a tablet's poll when
 * nothing is new ("after" at or past the head) is answered without reading the database. A wrong
 * answer here would hide messages, so the rules are strict:
 *
 * - It is only ever filled from what a read of the database returned, and only when nothing that
 *   concerns the resident changed between the moment the read was ticketed (before it began) and
 *   the fill: `changed` after the ticket makes the fill a no-op. So a read that raced a write never
 *   leaves the older state behind.
 * - Every change to a resident's row (a log entry appended moves `last_seq`; staff settings,
 *   archive, erasure) or to the log's identity calls `changed`/`changedAll`, which forgets. Who
 *   calls it is the engine's job, arranged so that no write path can forget to: on SQLite, triggers
 *   on the relay's own connection call into the process, and a change of `PRAGMA data_version`
 *   (another connection wrote) forgets everything (sqlite-heads.ts); on PostgreSQL, triggers NOTIFY
 *   at commit and every instance's listening connection forgets (postgres-fan-out.ts), and this
 *   instance's own writes forget at once after their commit (log-store.ts, resident-store.ts), so
 *   its own next pull never waits for the notice.
 * - Until something vouches that it hears every change (`trust`), nothing is kept or answered: on
 *   PostgreSQL that is while the listening connection is LISTENing; when it is lost, everything is
 *   forgotten and nothing is trusted until it listens again.
 */
export class PullHeads {
  private readonly heads = new Map<string, PullHead>();
  /** A counter that moves on every change; tickets are its value when taken. */
  private clock = 0;
  private readonly changedAt = new Map<string, number>();
  private allChangedAt = 0;
  private trusted: boolean;
  /**
   * Asked before every answer and every ticket (SQLite: are the triggers in place, has another
   * connection written); false keeps and answers nothing. May call changedAll.
   */
  private readonly ready: () => boolean;

  constructor({ trusted, ready = () => true }: { trusted: boolean; ready?: () => boolean }) {
    this.trusted = trusted;
    this.ready = ready;
  }

  /** The head kept for the resident, if it is kept and may be trusted. */
  get(residentId: string): PullHead | undefined {
    if (!this.trusted || !this.ready()) return undefined;
    return this.heads.get(residentId);
  }

  /** Take before reading the database; hand to `fill` with what was read. */
  ticket(): HeadTicket {
    // A ticket taken while not ready can never fill: -1 is older than any change.
    if (!this.trusted || !this.ready()) return -1;
    return this.clock;
  }

  /** What a read ticketed `ticket` found; kept only if nothing changed for the resident since. */
  fill(residentId: string, ticket: HeadTicket, head: PullHead): void {
    if (!this.trusted || ticket < 0) return;
    if (this.allChangedAt > ticket || (this.changedAt.get(residentId) ?? 0) > ticket) return;
    this.heads.set(residentId, head);
  }

  /** Something that a pull returns changed for the resident (or may have: a lock, a rolled-back write). */
  changed(residentId: string): void {
    this.clock++;
    this.changedAt.set(residentId, this.clock);
    this.heads.delete(residentId);
  }

  /** Anything may have changed (another connection wrote, the log's identity changed). */
  changedAll(): void {
    this.clock++;
    this.allChangedAt = this.clock;
    this.heads.clear();
    // Every ticket older than allChangedAt is refused anyway; the per-resident marks can go.
    this.changedAt.clear();
  }

  /** From now on every change is heard: what is read after this may be kept. */
  trust(): void {
    this.changedAll();
    this.trusted = true;
  }

  /** Changes may go unheard (the listening connection is lost): keep and answer nothing. */
  distrust(): void {
    this.trusted = false;
    this.changedAll();
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** How many residents' heads are kept (for tests). */
  get size(): number {
    return this.heads.size;
  }
}
