/**
 * The pull heads (pull-heads.ts): a tablet's poll that finds nothing new is answered from memory,
 * and no write, by this instance or another, by any path, is ever hidden by it. On both engines;
 * on PostgreSQL each instance listens as the relay does (postgres-fan-out.ts), and what another
 * instance wrote is waited for by a marker notice sent after it: notices arrive in commit order,
 * so once the marker is heard, so is the write's. On SQLite the other instance is another
 * connection to the same file.
 */
import { randomUUID } from "node:crypto";
import { type Kysely, type LogEvent as QueryEvent, sql } from "kysely";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { type LogEvent, LogEvents } from "../events";
import type { Store } from "../store";
import { type Engine, engines, type MigratedDatabase } from "../test-databases";
import { kyselyStore } from "./kysely-store";
import { PostgresFanOut } from "./postgres-fan-out";
import type { Database } from "./schema";
import { later, residentWithLink } from "./store-test-rows";

/** One relay instance's store on the database, listening on PostgreSQL; `statements` counts what it sends. */
async function instance(engine: Engine, database: MigratedDatabase, hold?: (query: QueryEvent) => Promise<void>, retryMs = 50) {
  let statements = 0;
  const db = database.open(async (event) => {
    if (event.level !== "query") return;
    statements++;
    await hold?.(event);
  });
  const store = kyselyStore(db);
  const events = new LogEvents();
  const logged: string[] = [];
  const heard: LogEvent[] = [];
  events.on((e) => heard.push(e));
  let fanOut: PostgresFanOut | undefined;
  if (engine.name === "postgres" && database.config.engine === "postgres") {
    fanOut = new PostgresFanOut({
      url: database.config.url,
      db,
      events,
      log: (event) => logged.push(event),
      heads: store.heads,
      retryMs,
    });
    await fanOut.start();
    const started = fanOut;
    onTestFinished(() => started.stop());
  }
  return {
    db,
    store,
    logged,
    get statements() {
      return statements;
    },
    /** Waits until this instance has heard everything `writer` committed so far (at once on SQLite). */
    async caughtUpWith(writer: { db: Kysely<Database> }) {
      if (engine.name !== "postgres") return;
      const residentId = `marker-${randomUUID()}`;
      const notice = JSON.stringify({ from: "marker", event: { residentId, seq: 0, kind: "settings" } });
      await sql`SELECT pg_notify('letterbox_log', ${notice})`.execute(writer.db);
      await vi.waitFor(() => expect(heard.some((e) => e.residentId === residentId)).toBe(true));
    },
  };
}

async function twoInstances(engine: Engine) {
  const database = await engine.migratedDatabase();
  const a = await instance(engine, database);
  const b = await instance(engine, database);
  const home = await residentWithLink(a.store);
  return { database, a, b, home };
}

/** Where the log stands and the settings, as the tablet's next poll after `after` says. */
async function poll(store: Store, residentId: string, after: number) {
  const page = await store.log.pullPage(residentId, after, 50);
  return page && { head: page.position.head, seqs: page.entries.map((e) => e.seq), name: page.resident.preferredName };
}

