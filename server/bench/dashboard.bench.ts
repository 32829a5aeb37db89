/**
 * Dashboard benchmark: how long the staff dashboard takes as the council grows, on SQLite and on
 * PostgreSQL.
 *
 * For 10, 1,000 and 5,000 residents, each on a fresh database: every resident has a family link,
 * four messages (one not yet seen), a tablet that reports its health, and every seventh an older
 * tablet that was wiped; every fifth tablet has a push state, some failing. Rows go straight into
 * the tables (seeding 5,000 households through the API would take minutes); the dashboard is then
 * asked for through the real app in this process, with a staff session, as the console asks:
 *   - dashboard.first_page_ms_<n>     GET /api/staff/dashboard (the first page, 25 rows), median of
 *                                     BENCH_DASHBOARD_ROUNDS (default 25) after 5 warm-up requests;
 *                                     budget 20 ms. The time is spent on the event loop (the SQLite
 *                                     driver is synchronous), so tablet pulls wait this long too;
 *   - dashboard.first_page_5000_vs_10 the 5,000-resident time over the 10-resident one: "flat"
 *                                     is the budget, read here as at most 2×;
 *   - dashboard.resident_row_ms_5000  GET /api/staff/dashboard/<resident>, the one row the
 *                                     resident's page shows, with 5,000 residents; budget 20 ms;
 *   - dashboard.pg.*                  the same on a fresh PostgreSQL database (made on
 *                                     LETTERBOX_TEST_POSTGRES_URL's server and dropped at the end).
 * Each answer is checked once against the shared schema (the resident count, a full page, the
 * order of need) so the figures time the answer they claim to.
 *
 * Run: `pnpm bench` at the repo root, or `node --import tsx bench/dashboard.bench.ts` in server/.
 * Prints a table and writes the figures to bench-results.json (replacing earlier `dashboard.*`
 * ones). Budgets are reported, never asserted: the exit code is non-zero only when the benchmark
 * itself broke.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DASHBOARD_PAGE, dashboardRowResponseSchema, dashboardSchema } from "@letterbox/shared";
import type { Insertable, Kysely } from "kysely";
import { createApp, createServices } from "../src/app";
import { FixedClock } from "../src/clock";
import type { DatabaseConfig } from "../src/config";
import { openDataFolder } from "../src/data-folder";
import type { Database } from "../src/db/schema";
import { freshPostgres } from "../src/fresh-postgres";
import { silentLogger } from "../src/log";
import { needScore } from "../src/services/dashboard-service";
import { type Figure, printTable, resultsFile, writeResults } from "./results";

class BenchBroken extends Error {}

const SIZES = [10, 1_000, 5_000] as const;
const ROUNDS = Math.max(1, Math.round(Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 25)));
const WARMUP = 5;
const BUDGET = { firstPageMs: 20, flat: 2 };
const NOW = new Date("2026-12-01T12:00:00Z");
const HOUR = 3_600_000;

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const iso = (msAgo: number) => new Date(NOW.getTime() - msAgo).toISOString();
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Passwords are not what is measured: a hasher that costs nothing keeps the sign-in out of the way. */
const plainHasher = {
  hash: async (password: string) => `bench$${password}`,
  verify: async (password: string, stored: string) => stored === `bench$${password}`,
};

const id = (kind: string, n: number) => `00000000-0000-7000-${kind}-${n.toString(16).padStart(12, "0")}`;

/** Inserts `rows` a few hundred at a time: SQLite and PostgreSQL both cap the variables in one statement. */
async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += 200) await insert(rows.slice(i, i + 200));
}

