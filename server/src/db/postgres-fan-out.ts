import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { z } from "zod";
import type { LogEvent, LogEvents } from "../events";
import type { Logger } from "../log";
import type { PullHeads } from "./pull-heads";
import type { Database } from "./schema";

/** The channel every instance of one relay's database speaks on. */
const CHANNEL = "letterbox_log";
/**
 * Where the database itself tells of every change to a resident's row or the log's identity, at
 * commit (migration 0014's triggers): the resident's id, or `*` for anything.
 */
const HEADS_CHANNEL = "letterbox_heads";
const KINDS = ["message", "message_deleted", "receipt", "reply", "settings"] as const satisfies readonly LogEvent["kind"][];

/** What travels between instances: a hint, never content beyond the sender's name for push words. */
const noticeSchema = z.object({
  from: z.string(),
  event: z.object({
    residentId: z.string(),
    seq: z.number().int().nonnegative(),
    kind: z.enum(KINDS),
    senderName: z.string().optional(),
    familyLinkId: z.string().optional(),
  }),
});

type Deps = {
  /** The database's address, for the one connection that listens (a pooled one cannot). */
  url: string;
  /** The relay's pool, which sends this instance's notices. */
  db: Kysely<Database>;
  events: LogEvents;
  log: Logger;
  /** The first wait before listening again after the connection is lost; it doubles up to 30 s. */
  retryMs?: number;
  /**
   * This instance's pull heads (db/pull-heads.ts), trusted only while this connection listens:
   * from the moment it is lost until it listens again nothing is answered from them.
   */
  heads?: PullHeads;
};

const MAX_RETRY_MS = 30_000;

/**
 * Live hints across relay instances on one PostgreSQL database (LISTEN/NOTIFY): what one instance
 * writes, a tablet or family page connected to another hears at once. Each instance tells the
 * others of its own events, and hands theirs to its LogEvents as `receive`d, so live connections
 * hear them and push (which listens to its own only) is sent once, by the writer.
 *
 * A hint is only a hint: a notice lost while the listening connection is down (it comes back by
 * itself, waiting longer after each failure) costs a client at most one poll interval, never a
 * message, because clients pull the log by cursor.
 *
 * The same connection hears the database's own notices of changed heads, which keep every
 * instance's pull heads right. Those must not be missed, so the heads are distrusted (and
 * forgotten) the moment the connection is lost, and trusted afresh only once it listens again.
 */
export class PostgresFanOut {
  /** Tells this instance's notices from the others'. */
  readonly instanceId = randomUUID();
  /** How many times a connection has started listening (for tests and logs). */
  listenedTimes = 0;
  private client: pg.Client | undefined;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private off: (() => void) | undefined;

  constructor(private readonly deps: Deps) {}

  /** Starts telling and listening; resolves once listening (or once the first try has failed and a retry is due). */
  async start(): Promise<void> {
    this.off = this.deps.events.on((event) => void this.tell(event), { ownOnly: true });
    await this.listen();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.heads?.distrust();
    this.off?.();
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async tell(event: LogEvent) {
    const notice = JSON.stringify({ from: this.instanceId, event });
    try {
      await sql`SELECT pg_notify(${CHANNEL}, ${notice})`.execute(this.deps.db);
    } catch (err) {
      // The others learn of it at their clients' next poll.
      this.deps.log("fan_out.tell_failed", { error: errorText(err) });
    }
  }

  private async listen() {
    // Keep-alive probes find a connection whose far end vanished without a word, so the heads are
    // not trusted on a connection that hears nothing.
    const client = new pg.Client({ connectionString: this.deps.url, application_name: "letterbox-listen", keepAlive: true });
    let gone = false;
    const lost = (err?: unknown) => {
      if (gone) return;
      gone = true;
      this.deps.heads?.distrust();
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.again(err);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => {
      if (message.channel === HEADS_CHANNEL) this.headChanged(message.payload);
      else this.heard(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}; LISTEN ${HEADS_CHANNEL}`);
    } catch (err) {
      lost(err);
      return;
    }
    if (gone || this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    // Every commit from here on is told to this connection; whatever was read before is forgotten.
    this.deps.heads?.trust();
    this.listenedTimes++;
    this.deps.log("fan_out.listening", { times: this.listenedTimes });
  }

  private again(err: unknown) {
    if (this.stopped) return;
    const waitMs = Math.min(MAX_RETRY_MS, (this.deps.retryMs ?? 500) * 2 ** this.failures++);
    this.deps.log("fan_out.lost", { error: err === undefined ? "connection ended" : errorText(err), retryInMs: waitMs });
    this.retry = setTimeout(() => void this.listen(), waitMs);
    this.retry.unref();
  }

  private headChanged(payload: string | undefined) {
    if (!this.deps.heads) return;
    if (payload === undefined || payload === "*") this.deps.heads.changedAll();
    else this.deps.heads.changed(payload);
  }

  private heard(payload: string | undefined) {
    let notice: z.infer<typeof noticeSchema>;
    try {
      notice = noticeSchema.parse(JSON.parse(payload ?? ""));
    } catch {
      this.deps.log("fan_out.unreadable", {});
      return;
    }
    if (notice.from === this.instanceId) return;
    const { senderName, familyLinkId, ...event } = notice.event;
    this.deps.events.receive({
      ...event,
      ...(senderName !== undefined && { senderName }),
      ...(familyLinkId !== undefined && { familyLinkId }),
    });
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