describe.each(engines)("pull heads on $name", (engine) => {
  it("answers a poll that finds nothing new without a statement, once it has read the head", async () => {
    const { a, home } = await twoInstances(engine);
    await a.store.log.appendMessage(home.message("one"));
    // On PostgreSQL the database's notice of its own write comes after it, and makes it forget once more.
    await a.caughtUpWith(a);
    expect(await poll(a.store, home.resident.id, 0)).toMatchObject({ head: 1, seqs: [1] });
    const before = a.statements;
    for (let i = 0; i < 5; i++) expect(await poll(a.store, home.resident.id, 1)).toMatchObject({ head: 1, seqs: [] });
    expect(a.statements - before).toBe(0);
  });

  it("shows at the next poll every write made through the instance that answers it", async () => {
    const { a, home } = await twoInstances(engine);
    const id = home.resident.id;
    const first = await a.store.log.appendMessage(home.message("first"));
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 1, seqs: [1] });
    expect(await poll(a.store, id, 1)).toMatchObject({ head: 1, seqs: [] });

    await a.store.log.appendMessage(home.message("second"));
    expect(await poll(a.store, id, 1)).toMatchObject({ head: 2, seqs: [2] });

    await a.store.log.recordReceipts(id, [{ messageId: first.message.id, state: "seen" }], later(1));
    expect(await poll(a.store, id, 2)).toMatchObject({ head: 3, seqs: [3] });

    await a.store.log.appendReply({
      id: randomUUID(),
      residentId: id,
      inReplyTo: first.message.id,
      text: "Lovely",
      sentAt: later(2),
    });
    expect(await poll(a.store, id, 3)).toMatchObject({ head: 4, seqs: [4] });

    await a.store.log.deleteMessage(first.message.id, home.link.id, later(3));
    expect(await poll(a.store, id, 4)).toMatchObject({ head: 5, seqs: [5] });

    await a.store.residents.update(id, { preferredName: "Peggy" });
    expect(await poll(a.store, id, 5)).toMatchObject({ head: 5, seqs: [], name: "Peggy" });

    // A write that no store method made (a later one that forgets to say so, a statement by hand)
    // on the instance's own connection is heard from the database.
    await sql`UPDATE residents SET preferred_name = 'Maggie' WHERE id = ${id}`.execute(a.db);
    await a.caughtUpWith(a);
    expect(await poll(a.store, id, 5)).toMatchObject({ name: "Maggie" });

    await a.store.residents.erase(id);
    expect(await poll(a.store, id, 5)).toBeUndefined();
  });

  it("shows at the next poll every write another instance made, once it has heard of it", async () => {
    const { a, b, home } = await twoInstances(engine);
    const id = home.resident.id;
    const warm = async (head: number) => expect(await poll(a.store, id, head)).toMatchObject({ head, seqs: [] });
    const first = await b.store.log.appendMessage(home.message("first"));
    await a.caughtUpWith(b);
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 1, seqs: [1] });
    await warm(1);

    const steps: [string, () => Promise<unknown>][] = [
      ["message", () => b.store.log.appendMessage(home.message("second"))],
      ["receipt", () => b.store.log.recordReceipts(id, [{ messageId: first.message.id, state: "delivered" }], later(1))],
      [
        "reply",
        () =>
          b.store.log.appendReply({
            id: randomUUID(),
            residentId: id,
            inReplyTo: first.message.id,
            text: "Yes",
            sentAt: later(2),
          }),
      ],
      ["deletion", () => b.store.log.deleteMessage(first.message.id, home.link.id, later(3))],
    ];
    let head = 1;
    for (const [what, write] of steps) {
      await write();
      await a.caughtUpWith(b);
      expect(await poll(a.store, id, head), what).toMatchObject({ head: head + 1, seqs: [head + 1] });
      head++;
      await warm(head);
    }

    await b.store.residents.update(id, { paused: true, preferredName: "Peggy" });
    await a.caughtUpWith(b);
    expect((await a.store.log.pullPage(id, head, 50))?.resident).toMatchObject({ paused: true, preferredName: "Peggy" });

    // What a person or a tool changes in the database by hand is heard too.
    await sql`UPDATE residents SET preferred_name = 'Maggie' WHERE id = ${id}`.execute(b.db);
    await a.caughtUpWith(b);
    expect(await poll(a.store, id, head)).toMatchObject({ name: "Maggie" });

    await b.store.residents.erase(id);
    await a.caughtUpWith(b);
    expect(await poll(a.store, id, head)).toBeUndefined();
  });

  it("loses no message to the heads when two instances append and poll at once", async () => {
    const { a, b, home } = await twoInstances(engine);
    const id = home.resident.id;
    const received = new Set<number>();
    let cursor = 0;
    const tablet = async () => {
      const page = await a.store.log.pullPage(id, cursor, 50);
      for (const e of page?.entries ?? []) received.add(e.seq);
      cursor = Math.max(cursor, page?.entries.at(-1)?.seq ?? cursor);
    };
    const ownSends = Array.from({ length: 30 }, async (_, i) => {
      const { message } = await a.store.log.appendMessage(home.message(`a${i}`));
      // Answered: this instance's next poll from just before it must bring it.
      const page = await a.store.log.pullPage(id, message.seq - 1, 1);
      expect(page?.entries.map((e) => e.seq)).toEqual([message.seq]);
    });
    const otherSends = Array.from({ length: 30 }, (_, i) => b.store.log.appendMessage(home.message(`b${i}`)));
    const polls = Array.from({ length: 30 }, () => tablet());
    await Promise.all([...ownSends, ...otherSends, ...polls]);

    await a.caughtUpWith(b);
    for (let i = 0; i < 3; i++) await tablet();
    expect([...received].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await poll(a.store, id, 60)).toMatchObject({ head: 60, seqs: [] });
  });

  it("starts afresh after a restart, whatever was written while it was stopped", async () => {
    const { database, a, b, home } = await twoInstances(engine);
    const id = home.resident.id;
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 0, seqs: [] });
    await a.db.destroy();
    await b.store.log.appendMessage(home.message("while stopped"));
    const restarted = await instance(engine, database);
    expect(await poll(restarted.store, id, 0)).toMatchObject({ head: 1, seqs: [1] });
  });
});