/** `n` households, written straight into the tables; the same every run. */
async function seed(db: Kysely<Database>, n: number) {
  const residents: Insertable<Database["residents"]>[] = [];
  const links: Insertable<Database["family_links"]>[] = [];
  const devices: Insertable<Database["devices"]>[] = [];
  const pushStates: Insertable<Database["push_device_states"]>[] = [];
  const messages: Insertable<Database["messages"]>[] = [];
  for (let i = 0; i < n; i++) {
    const residentId = id("8000", i);
    residents.push({
      id: residentId,
      full_name: `Resident ${String(n - i).padStart(5, "0")} Example`,
      preferred_name: `Resident ${i}`,
      created_at: iso(90 * 24 * HOUR),
      last_seq: 4,
      language: "en-GB",
      reply_options: null,
      quiet_start: null,
      quiet_end: null,
      text_size: "large",
      paused: i % 23 === 0 ? 1 : 0,
      family_sees_all: 0,
      archived_at: i % 31 === 30 ? iso(24 * HOUR) : null,
      retention_days: 365,
    });
    const linkId = id("9000", i);
    links.push({
      id: linkId,
      resident_id: residentId,
      label: "Sarah (daughter)",
      token_hash: `bench-link-${i}`,
      created_at: iso(80 * 24 * HOUR),
      revoked_at: null,
      last_used_at: iso(HOUR),
      display_name: null,
      relationship: null,
    });
    const device = (k: number, pairedDaysAgo: number, revoked: boolean): Insertable<Database["devices"]> => ({
      id: id(k === 0 ? "a000" : "a001", i),
      resident_id: residentId,
      token_hash: `bench-device-${k}-${i}`,
      paired_at: iso(pairedDaysAgo * 24 * HOUR),
      // Some tablets have been dark for days: the dashboard raises them.
      last_seen_at: revoked ? iso(40 * 24 * HOUR) : iso(i % 9 === 0 ? 72 * HOUR : (i % 60) * 60_000),
      revoked_at: revoked ? iso(50 * 24 * HOUR) : null,
      app_version: "0.1.0",
      storage_used: 40_000_000 + i,
      storage_quota: 2_000_000_000,
      storage_persisted: 1,
      language: "en-GB",
      status_at: iso(HOUR),
      battery_level: ((i * 7) % 100) / 100,
      battery_charging: i % 3 === 0 ? 1 : 0,
    });
    if (i % 7 === 0) devices.push(device(1, 60, true));
    if (i % 13 !== 12) {
      devices.push(device(0, 30, false));
      if (i % 5 === 0) {
        pushStates.push({
          device_id: id("a000", i),
          state: i % 10 === 0 ? "subscribed" : "permission_denied",
          updated_at: iso(2 * HOUR),
          failing_since: i % 20 === 0 ? iso(3 * HOUR) : null,
          problem: i % 20 === 0 ? "service_error" : null,
        });
      }
    }
    for (let m = 0; m < 4; m++) {
      const sentAgo = (m + 1) * (i % 11 === 0 ? 9 * 24 * HOUR : 6 * HOUR);
      messages.push({
        id: id("b000", i * 4 + m),
        resident_id: residentId,
        family_link_id: linkId,
        sender_name: "Sarah",
        sender_relationship: null,
        text: "Hello, thinking of you. See you on Sunday!",
        sent_at: iso(sentAgo),
        seq: m + 1,
        deleted_at: null,
        delivered_at: iso(sentAgo - 60_000),
        seen_at: m === 0 ? null : iso(sentAgo - 120_000),
      });
    }
  }
  await inChunks(residents, (rows) => db.insertInto("residents").values(rows).execute());
  await inChunks(links, (rows) => db.insertInto("family_links").values(rows).execute());
  await inChunks(devices, (rows) => db.insertInto("devices").values(rows).execute());
  await inChunks(pushStates, (rows) => db.insertInto("push_device_states").values(rows).execute());
  await inChunks(messages, (rows) => db.insertInto("messages").values(rows).execute());
  return { onDashboard: residents.filter((r) => r.archived_at === null).length, someResident: id("8000", n - 1) };
}

type Timing = { firstPageMs: number; rowMs: number };

async function timeOne(request: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const res = await request();
  await res.arrayBuffer();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new BenchBroken(`The dashboard answered ${res.status}.`);
  return ms;
}

