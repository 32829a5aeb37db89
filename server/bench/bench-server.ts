/**
 * The relay under test, run by relay.bench.ts in its own process so that the load generator does
 * not take the relay's CPU. It is the real relay: a fresh SQLite file in a temp folder opened the
 * way main.ts opens it (WAL, synchronous=FULL), or the PostgreSQL database DATABASE_URL names
 * (DATABASE_POOL_SIZE connections, synchronous_commit=on, and the fan-out's listening connection,
 * as main.ts starts it, without which no poll is answered from the pull heads), the system clock,
 * and a silent logger.
 * A bare Hono route runs beside it as the baseline. Talks to its parent only over IPC (protocol.ts).
 *
 * The first relay on a database seeds one household; with BENCH_JOIN=1 a relay serves a database
 * another one seeded, as a second instance behind a load balancer would. On request it seeds the
 * reconnection storm's residents and tablets through the store and hands back their tokens.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { pairResponseSchema, sentMessageSchema } from "@letterbox/shared";
import { Hono } from "hono";
import { type Kysely, sql } from "kysely";
import { uuidv7 } from "uuidv7";
import { createApp, createServices } from "../src/app";
import { systemClock } from "../src/clock";
import { loadConfig } from "../src/config";
import { openDataFolder } from "../src/data-folder";
import { PostgresFanOut } from "../src/db/postgres-fan-out";
import type { Database } from "../src/db/schema";
import { silentLogger } from "../src/log";
import { hashToken, newSetupCode, newToken } from "../src/services/credentials";
import { newResidentRow } from "../src/services/residents";
import type { Store } from "../src/store";
import type { DatabaseDurability, FromServer, Household, ResidentLog, StormTablet, ToServer } from "./protocol";

/** More than one sync page (50), so the 50-entry pull also has to say that more follow. */
const SEEDED_MESSAGES = 60;

const send = (message: FromServer) => {
  if (!process.send) throw new Error("bench-server.ts is started by relay.bench.ts, not on its own.");
  process.send(message);
};

function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server, port: info.port }));
  });
}

