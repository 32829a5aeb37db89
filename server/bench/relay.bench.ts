/**
 * Relay benchmark: what the relay serves per second on this machine, on SQLite and on PostgreSQL in
 * the same run, against a bare Hono route.
 *
 * Measures, with autocannon over loopback (keep-alive, no pipelining):
 *   - relay.baseline_*        a bare `c.json({ ok: true })` Hono route: the most this machine and
 *                             load generator push through Hono at all;
 *   - relay.sync_pull_empty_* GET /api/tablet/sync?after=<latest> with the tablet's bearer token: the
 *                             poll a tablet makes when nothing is new;
 *   - relay.sync_pull_50_*    GET /api/tablet/sync?after=0&limit=50: a full page of 50 messages;
 *   - relay.send_durable_*    POST /api/family/messages, a fresh UUIDv7 per request, each one a
 *                             committed (fsynced) transaction. Afterwards the 2xx count must equal
 *                             the rows added to `messages`.
 *   - relay.reconnect_storm_* the reconnection after an outage: BENCH_STORM_TABLETS (default 2,000)
 *                             more residents, each with a paired tablet (silent for the outage's ten
 *                             minutes, so every pull also records "last seen") and three messages,
 *                             seeded through the store in the relay process. Each tablet makes one
 *                             GET /api/tablet/sync?after=<its cursor> with its own token, on its own
 *                             connection (node:http, no keep-alive), issued evenly over BENCH_STORM_SECONDS
 *                             (default 5) by a schedule that does not wait for answers. Three in five
 *                             tablets are up to date (an empty page), one in five missed the last
 *                             message, one in five all three. Every answer must be a 200 with the
 *                             sync page it should bring (shared schema, entry count, cursor); anything
 *                             else, or no answer in 10 s, is counted in `_errors` (budget 0) and
 *                             printed. `_p99_ms` (budget 200) and `_p50_ms` from issue to answer,
 *                             `_rps` the rate achieved, `_cpu_us` the relay's CPU per pull, and
 *                             `_issue_lag_ms` how late the latest pull left against the schedule (a
 *                             busy machine starving the load generator: the figures then undercount);
 * plus the two pull figures as a share of the baseline, and for each of the four the relay process's
 * CPU time per response (`*_cpu_us`, user + system over the timed run: steadier than the rates on
 * a shared machine, as it leaves out time spent waiting for a core). Then the same four on a fresh PostgreSQL
 * database (synchronous_commit=on), created on LETTERBOX_TEST_POSTGRES_URL's server and dropped at
 * the end whatever happens:
 *   - relay.pg.sync_pull_empty_*, relay.pg.sync_pull_50_*, relay.pg.send_durable_*,
 *     relay.pg.reconnect_storm_*  as above;
 *   - relay.pg.<figure>_vs_sqlite, relay.pg.<figure>_p99_vs_sqlite  PostgreSQL's rate and p99 over
 *                             SQLite's from this run; the budget is "within 2×" (≥ 0.5, ≤ 2);
 *   - relay.pg.two_instances.send_durable_*  two relay processes on that database, each sent half
 *                             the connections and half the requests at once (p99 is the slower
 *                             instance's), with its ratios to SQLite and to one instance. The 2xx
 *                             count must again equal the rows added.
 * After each engine's runs the resident's log is checked: every seq from 1 to residents.last_seq
 * once, each message at its own entry. A gap or duplicate is a store bug: reported loudly, and the
 * exit code is non-zero, but the figures are still written.
 *
 * The relay (bench-server.ts) runs in a child process so autocannon does not take its CPU; it is the
 * real app on a fresh SQLite file (WAL, synchronous=FULL) in a temp folder, or on the PostgreSQL
 * database (DATABASE_POOL_SIZE connections per instance, default 10). Both databases, the relays and
 * the load generator share this machine's cores.
 *
 * Run: `pnpm bench` at the repo root. Settings (environment): BENCH_SECONDS per measurement
 * (default 10), BENCH_WARMUP_SECONDS before each (default 2), BENCH_CONNECTIONS (default 50),
 * BENCH_STORM_TABLETS and BENCH_STORM_SECONDS (the storm's, above),
 * LETTERBOX_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres, a role that may
 * create databases).
 *
 * Prints a table and writes the figures to bench-results.json at the repo root, replacing earlier
 * `relay.*` entries and keeping other benchmarks' entries. Targets are reported, never asserted:
 * the exit code is non-zero only when the benchmark itself broke (a relay did not start, a request
 * failed, the message count does not add up, the log has a gap, or not one storm pull was answered
 * right; failed storm pulls short of that are the `_errors` figure), and whatever was measured
 * before a break is still written.
 */