// On SQLite a sync page is read in one synchronous call (sqlite-hot.ts): nothing commits meanwhile.
describe("pull heads on PostgreSQL", () => {
  const postgres = engines.find((e) => e.name === "postgres") as Engine;

  it("keeps nothing that a read found when a write committed while it was reading", async () => {
    const engine = postgres;
    const database = await engine.migratedDatabase();
    let holdNext: ((query: QueryEvent) => boolean) | undefined;
    let reached = () => {};
    let release = () => {};
    const a = await instance(engine, database, async (event) => {
      if (!holdNext?.(event)) return;
      holdNext = undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      reached();
      await released;
    });
    const b = await instance(engine, database);
    const home = await residentWithLink(a.store);
    const id = home.resident.id;
    await a.store.log.appendMessage(home.message("first"));

    // The page is read, and before the store hears back, a message is committed.
    const readReached = new Promise<void>((resolve) => {
      reached = resolve;
    });
    holdNext = (event) => event.query.sql.includes('"log_identity"') && event.query.parameters.includes(id);
    const reading = poll(a.store, id, 1);
    await readReached;
    // The instance's own write, on another of its pooled connections; then another instance's.
    await a.store.log.appendMessage(home.message("second"));
    await b.store.log.appendMessage(home.message("third"));
    await a.caughtUpWith(b);
    release();
    expect(await reading).toMatchObject({ head: 1, seqs: [] });

    expect(await poll(a.store, id, 1)).toMatchObject({ head: 3, seqs: [2, 3] });
  });

  it("answers nothing from memory from the moment it is lost until it listens again", async () => {
    const database = await postgres.migratedDatabase();
    // Slow to listen again, so the write below falls in the time it does not listen.
    const a = await instance(postgres, database, undefined, 1_500);
    const b = await instance(postgres, database);
    const home = await residentWithLink(a.store);
    const id = home.resident.id;
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 0, seqs: [] });
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 0, seqs: [] });

    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'letterbox-listen' AND datname = current_database()`.execute(b.db);
    await vi.waitFor(() => expect(a.logged).toContain("fan_out.lost"));
    // Written while nobody listens: no notice will ever reach the first instance.
    await b.store.log.appendMessage(home.message("unheard"));
    expect(await poll(a.store, id, 0)).toMatchObject({ head: 1, seqs: [1] });
    expect(await poll(a.store, id, 1)).toMatchObject({ head: 1, seqs: [] });

    await vi.waitFor(() => expect(a.logged.filter((e) => e === "fan_out.listening")).toHaveLength(2), { timeout: 10_000 });
    expect(await poll(a.store, id, 1)).toMatchObject({ head: 1, seqs: [] });
    await b.store.log.appendMessage(home.message("heard"));
    await a.caughtUpWith(b);
    expect(await poll(a.store, id, 1)).toMatchObject({ head: 2, seqs: [2] });
  });
});
