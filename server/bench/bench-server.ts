/**
 * The relay under test, run by relay.bench.ts in its own process so that the load generator does
 * not take the relay's CPU. It is the real relay: a fresh SQLite file in a temp folder opened the
 * way main.ts opens it (WAL, synchronous=FULL), the system clock, and a silent logger. A bare Hono
 * route runs beside it as the baseline. Talks to its parent only over IPC (protocol.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { pairResponseSchema, sentMessageSchema } from "@letterbox/shared";
import { Hono } from "hono";
import { sql } from "kysely";
import { uuidv7 } from "uuidv7";
import { createApp, createServices } from "../src/app";
import { systemClock } from "../src/clock";
import { openDataFolder } from "../src/data-folder";
import { silentLogger } from "../src/log";
import type { FromServer, ToServer } from "./protocol";

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

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-bench-"));
  const { db, store, photos } = await openDataFolder(dataDir);
  const deps = { store, photos, clock: systemClock, log: silentLogger, publicUrl: "http://127.0.0.1", secureCookies: false };
  const services = createServices(deps);
  const app = createApp(deps, services);

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

  const [journal] = (await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db)).rows;
  const [sync] = (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db)).rows;

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
    deviceToken,
    familyToken,
    latestSeq,
    journalMode: journal?.journal_mode ?? "unknown",
    synchronous: Number(sync?.synchronous ?? -1),
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