import { type ChildProcess, fork } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { syncPageSchema } from "@letterbox/shared";
import autocannon from "autocannon";
import { uuidv7 } from "uuidv7";
import { freshPostgres } from "../src/fresh-postgres";
import type { FromServer, Household, ResidentLog, ServerReady, StormTablet, ToServer } from "./protocol";
import { type Figure, printTable, writeResults } from "./results";

const here = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.resolve(here, "..");
const resultsFile = path.resolve(here, "../../bench-results.json");

/** A failure of the benchmark itself, as opposed to a missed target. */
class BenchBroken extends Error {}

const SECONDS = envNumber("BENCH_SECONDS", 10);
const WARMUP_SECONDS = envNumber("BENCH_WARMUP_SECONDS", 2);
const CONNECTIONS = Math.round(envNumber("BENCH_CONNECTIONS", 50));
const STORM_TABLETS = Math.round(envNumber("BENCH_STORM_TABLETS", 2000));
const STORM_SECONDS = envNumber("BENCH_STORM_SECONDS", 5);
/** A storm pull unanswered this long counts as an error (the tablet would give up and retry). */
const STORM_TIMEOUT_MS = 10_000;

/** `postgresVsSqlite`: PostgreSQL's rates at least half SQLite's, its p99s at most twice. */
const TARGETS = { pullRatio: 0.6, sendsPerSecond: 5000, postgresVsSqlite: 2, stormP99Ms: 200, stormErrors: 0 };

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`relay bench: ${name} must be a positive number, not "${raw}".`);
    process.exit(1);
  }
  return value;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

// The relay process -------------------------------------------------------------------------

type RelayOptions = {
  /** A PostgreSQL database; without it the relay makes a fresh SQLite file. */
  databaseUrl?: string;
  /** Serve a database another relay seeded, instead of seeding one. */
  join?: boolean;
};

class RelayProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: ServerReady,
  ) {}

  static async start({ databaseUrl, join = false }: RelayOptions = {}): Promise<RelayProcess> {
    // The parent's own DATABASE_URL (a developer's shell) must not turn the SQLite run into another.
    const { DATABASE_URL: _url, BENCH_JOIN: _join, ...env } = process.env;
    const child = fork(path.join(here, "bench-server.ts"), [], {
      cwd: serverDir,
      env: { ...env, ...(databaseUrl !== undefined && { DATABASE_URL: databaseUrl }), ...(join && { BENCH_JOIN: "1" }) },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    try {
      const ready = await nextMessage(child, "ready", 60_000);
      return new RelayProcess(child, ready);
    } catch (err) {
      child.kill();
      throw err;
    }
  }

  get baselineUrl() {
    return `http://127.0.0.1:${this.info.baselinePort}`;
  }

  get relayUrl() {
    return `http://127.0.0.1:${this.info.relayPort}`;
  }

  /** The household this relay seeded. */
  get household(): Household {
    if (this.info.household === null) throw new BenchBroken("This relay joined a database and seeded no household.");
    return this.info.household;
  }

  async countMessages(): Promise<number> {
    const reply = nextMessage(this.child, "message-count", 10_000);
    this.send({ type: "count-messages" });
    return (await reply).count;
  }

  /**
   * The count once the relay has finished what it had in hand: autocannon drops its sockets when a
   * timed run ends, but requests the relay had already read still commit.
   */
  async settledMessageCount(): Promise<number> {
    let previous = await this.countMessages();
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const current = await this.countMessages();
      if (current === previous) return current;
      previous = current;
    }
    throw new BenchBroken("The relay kept adding messages after the load stopped.");
  }

  /** The relay process's CPU time so far, in microseconds. */
  async cpuMicros(): Promise<number> {
    const reply = nextMessage(this.child, "cpu", 10_000);
    this.send({ type: "cpu" });
    return (await reply).micros;
  }

  /** Seeds the storm's residents and tablets in the relay process (see bench-server.ts). */
  async seedStorm(tablets: number): Promise<{ tablets: StormTablet[]; seconds: number }> {
    const reply = nextMessage(this.child, "storm-seeded", 300_000);
    this.send({ type: "seed-storm", tablets });
    return await reply;
  }

  async checkLog(): Promise<ResidentLog[]> {
    const reply = nextMessage(this.child, "log-check", 30_000);
    this.send({ type: "check-log" });
    return (await reply).residents;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.send({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private send(message: ToServer) {
    this.child.send(message);
  }
}

function nextMessage<T extends FromServer["type"]>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onMessage = (message: FromServer) => {
      if (message.type === type) {
        done();
        resolve(message as Extract<FromServer, { type: T }>);
      } else if (message.type === "failed") {
        done();
        reject(new BenchBroken(`The relay process failed: ${message.error}`));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new BenchBroken(`The relay process exited (${signal ?? `code ${code}`}) while waiting for "${type}".`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new BenchBroken(`The relay process did not answer "${type}" within ${timeoutMs / 1000} s.`));
    }, timeoutMs);
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

// Load --------------------------------------------------------------------------------------

type Load = { result: autocannon.Result; elapsedSeconds: number };

/** Runs autocannon; also times the span from start to the last response, which `result.duration` rounds up to a whole tick. */
function fire(options: autocannon.Options): Promise<Load> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let lastResponseAt = startedAt;
    const instance = autocannon({ connections: CONNECTIONS, ...options }, (err, result) => {
      if (err) reject(err);
      else resolve({ result, elapsedSeconds: (lastResponseAt - startedAt) / 1000 });
    });
    instance.on("response", () => {
      lastResponseAt = performance.now();
    });
  });
}