async function measureSize(database: DatabaseConfig, n: number): Promise<Timing> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-dashboard-bench-"));
  const { db, store, photos } = await openDataFolder(dataDir, { database });
  try {
    const { onDashboard, someResident } = await seed(db, n);
    const deps = {
      store,
      photos,
      clock: new FixedClock(NOW),
      log: silentLogger,
      publicUrl: "http://127.0.0.1",
      secureCookies: false,
      push: { subject: "mailto:bench@example.org" },
      passwordHasher: plainHasher,
    };
    const services = createServices(deps);
    const app = createApp(deps, services);
    await services.staff.createStaff({ name: "Bench Staff", email: "bench@example.org", password: "bench dashboard password" });
    const login = await app.request("/api/staff/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "bench@example.org", password: "bench dashboard password" }),
    });
    const cookie = login.headers.get("set-cookie")?.split(";")[0];
    if (login.status !== 200 || !cookie) throw new BenchBroken(`Signing in failed: ${login.status} ${await login.text()}`);
    const get = (url: string) => () => Promise.resolve(app.request(url, { headers: { cookie } }));
    const firstPage = get("/api/staff/dashboard");
    const oneRow = get(`/api/staff/dashboard/${someResident}`);

    const page = dashboardSchema.parse(await (await firstPage()).json());
    if (page.residents !== onDashboard || page.rows.length !== Math.min(onDashboard, DASHBOARD_PAGE.sizeDefault)) {
      throw new BenchBroken(`With ${n} residents the dashboard said ${page.residents}, with ${page.rows.length} rows.`);
    }
    const scores = page.rows.map(needScore);
    if (scores.some((s, i) => i > 0 && s > (scores[i - 1] ?? 0)) || (n >= 1_000 && (scores[0] ?? 0) < 64)) {
      throw new BenchBroken(`With ${n} residents the first page is not in the order of need: ${scores.join(", ")}.`);
    }
    const { row } = dashboardRowResponseSchema.parse(await (await oneRow()).json());
    if (row?.resident.id !== someResident) throw new BenchBroken(`The resident's own row was ${row?.resident.id}.`);

    for (let i = 0; i < WARMUP; i++) await timeOne(firstPage);
    const pageTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) pageTimes.push(await timeOne(firstPage));
    for (let i = 0; i < WARMUP; i++) await timeOne(oneRow);
    const rowTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) rowTimes.push(await timeOne(oneRow));
    const timing = { firstPageMs: median(pageTimes), rowMs: median(rowTimes) };
    console.error(
      `  ${String(n).padStart(5)} residents: first page ${timing.firstPageMs.toFixed(2)} ms (max ${Math.max(...pageTimes).toFixed(2)}), ` +
        `one resident's row ${timing.rowMs.toFixed(2)} ms`,
    );
    services.push.stop();
    return timing;
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureEngine(prefix: string, database: () => Promise<{ config: DatabaseConfig; drop(): Promise<void> }>) {
  const timings = new Map<number, Timing>();
  for (const n of SIZES) {
    const { config, drop } = await database();
    try {
      timings.set(n, await measureSize(config, n));
    } finally {
      await drop();
    }
  }
  const at = (n: number) => timings.get(n) ?? { firstPageMs: Number.NaN, rowMs: Number.NaN };
  const figures: Figure[] = SIZES.map((n) => ({
    name: `${prefix}first_page_ms_${n}`,
    value: round(at(n).firstPageMs, 2),
    unit: "ms",
    budget: BUDGET.firstPageMs,
  }));
  figures.push(
    {
      name: `${prefix}first_page_5000_vs_10`,
      value: round(at(5_000).firstPageMs / at(10).firstPageMs, 2),
      unit: "ratio",
      budget: BUDGET.flat,
    },
    { name: `${prefix}resident_row_ms_5000`, value: round(at(5_000).rowMs, 2), unit: "ms", budget: BUDGET.firstPageMs },
  );
  return figures;
}

async function main() {
  const loadNote = (when: string) => {
    const [load1 = 0, load5 = 0] = os.loadavg();
    console.error(`  load average ${when}: ${load1.toFixed(2)} (1 min), ${load5.toFixed(2)} (5 min)`);
  };
  console.error(`dashboard bench: median of ${ROUNDS} requests after ${WARMUP} warm-up, Node ${process.versions.node}`);
  loadNote("before starting");
  const figures: Figure[] = [];
  try {
    console.error("SQLite:");
    figures.push(...(await measureEngine("dashboard.", async () => ({ config: { engine: "sqlite" }, drop: async () => {} }))));
    console.error("PostgreSQL:");
    figures.push(
      ...(await measureEngine("dashboard.pg.", async () => {
        const pg = await freshPostgres();
        return { config: { engine: "postgres", url: pg.url, poolSize: 10 }, drop: () => pg.drop() };
      })),
    );
  } finally {
    loadNote("at the end");
    if (figures.length > 0) {
      printTable(figures, "≤");
      writeResults("dashboard.", figures);
      console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchBroken ? `dashboard bench broke: ${err.message}` : err);
  process.exitCode = 1;
});