function close(server: ServerType): Promise<void> {
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Staff, a resident, a family link and a paired tablet, and a log longer than one sync page. */
async function seedHousehold(app: ReturnType<typeof createApp>, services: ReturnType<typeof createServices>): Promise<Household> {
  // Staff set-up through the services (signing in over HTTP would only add a password hash);
  // pairing and the seed messages go through the routes, as a tablet and a family would.
  const staff = await services.staff.createStaff({
    name: "Bench Staff",
    email: "bench@example.org",
    password: "bench relay password",
  });
  const actor = { staff, source: "bench" };
  const resident = await services.residents.create({ fullName: "Edith Bench", preferredName: "Edith" }, actor);
  const link = await services.familyLinks.create(resident.id, { label: "Sarah (daughter)" }, actor);
  const familyToken = new URL(link.url).hash.slice(1);
  const { code } = await services.tablets.createSetupCode(resident.id, actor);

  const pairRes = await app.request("/api/tablet/pair", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  });
  if (pairRes.status !== 201) throw new Error(`Pairing failed: ${pairRes.status} ${await pairRes.text()}`);
  const { deviceToken } = pairResponseSchema.parse(await pairRes.json());

  let latestSeq = 0;
  for (let i = 1; i <= SEEDED_MESSAGES; i++) {
    const res = await app.request("/api/family/messages", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${familyToken}` },
      body: JSON.stringify({ id: uuidv7(), text: `Seed message ${i}: hello Edith, we will visit on Sunday afternoon.` }),
    });
    if (res.status !== 201) throw new Error(`Seeding message ${i} failed: ${res.status} ${await res.text()}`);
    latestSeq = sentMessageSchema.parse(((await res.json()) as { message: unknown }).message).seq;
  }
  return { deviceToken, familyToken, latestSeq };
}

/** Each storm resident's log: a few messages, all in one sync page. */
const STORM_MESSAGES = 3;
/** How long the storm's tablets have been silent: the outage, long enough that each pull records "last seen". */
const OUTAGE_MS = 10 * 60_000;

/**
 * The storm's `n` residents, each with a family link, a paired tablet and STORM_MESSAGES messages,
 * through the store (the relay's own writes and invariants; 2,000 pairings over HTTP would take
 * minutes), a hundred residents at a time so the writes share commits. The cursors: every fifth
 * tablet missed all its resident's messages while the relay was away, every fifth after that the
 * last one, and the other three in five are up to date: an outage of minutes reaches few families.
 */
async function seedStorm(store: Store, n: number): Promise<StormTablet[]> {
  const now = new Date();
  const nowIso = now.toISOString();
  const lastSeen = new Date(now.getTime() - OUTAGE_MS).toISOString();
  const seedOne = async (i: number): Promise<StormTablet> => {
    const resident = newResidentRow(randomUUID(), `Storm Resident ${i}`, `Resident ${i}`, nowIso);
    await store.residents.create(resident);
    const linkId = randomUUID();
    await store.familyLinks.create(
      {
        id: linkId,
        residentId: resident.id,
        label: "Sarah (daughter)",
        displayName: null,
        relationship: null,
        createdAt: nowIso,
        revokedAt: null,
        lastUsedAt: null,
      },
      hashToken(newToken()),
    );
    const code = newSetupCode();
    await store.devices.createSetupCode({
      codeHash: hashToken(code),
      residentId: resident.id,
      createdBy: "bench",
      createdAt: nowIso,
      expiresAt: new Date(now.getTime() + 60 * 60_000).toISOString(),
    });
    const deviceToken = newToken();
    const device = { id: randomUUID(), residentId: "", pairedAt: lastSeen, lastSeenAt: lastSeen, revokedAt: null };
    if (!(await store.devices.pair(hashToken(code), device, hashToken(deviceToken), nowIso))) {
      throw new Error(`Pairing storm tablet ${i} failed.`);
    }
    let head = 0;
    for (let m = 1; m <= STORM_MESSAGES; m++) {
      const { message } = await store.log.appendMessage({
        id: uuidv7(),
        residentId: resident.id,
        familyLinkId: linkId,
        senderName: "Sarah (daughter)",
        senderRelationship: null,
        text: `Storm message ${m}: hello, we will ring on Sunday.`,
        photos: [],
        sentAt: nowIso,
      });
      head = message.seq;
    }
    const after = i % 5 === 0 ? 0 : i % 5 === 1 ? head - 1 : head;
    return { deviceToken, after, head, entries: head - after };
  };
  const tablets: StormTablet[] = [];
  for (let start = 0; start < n; start += 100) {
    const batch = Array.from({ length: Math.min(100, n - start) }, (_, k) => seedOne(start + k));
    tablets.push(...(await Promise.all(batch)));
  }
  return tablets;
}

async function durabilityOf(db: Kysely<Database>, engine: DatabaseDurability["engine"]): Promise<DatabaseDurability> {
  if (engine === "postgres") {
    const [commit] = (await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db)).rows;
    const [fsync] = (await sql<{ fsync: string }>`SHOW fsync`.execute(db)).rows;
    return { engine, synchronousCommit: commit?.synchronous_commit ?? "unknown", fsync: fsync?.fsync ?? "unknown" };
  }
  const [journal] = (await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db)).rows;
  const [sync] = (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db)).rows;
  return { engine, journalMode: journal?.journal_mode ?? "unknown", synchronous: Number(sync?.synchronous ?? -1) };
}

/** Every resident's log as stored, for the parent to check for gaps and duplicate seqs. */
async function checkLog(db: Kysely<Database>): Promise<ResidentLog[]> {
  const entries = await db
    .selectFrom("residents as r")
    .leftJoin("log_entries as l", "l.resident_id", "r.id")
    .select((eb) => [
      "r.id",
      "r.last_seq",
      eb.fn.count<number>("l.seq").as("entries"),
      eb.fn.count<number>("l.seq").distinct().as("distinct_seqs"),
      eb.fn.min<number | null>("l.seq").as("min_seq"),
      eb.fn.max<number | null>("l.seq").as("max_seq"),
    ])
    .groupBy(["r.id", "r.last_seq"])
    .execute();
  const messages = await db
    .selectFrom("messages as m")
    .leftJoin("log_entries as l", (join) =>
      join.onRef("l.resident_id", "=", "m.resident_id").onRef("l.seq", "=", "m.seq").onRef("l.message_id", "=", "m.id"),
    )
    .select((eb) => [
      "m.resident_id",
      eb.fn.countAll<number>().as("messages"),
      eb.fn.count<number>("m.seq").distinct().as("distinct_seqs"),
      eb.fn.sum<number>(eb.case().when("l.seq", "is", null).then(1).else(0).end()).as("without_entry"),
    ])
    .groupBy("m.resident_id")
    .execute();
  const messagesOf = new Map(messages.map((m) => [m.resident_id, m]));
  return entries.map((e) => {
    const m = messagesOf.get(e.id);
    return {
      residentId: e.id,
      lastSeq: Number(e.last_seq),
      entries: Number(e.entries),
      distinctSeqs: Number(e.distinct_seqs),
      minSeq: e.min_seq === null ? null : Number(e.min_seq),
      maxSeq: e.max_seq === null ? null : Number(e.max_seq),
      messages: Number(m?.messages ?? 0),
      distinctMessageSeqs: Number(m?.distinct_seqs ?? 0),
      messagesWithoutEntry: Number(m?.without_entry ?? 0),
    };
  });
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-bench-"));
  // Only the database settings: the rest of the parent's environment is not the relay's to read.
  const { database } = loadConfig({
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE,
  });
  const { db, store, photos } = await openDataFolder(dataDir, { database });
  const deps = { store, photos, clock: systemClock, log: silentLogger, publicUrl: "http://127.0.0.1", secureCookies: false };
  const services = createServices(deps);
  const app = createApp(deps, services);
  // As main.ts: instances on one PostgreSQL database hear each other, and keep their pull heads right.
  const fanOut =
    database.engine === "postgres"
      ? new PostgresFanOut({ url: database.url, db, events: services.events, log: silentLogger, heads: store.heads })
      : undefined;
  await fanOut?.start();

  const household = process.env.BENCH_JOIN === "1" ? null : await seedHousehold(app, services);
  const durability = await durabilityOf(db, database.engine);

  const baseline = await listen(new Hono().get("/", (c) => c.json({ ok: true })).fetch);
  const relay = await listen(app.fetch);

  const countMessages = async () => {
    const row = await db
      .selectFrom("messages")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all([close(baseline.server), close(relay.server)]);
    await fanOut?.stop();
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };

  process.on("message", (message: ToServer) => {
    if (message.type === "count-messages") {
      countMessages().then(
        (count) => send({ type: "message-count", count }),
        (err: unknown) => send({ type: "failed", error: String(err) }),
      );
    } else if (message.type === "check-log") {
      checkLog(db).then(
        (residents) => send({ type: "log-check", residents }),
        (err: unknown) => send({ type: "failed", error: String(err) }),
      );
    } else if (message.type === "seed-storm") {
      const startedAt = performance.now();
      seedStorm(store, message.tablets).then(
        (tablets) => send({ type: "storm-seeded", tablets, seconds: (performance.now() - startedAt) / 1000 }),
        (err: unknown) => send({ type: "failed", error: String(err) }),
      );
    } else if (message.type === "cpu") {
      const { user, system } = process.cpuUsage();
      send({ type: "cpu", micros: user + system });
    } else if (message.type === "stop") {
      void stop();
    }
  });
  // The parent died or let go: don't outlive it.
  process.on("disconnect", () => void stop());

  send({
    type: "ready",
    baselinePort: baseline.port,
    relayPort: relay.port,
    database: durability,
    household,
  });
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!process.send) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  // Exit only once the report has left, or the parent would see a bare exit.
  process.send({ type: "failed", error } satisfies FromServer, undefined, undefined, () => process.exit(1));
});
