import { sql } from "kysely";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { type LogEvent, LogEvents } from "../events";
import { silentLogger } from "../log";
import { freshPostgres } from "../test-databases";
import { openPostgres } from "./postgres";
import { PostgresFanOut } from "./postgres-fan-out";

/** One relay instance's share in the fan-out: its own pool, events and listening connection. */
async function instance(url: string) {
  const db = openPostgres(url, { poolSize: 2, log: silentLogger });
  const events = new LogEvents();
  const fanOut = new PostgresFanOut({ url, db, events, log: silentLogger, retryMs: 50 });
  const live: LogEvent[] = [];
  const ownOnly: LogEvent[] = [];
  events.on((e) => live.push(e));
  events.on((e) => ownOnly.push(e), { ownOnly: true });
  await fanOut.start();
  onTestFinished(async () => {
    await fanOut.stop();
    await db.destroy();
  });
  return { db, events, fanOut, live, ownOnly };
}

async function database() {
  const database = await freshPostgres();
  onTestFinished(() => database.drop());
  return database.url;
}

const message = (seq: number): LogEvent => ({ residentId: "r1", seq, kind: "message", senderName: "Sarah", familyLinkId: "f1" });

describe("the fan-out between relay instances on PostgreSQL", () => {
  it("gives another instance's live listeners what one instance writes, and its push none of it", async () => {
    const url = await database();
    const a = await instance(url);
    const b = await instance(url);

    a.events.emit(message(1));
    b.events.emit({ residentId: "r1", seq: 2, kind: "receipt", familyLinkId: "f1" });

    await vi.waitFor(() =>
      expect(b.live).toEqual([{ residentId: "r1", seq: 2, kind: "receipt", familyLinkId: "f1" }, message(1)]),
    );
    await vi.waitFor(() =>
      expect(a.live).toEqual([message(1), { residentId: "r1", seq: 2, kind: "receipt", familyLinkId: "f1" }]),
    );
    // Push hears only what its own instance wrote, so each entry is pushed once.
    expect(a.ownOnly).toEqual([message(1)]);
    expect(b.ownOnly).toEqual([{ residentId: "r1", seq: 2, kind: "receipt", familyLinkId: "f1" }]);
  });

  it("listens again by itself when its connection is cut, and hears what is written after", async () => {
    const url = await database();
    const a = await instance(url);
    const b = await instance(url);
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'letterbox-listen' AND datname = current_database() AND pid <> pg_backend_pid()`.execute(
      a.db,
    );

    await vi.waitFor(() => expect(b.fanOut.listenedTimes).toBe(2), { timeout: 10_000 });
    await vi.waitFor(() => expect(a.fanOut.listenedTimes).toBe(2), { timeout: 10_000 });
    a.events.emit(message(7));
    await vi.waitFor(() => expect(b.live).toEqual([message(7)]));
  });

  it("ignores a notice it cannot read and goes on hearing the next", async () => {
    const url = await database();
    const a = await instance(url);
    const b = await instance(url);
    await sql`SELECT pg_notify('letterbox_log', ${'{"from":"elsewhere","event":{"kind":"voice_note"}}'})`.execute(a.db);
    await sql`SELECT pg_notify('letterbox_log', 'not json')`.execute(a.db);
    a.events.emit(message(3));
    await vi.waitFor(() => expect(b.live).toEqual([message(3)]));
  });
});