/** Every request must have got a 2xx, or the figure measures failures. */
function assertClean(label: string, { result }: Load): void {
  const codes = Object.entries(result.statusCodeStats ?? {})
    .map(([status, { count }]) => `${status}×${count ?? 0}`)
    .join(", ");
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0 || result["2xx"] === 0) {
    throw new BenchBroken(
      `${label}: ${result["2xx"]} ok, ${result.non2xx} not 2xx (${codes || "none"}), ${result.errors} errors, ${result.timeouts} timeouts.`,
    );
  }
}

type Measured = {
  rps: number;
  p50: number;
  p99: number;
  responses: number;
  bytesPerResponse: number;
  seconds: number;
  /** The relays' CPU time per response over the timed run, in microseconds. */
  cpuMicros: number;
};

function describe(label: string, m: Measured) {
  console.error(
    `  ${label.padEnd(24)} ${Math.round(m.rps).toString().padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  ` +
      `${m.responses} responses in ${m.seconds.toFixed(1)} s, ${Math.round(m.bytesPerResponse)} B each, ${Math.round(m.cpuMicros)} µs CPU each`,
  );
}

async function measureGet(
  label: string,
  relay: RelayProcess,
  url: string,
  headers: Record<string, string> = {},
): Promise<Measured> {
  assertClean(`${label} warm-up`, await fire({ url, headers, duration: WARMUP_SECONDS }));
  const cpuBefore = await relay.cpuMicros();
  const load = await fire({ url, headers, duration: SECONDS });
  const cpu = (await relay.cpuMicros()) - cpuBefore;
  assertClean(label, load);
  const { result } = load;
  const measured = {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses: result["2xx"],
    bytesPerResponse: result.throughput.total / result["2xx"],
    seconds: result.duration,
    cpuMicros: cpu / result["2xx"],
  };
  describe(label, measured);
  return measured;
}

/** GETs the URL once and checks the answer, so the load below measures the response it claims to. */
async function expectOnce(url: string, headers: Record<string, string>, check: (body: unknown) => void): Promise<void> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new BenchBroken(`GET ${url} answered ${res.status}: ${await res.text()}`);
  check(await res.json());
}

/** `total` split into `parts` whole shares that add up to it. */
const shares = (total: number, parts: number) =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/**
 * Durable sends from one family link, spread over `relays` (all on one database) at once: each
 * gets an equal share of the connections and of the requests, as a load balancer would share them.
 */
