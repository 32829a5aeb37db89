import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { z } from "zod";
import type { LogEvent, LogEvents } from "../events";
import type { Logger } from "../log";
import type { Database } from "./schema";

/** The channel every instance of one relay's database speaks on. */
const CHANNEL = "letterbox_log";
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
    const client = new pg.Client({ connectionString: this.deps.url, application_name: "letterbox-listen" });
    let gone = false;
    const lost = (err?: unknown) => {
      if (gone) return;
      gone = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.again(err);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => this.heard(message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
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
