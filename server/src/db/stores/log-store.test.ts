/**
 * The log store's group commit, on both engines: sends that arrive while a batch is being written
 * wait and share the next commit; each sender is answered only once its message is committed; a
 * batch the database refuses fails its own sends and no others. And a sync page read with the
 * resident and the log's head in one statement, the tablet's poll when nothing is new.
 *
 * What the store sends is watched through Kysely's query log, which sees every statement on the
 * store's connection, each transaction's begin and commit included. Counting the commits there
 * counts what the database was asked to make durable. The log can also hold a statement (after it
 * ran, before the store hears back), which keeps a transaction open for as long as the test needs,
 * or fail it, as a database that refuses it would.
 */
import { randomUUID } from "node:crypto";
import type { CompiledQuery, LogEvent } from "kysely";
import { describe, expect, it } from "vitest";
import type { Store } from "../../store";
import { engines } from "../../test-databases";
import { kyselyStore } from "../kysely-store";
import { residentWithLink } from "../store-test-rows";

type Matches = (query: CompiledQuery) => boolean;

function watchQueries() {
  let commits = 0;
  let statements = 0;
  const holds: { matches: Matches; reached: () => void; released: Promise<void> }[] = [];
  const refusals: Matches[] = [];
  const log = async (event: LogEvent) => {
    if (event.level !== "query") return;
    statements++;
    if (event.query.sql === "commit") commits++;
    const held = holds.findIndex((h) => h.matches(event.query));
    if (held >= 0) {
      const [hold] = holds.splice(held, 1);
      hold?.reached();
      await hold?.released;
    }
    if (refusals.some((refused) => refused(event.query))) throw new Error("The database refused the statement.");
  };
  return {
    log,
    /** Commits sent on the store's connection so far. */
    get commits() {
      return commits;
    },
    /** Statements sent on the store's connection so far. */
    get statements() {
      return statements;
    },
    /** Holds the next statement that `matches` once it has run, until released. */
    hold(matches: Matches) {
      let reached = () => {};
      let release = () => {};
      const hold = {
        matches,
        reached: () => reached(),
        released: new Promise<void>((resolve) => {
          release = resolve;
        }),
      };
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      holds.push(hold);
      return { reached: reachedPromise, release: () => release() };
    },
    /** From now on every statement that `matches` fails. */
    refuse(matches: Matches) {
      refusals.push(matches);
    },
  };
}

/** The statement that writes the message `id` (alone or among others). */
const writesMessage =
  (id: string): Matches =>
  (query) =>
    query.sql.startsWith('insert into "messages"') && query.parameters.includes(id);
const names =
  (...ids: string[]): Matches =>
  (query) =>
    ids.some((id) => query.parameters.includes(id));

/** Lets the event loop take a turn, as between two requests read from the network. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Sent = ReturnType<Awaited<ReturnType<typeof residentWithLink>>["message"]>;

/** A store whose statements `queries` watches, and a second instance's store on the same database. */
async function watchedStore(engine: (typeof engines)[number]) {
  const database = await engine.migratedDatabase();
  const queries = watchQueries();
  const store = kyselyStore(database.open(queries.log));
  return { queries, store, other: kyselyStore(database.open()), home: await residentWithLink(store) };
}

const texts = async (store: Store, residentId: string) =>
  (await store.log.pull(residentId, 0, 100)).map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind]);