async function measureSends(label: string, relays: RelayProcess[], household: Household): Promise<Measured> {
  const [counter] = relays;
  if (counter === undefined) throw new BenchBroken("No relay to send to.");
  const connections = shares(CONNECTIONS, relays.length);
  const options = relays.map(
    (relay, i): autocannon.Options => ({
      url: `${relay.relayUrl}/api/family/messages`,
      method: "POST",
      connections: connections[i],
      headers: { "content-type": "application/json", authorization: `Bearer ${household.familyToken}` },
      // A fresh id per request: a repeated id would be an idempotent retry, answered without a write.
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ id: uuidv7(), text: "Hello Edith, just thinking of you. See you on Sunday!" }),
          }),
        },
      ],
    }),
  );

  const warmups = await Promise.all(options.map((o) => fire({ ...o, duration: WARMUP_SECONDS })));
  for (const warmup of warmups) assertClean(`${label} warm-up`, warmup);

  // A timed run ends by dropping its sockets, so requests in flight would be stored but never
  // counted. A fixed number of requests lets every one finish, which makes "2xx = rows added"
  // an exact check; the number comes from the warm-up's rate so the run lasts about SECONDS (its
  // best second, as the first one still runs cold code).
  const warmupRate = warmups
    .map(({ result, elapsedSeconds }) => Math.max(result.requests.max, result["2xx"] / elapsedSeconds))
    .reduce((a, b) => a + b, 0);
  const amount = Math.max(CONNECTIONS * 10, Math.round(warmupRate * SECONDS));
  const amounts = shares(amount, relays.length);

  const before = await counter.settledMessageCount();
  const cpuNow = () => Promise.all(relays.map((relay) => relay.cpuMicros()));
  const cpuBefore = await cpuNow();
  const loads = await Promise.all(options.map((o, i) => fire({ ...o, amount: amounts[i] })));
  // Every request has been answered by now: the relays' work for them is done.
  const cpuUsed = (await cpuNow()).map((micros, i) => micros - (cpuBefore[i] ?? 0));
  const cpu = cpuUsed.reduce((a, b) => a + b, 0);
  for (const [i, load] of loads.entries()) assertClean(relays.length > 1 ? `${label}, instance ${i + 1}` : label, load);
  const after = await counter.settledMessageCount();

  const sum = (of: (load: Load) => number) => loads.reduce((total, load) => total + of(load), 0);
  const acknowledged = sum(({ result }) => result["2xx"]);
  const created = sum(({ result }) => result.statusCodeStats?.["201"]?.count ?? 0);
  const added = after - before;
  // The loads started together; the run lasts until the last response of either.
  const seconds = Math.max(...loads.map((load) => load.elapsedSeconds));
  const measured = {
    rps: acknowledged / seconds,
    p50: Math.max(...loads.map(({ result }) => result.latency.p50)),
    p99: Math.max(...loads.map(({ result }) => result.latency.p99)),
    responses: acknowledged,
    bytesPerResponse: sum(({ result }) => result.throughput.total) / acknowledged,
    seconds,
    cpuMicros: cpu / acknowledged,
  };
  if (relays.length > 1) {
    for (const [i, { result, elapsedSeconds }] of loads.entries()) {
      describe(`  instance ${i + 1}`, {
        rps: result["2xx"] / elapsedSeconds,
        p50: result.latency.p50,
        p99: result.latency.p99,
        responses: result["2xx"],
        bytesPerResponse: result.throughput.total / result["2xx"],
        seconds: elapsedSeconds,
        cpuMicros: (cpuUsed[i] ?? 0) / result["2xx"],
      });
    }
  }
  describe(label, measured);
  const matches = added === acknowledged && created === added;
  console.error(
    `  durability check: ${acknowledged} 2xx responses (${created} × 201 Created) for ${amount} requests; ` +
      `${added} rows added to messages (${before} → ${after}): ${matches ? "match" : "MISMATCH"}`,
  );
  if (!matches) {
    throw new BenchBroken(`${label}: ${acknowledged} acknowledged (${created} created) but ${added} rows added to messages.`);
  }
  return measured;
}

// The reconnection storm ----------------------------------------------------------------------

type Storm = {
  p50: number;
  p99: number;
  /** Pulls answered 200 with the page they should have brought. */
  ok: number;
  errors: number;
  /** Answered pulls over the span from the first request to the last answer. */
  rps: number;
  seconds: number;
  /** How late the load generator issued its latest pull against the schedule: large means the figures undercount. */
  maxLagMs: number;
  cpuMicros: number;
};

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);

/**
 * One storm pull: a fresh connection (each tablet is its own client), the tablet's token and cursor.
 * Resolves to what was wrong with the answer, or null when it is the page the tablet should get.
 */
function stormPull(relayUrl: string, agent: http.Agent, tablet: StormTablet): Promise<string | null> {
  return new Promise((resolve) => {
    const url = `${relayUrl}/api/tablet/sync?after=${tablet.after}`;
    const request = http.get(
      url,
      { agent, headers: { authorization: `Bearer ${tablet.deviceToken}` }, timeout: STORM_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (err) => resolve(`response failed: ${err.message}`));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) return resolve(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
          try {
            const page = syncPageSchema.parse(JSON.parse(body));
            if (page.entries.length !== tablet.entries || page.cursor !== tablet.head || page.hasMore) {
              return resolve(
                `after=${tablet.after}: ${page.entries.length} entries to cursor ${page.cursor} (hasMore ${page.hasMore}), ` +
                  `not ${tablet.entries} to ${tablet.head}`,
              );
            }
            resolve(null);
          } catch (err) {
            resolve(`not a sync page: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${STORM_TIMEOUT_MS / 1000} s`)));
    request.on("error", (err) => resolve(`request failed: ${err.message}`));
  });
}

/**
 * After an outage every tablet reconnects at once: STORM_TABLETS distinct tablets each make their
 * sync pull, issued evenly over STORM_SECONDS by a schedule (open loop: a slow relay does not slow
 * the arrivals, so pulls pile up as they would). Latency runs from the moment a pull is issued to
 * the end of its answer; every answer is checked, and every failure counted.
 */