describe.each(engines)("group commit of sends on $name", (engine) => {
  it("writes the sends that arrive while a batch is being written in one commit, after that batch's", async () => {
    const { queries, store, home } = await watchedStore(engine);
    const first = home.message("first");
    const held = queries.hold(writesMessage(first.id));
    const sends = [store.log.appendMessage(first)];
    await held.reached;
    const commitsBefore = queries.commits;
    for (let i = 1; i <= 10; i++) {
      sends.push(store.log.appendMessage(home.message(`while busy ${i}`)));
      await nextTurn();
    }
    held.release();
    const results = await Promise.all(sends);

    expect(results.map((r) => r.message.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    // The first batch's commit, then one for all ten that waited.
    expect(queries.commits - commitsBefore).toBe(2);
  });

  it("answers a send only after the commit that holds its message, which another connection then sees", async () => {
    const { queries, store, other, home } = await watchedStore(engine);
    const message = home.message("hello");
    const written = queries.hold(writesMessage(message.id));
    const committed = queries.hold((query) => query.sql === "commit");
    let answered = false;
    const sent = store.log.appendMessage(message).then((result) => {
      answered = true;
      return result;
    });

    await written.reached;
    expect(await texts(other, home.resident.id)).toEqual([]);
    written.release();
    // Committed, and the store not yet back from the commit: the sender must not have heard.
    await committed.reached;
    expect(answered).toBe(false);
    committed.release();

    expect(await sent).toMatchObject({ created: true, message: { seq: 1 } });
    expect(await texts(other, home.resident.id)).toEqual([[1, "hello"]]);
    expect((await other.log.position(home.resident.id))?.head).toBe(1);
  });

  it("fails each send of a batch the database refuses, and still writes the sends that queued behind it", async () => {
    const { queries, store, other, home } = await watchedStore(engine);
    const [m1, m2, m3, m4, m5] = [1, 2, 3, 4, 5].map((n) => home.message(`message ${n}`)) as [Sent, Sent, Sent, Sent, Sent];
    const settle = (m: Sent) => Promise.allSettled([store.log.appendMessage(m)]).then(([r]) => r);

    const firstHeld = queries.hold(writesMessage(m1.id));
    const sends = [settle(m1)];
    await firstHeld.reached;
    // Two sends wait for the next batch; the database will refuse every statement naming them.
    sends.push(settle(m2));
    await nextTurn();
    sends.push(settle(m3));
    queries.refuse(names(m2.id, m3.id));
    const secondHeld = queries.hold(names(m2.id, m3.id));
    firstHeld.release();
    await secondHeld.reached;
    // That batch is being written: two more sends queue behind it.
    sends.push(settle(m4));
    await nextTurn();
    sends.push(settle(m5));
    secondHeld.release();
    const results = await Promise.all(sends);

    expect(results.map((r) => r?.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
    for (const r of results) if (r?.status === "rejected") expect(String(r.reason)).toMatch(/refused/);
    expect(results.map((r) => (r?.status === "fulfilled" ? r.value.message.seq : null))).toEqual([1, null, null, 2, 3]);
    expect(await texts(other, home.resident.id)).toEqual([
      [1, "message 1"],
      [2, "message 4"],
      [3, "message 5"],
    ]);
  });
});

describe.each(engines)("a sync page on $name", (engine) => {
  it("comes with the resident and the log's head, an empty one in a single statement", async () => {
    const { queries, store, home } = await watchedStore(engine);
    for (const text of ["one", "two", "three"]) await store.log.appendMessage(home.message(text));

    const before = queries.statements;
    const empty = await store.log.pullPage(home.resident.id, 3, 50);
    // On SQLite the page is read by statements prepared once, beside Kysely (db/sqlite-hot.ts).
    expect(queries.statements - before).toBe(engine.name === "postgres" ? 1 : 0);
    expect(empty).toMatchObject({ resident: { id: home.resident.id, preferredName: "Margaret" }, position: { head: 3 } });
    expect(empty?.entries).toEqual([]);
    expect(empty?.position.logId).toMatch(/.+/);

    const page = await store.log.pullPage(home.resident.id, 1, 50);
    expect(page?.position.head).toBe(3);
    expect(page?.entries.map((e) => [e.seq, e.kind === "message" ? e.message.text : e.kind])).toEqual([
      [2, "two"],
      [3, "three"],
    ]);
    expect(await store.log.pullPage(randomUUID(), 0, 50)).toBeUndefined();
  });
});