async function measureStorm(label: string, relay: RelayProcess): Promise<Storm> {
  const seeded = await relay.seedStorm(STORM_TABLETS);
  const { tablets } = seeded;
  const mix = new Map<number, number>();
  for (const t of tablets) mix.set(t.entries, (mix.get(t.entries) ?? 0) + 1);
  console.error(
    `  ${label}: seeded ${tablets.length} residents with paired tablets in ${seeded.seconds.toFixed(1)} s; pulls bringing ` +
      [...mix.entries()]
        .sort(([a], [b]) => a - b)
        .map(([entries, count]) => `${entries} entries ×${count}`)
        .join(", "),
  );
  // No keep-alive: each tablet opens its own connection, as 2,000 tablets coming back would.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const interval = (STORM_SECONDS * 1000) / tablets.length;
  const latencies: number[] = [];
  const failures = new Map<string, number>();
  let maxLagMs = 0;
  const cpuBefore = await relay.cpuMicros();
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const pending: Promise<void>[] = [];
  for (const [i, tablet] of tablets.entries()) {
    const due = startedAt + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const issuedAt = performance.now();
    maxLagMs = Math.max(maxLagMs, issuedAt - due);
    pending.push(
      stormPull(relay.relayUrl, agent, tablet).then((fault) => {
        const now = performance.now();
        lastAnswerAt = Math.max(lastAnswerAt, now);
        if (fault === null) latencies.push(now - issuedAt);
        else failures.set(fault, (failures.get(fault) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(pending);
  const cpu = (await relay.cpuMicros()) - cpuBefore;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const errors = [...failures.values()].reduce((a, b) => a + b, 0);
  if (latencies.length === 0) throw new BenchBroken(`${label}: not one pull was answered right: ${[...failures.keys()][0]}`);
  const seconds = (lastAnswerAt - startedAt) / 1000;
  const storm: Storm = {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: latencies.length,
    errors,
    rps: (latencies.length + errors) / seconds,
    seconds,
    maxLagMs,
    cpuMicros: cpu / tablets.length,
  };
  console.error(
    `  ${label.padEnd(24)} ${Math.round(storm.rps).toString().padStart(6)} req/s  p50 ${storm.p50.toFixed(2)} ms  ` +
      `p99 ${storm.p99.toFixed(2)} ms  max ${(latencies.at(-1) ?? 0).toFixed(1)} ms  ${storm.ok} ok, ${errors} errors ` +
      `in ${seconds.toFixed(2)} s, ${Math.round(storm.cpuMicros)} µs CPU each, issued up to ${maxLagMs.toFixed(1)} ms late`,
  );
  // Counted, and shown: the error count has a budget of 0, so a run with errors is a missed budget, not a broken bench.
  for (const [fault, count] of failures) console.error(`  !!! storm pull failed ×${count}: ${fault}`);
  return storm;
}

const stormFigures = (prefix: string, storm: Storm): Figure[] => [
  { name: `${prefix}reconnect_storm_p99_ms`, value: round(storm.p99, 2), unit: "ms", budget: TARGETS.stormP99Ms },
  { name: `${prefix}reconnect_storm_p50_ms`, value: round(storm.p50, 2), unit: "ms", budget: null },
  { name: `${prefix}reconnect_storm_errors`, value: storm.errors, unit: "errors", budget: TARGETS.stormErrors },
  { name: `${prefix}reconnect_storm_rps`, value: round(storm.rps, 1), unit: "req/s", budget: null },
  { name: `${prefix}reconnect_storm_cpu_us`, value: round(storm.cpuMicros, 1), unit: "µs", budget: null },
  // The load generator's own delay: when it is large, the machine was too busy for the other figures to stand.
  { name: `${prefix}reconnect_storm_issue_lag_ms`, value: round(storm.maxLagMs, 1), unit: "ms", budget: null },
];

type EngineRun = { empty: Measured; page: Measured; sends: Measured };

/** The two pulls and the sends against one relay, each checked once before it is loaded. */
async function measureEngine(prefix: string, relay: RelayProcess): Promise<EngineRun> {
  const household = relay.household;
  const tablet = { authorization: `Bearer ${household.deviceToken}` };
  const emptyUrl = `${relay.relayUrl}/api/tablet/sync?after=${household.latestSeq}`;
  const pageUrl = `${relay.relayUrl}/api/tablet/sync?after=0&limit=50`;
  await expectOnce(emptyUrl, tablet, (body) => {
    const page = syncPageSchema.parse(body);
    if (page.entries.length !== 0 || page.hasMore || page.cursor !== household.latestSeq) {
      throw new BenchBroken(`The empty pull returned ${page.entries.length} entries, cursor ${page.cursor}.`);
    }
  });
  await expectOnce(pageUrl, tablet, (body) => {
    const page = syncPageSchema.parse(body);
    if (page.entries.length !== 50 || !page.hasMore) {
      throw new BenchBroken(`The 50-entry pull returned ${page.entries.length} entries, hasMore ${page.hasMore}.`);
    }
  });
  return {
    empty: await measureGet(`${prefix}sync pull empty`, relay, emptyUrl, tablet),
    page: await measureGet(`${prefix}sync pull 50`, relay, pageUrl, tablet),
    sends: await measureSends(`${prefix}send (durable)`, [relay], household),
  };
}

// The log check -----------------------------------------------------------------------------

/** What is wrong with each resident's log: a missing or repeated seq, or a message off its entry. */
function logFaults(residents: ResidentLog[]): string[] {
  const faults: string[] = [];
  for (const r of residents) {
    const span = r.entries === 0 ? "no entries" : `entries ${r.minSeq}..${r.maxSeq}`;
    if (
      r.entries !== r.lastSeq ||
      r.distinctSeqs !== r.entries ||
      (r.entries > 0 && (r.minSeq !== 1 || r.maxSeq !== r.lastSeq))
    ) {
      faults.push(
        `resident ${r.residentId}: last_seq ${r.lastSeq} but ${r.entries} log entries with ${r.distinctSeqs} distinct seqs (${span})`,
      );
    }
    if (r.distinctMessageSeqs !== r.messages) {
      faults.push(`resident ${r.residentId}: ${r.messages} messages share ${r.distinctMessageSeqs} seqs`);
    }
    if (r.messagesWithoutEntry > 0) {
      faults.push(`resident ${r.residentId}: ${r.messagesWithoutEntry} messages have no log entry of their own seq`);
    }
  }
  return faults;
}

/** Checks the log through `relay` and prints the outcome; false when it has a gap or a duplicate. */
async function reportLog(where: string, relay: RelayProcess): Promise<boolean> {
  const residents = await relay.checkLog();
  const faults = logFaults(residents);
  if (faults.length === 0) {
    // The storm's residents would make a list thousands long: the range says as much.
    const seqs = residents.map((r) => r.lastSeq);
    const heads = seqs.length <= 5 ? seqs.join(", ") : `${Math.min(...seqs)}..${Math.max(...seqs)}`;
    console.error(`  log check (${where}): seqs gap-free and unique for ${residents.length} resident(s), up to ${heads}`);
    return true;
  }
  console.error(`\n  !!! LOG SEQUENCE FAULT (${where}): the store handed out seqs with gaps or duplicates !!!`);
  for (const fault of faults) console.error(`  !!! ${fault}`);
  console.error("");
  return false;
}

// Report ------------------------------------------------------------------------------------

const rate = (name: string, m: Measured, unit: string, budget: number | null = null): Figure => ({
  name,
  value: round(m.rps, 1),
  unit,
  budget,
});
const p99 = (name: string, m: Measured): Figure => ({ name, value: round(m.p99, 2), unit: "ms", budget: null });
const cpu = (name: string, m: Measured): Figure => ({ name, value: round(m.cpuMicros, 1), unit: "µs", budget: null });

/** PostgreSQL's rate and p99 over SQLite's, each with the "within 2×" budget. */
function versusSqlite(name: string, pg: Measured, sqlite: Measured): Figure[] {
  return [
    { name: `${name}_vs_sqlite`, value: round(pg.rps / sqlite.rps, 3), unit: "ratio", budget: 1 / TARGETS.postgresVsSqlite },
    { name: `${name}_p99_vs_sqlite`, value: round(pg.p99 / sqlite.p99, 3), unit: "ratio", budget: TARGETS.postgresVsSqlite },
  ];
}

/** Times, error counts and p99 ratios must stay under their budgets; rates and their ratios over. */
const boundOf = (f: Figure) =>
  f.unit === "ms" || f.unit === "µs" || f.unit === "errors" || f.name.includes("_p99_") ? "≤" : "≥";

// Main --------------------------------------------------------------------------------------

async function measureSqlite(figures: Figure[]): Promise<EngineRun> {
  const relay = await RelayProcess.start();
  try {
    const { database } = relay.info;
    if (database.engine !== "sqlite") throw new BenchBroken(`The SQLite relay opened ${database.engine}.`);
    console.error(`  relay ready: SQLite journal_mode=${database.journalMode} synchronous=${database.synchronous} (2 = FULL)`);
    if (database.journalMode !== "wal" || database.synchronous !== 2) {
      throw new BenchBroken(
        "The relay's SQLite file is not in WAL mode with synchronous=FULL, so it is not the relay that ships.",
      );
    }
    await expectOnce(relay.baselineUrl, {}, (body) => {
      if ((body as { ok?: unknown }).ok !== true) throw new BenchBroken("The baseline route did not answer { ok: true }.");
    });
    const baseline = await measureGet("baseline", relay, relay.baselineUrl);
    const run = await measureEngine("", relay);
    figures.push(
      rate("relay.baseline_rps", baseline, "req/s"),
      p99("relay.baseline_p99_ms", baseline),
      cpu("relay.baseline_cpu_us", baseline),
      rate("relay.sync_pull_empty_rps", run.empty, "req/s"),
      p99("relay.sync_pull_empty_p99_ms", run.empty),
      cpu("relay.sync_pull_empty_cpu_us", run.empty),
      rate("relay.sync_pull_50_rps", run.page, "req/s"),
      p99("relay.sync_pull_50_p99_ms", run.page),
      cpu("relay.sync_pull_50_cpu_us", run.page),
      rate("relay.send_durable_per_s", run.sends, "msg/s", TARGETS.sendsPerSecond),
      p99("relay.send_durable_p99_ms", run.sends),
      cpu("relay.send_cpu_us", run.sends),
      {
        name: "relay.sync_pull_empty_ratio",
        value: round(run.empty.rps / baseline.rps, 3),
        unit: "ratio",
        budget: TARGETS.pullRatio,
      },
      {
        name: "relay.sync_pull_50_ratio",
        value: round(run.page.rps / baseline.rps, 3),
        unit: "ratio",
        budget: TARGETS.pullRatio,
      },
    );
    figures.push(...stormFigures("relay.", await measureStorm("reconnect storm", relay)));
    if (!(await reportLog("SQLite", relay))) logFaulty = true;
    return run;
  } finally {
    await relay.stop();
  }
}

async function measurePostgres(figures: Figure[], sqlite: EngineRun): Promise<void> {
  const database = await freshPostgres();
  // Ctrl-C ends the relays with the bench; the database would outlive them.
  const onInterrupt = () => void database.drop().finally(() => process.exit(130));
  process.once("SIGINT", onInterrupt);
  try {
    const relay = await RelayProcess.start({ databaseUrl: database.url });
    try {
      const durability = relay.info.database;
      if (durability.engine !== "postgres") throw new BenchBroken(`The PostgreSQL relay opened ${durability.engine}.`);
      console.error(
        `  relay ready: PostgreSQL database ${database.name}, synchronous_commit=${durability.synchronousCommit} fsync=${durability.fsync}`,
      );
      if (durability.synchronousCommit !== "on") {
        throw new BenchBroken(
          "The relay's PostgreSQL connections do not wait for commits to reach the disk (synchronous_commit).",
        );
      }
      if (durability.fsync !== "on")
        console.error("  note: this PostgreSQL server runs with fsync=off, so its commits are not durable");

      const run = await measureEngine("pg ", relay);
      figures.push(
        rate("relay.pg.sync_pull_empty_rps", run.empty, "req/s"),
        p99("relay.pg.sync_pull_empty_p99_ms", run.empty),
        cpu("relay.pg.sync_pull_empty_cpu_us", run.empty),
        rate("relay.pg.sync_pull_50_rps", run.page, "req/s"),
        p99("relay.pg.sync_pull_50_p99_ms", run.page),
        cpu("relay.pg.sync_pull_50_cpu_us", run.page),
        rate("relay.pg.send_durable_per_s", run.sends, "msg/s"),
        p99("relay.pg.send_durable_p99_ms", run.sends),
        cpu("relay.pg.send_cpu_us", run.sends),
        ...versusSqlite("relay.pg.sync_pull_empty", run.empty, sqlite.empty),
        ...versusSqlite("relay.pg.sync_pull_50", run.page, sqlite.page),
        ...versusSqlite("relay.pg.send_durable", run.sends, sqlite.sends),
      );
      figures.push(...stormFigures("relay.pg.", await measureStorm("pg reconnect storm", relay)));
      if (!(await reportLog("PostgreSQL, one instance", relay))) logFaulty = true;

      const second = await RelayProcess.start({ databaseUrl: database.url, join: true });
      try {
        const two = await measureSends("pg send, 2 instances", [relay, second], relay.household);
        figures.push(
          rate("relay.pg.two_instances.send_durable_per_s", two, "msg/s"),
          p99("relay.pg.two_instances.send_durable_p99_ms", two),
          cpu("relay.pg.two_instances.send_cpu_us", two),
          ...versusSqlite("relay.pg.two_instances.send_durable", two, sqlite.sends),
          {
            name: "relay.pg.two_instances.send_durable_vs_one",
            value: round(two.rps / run.sends.rps, 3),
            unit: "ratio",
            budget: null,
          },
        );
      } finally {
        // Also after a failed run: concurrent writers are where a gap would come from.
        const clean = await reportLog("PostgreSQL, two instances", relay).catch((err: unknown) => {
          console.error(`  log check (PostgreSQL, two instances) could not run: ${err instanceof Error ? err.message : err}`);
          return false;
        });
        if (!clean) logFaulty = true;
        await second.stop();
      }
    } finally {
      await relay.stop();
    }
  } finally {
    await database.drop();
    process.off("SIGINT", onInterrupt);
  }
}

/** Set when a log check found a gap or duplicate seq (or could not run): the run fails, the figures stand. */
let logFaulty = false;

async function main() {
  console.error(
    `relay bench: ${SECONDS} s per measurement after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ` +
      `${os.availableParallelism()} CPUs, Node ${process.versions.node}`,
  );
  // Other work on the machine takes the same cores: say so, since it lowers every figure.
  const loadNote = (when: string) => {
    const [load1 = 0, load5 = 0] = os.loadavg();
    const busy = load1 > 0.5 ? "; other processes are busy, so every figure is lower than on an idle machine" : "";
    console.error(`  load average ${when}: ${load1.toFixed(2)} (1 min), ${load5.toFixed(2)} (5 min)${busy}`);
  };
  loadNote("before starting");
  const figures: Figure[] = [];
  let finished = false;
  try {
    console.error("SQLite:");
    const sqlite = await measureSqlite(figures);
    console.error("PostgreSQL:");
    await measurePostgres(figures, sqlite);
    finished = true;
  } finally {
    loadNote("at the end");
    if (figures.length > 0) {
      console.error(finished ? "" : "\n(the run broke before it finished: the figures measured so far)");
      printTable(figures, boundOf);
      writeResults("relay.", figures);
      console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
    }
    if (logFaulty) {
      console.error("\nrelay bench: LOG SEQUENCE FAULT — see the log checks above; the store handed out bad seqs.");
      process.exitCode = 1;
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchBroken ? `relay bench broke: ${err.message}` : err);
  process.exitCode = 1;
});
