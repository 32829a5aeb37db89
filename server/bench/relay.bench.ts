/**
 * Relay benchmark: what the relay serves per second on this machine, against a bare Hono route.
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
 * plus the two pull figures as a share of the baseline.
 *
 * The relay (bench-server.ts) runs in a child process so autocannon does not take its CPU; it is the
 * real app on a fresh SQLite file (WAL, synchronous=FULL) in a temp folder.
 *
 * Run: `pnpm bench` at the repo root. Settings (environment): BENCH_SECONDS per measurement
 * (default 10), BENCH_WARMUP_SECONDS before each (default 2), BENCH_CONNECTIONS (default 50).
 *
 * Prints a table and writes the figures to bench-results.json at the repo root, replacing earlier
 * `relay.*` entries and keeping other benchmarks' entries. Targets are reported, never asserted:
 * the exit code is non-zero only when the benchmark itself broke (the relay did not start, a
 * request failed, or the message count does not add up).
 */
import { type ChildProcess, fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { syncPageSchema } from "@letterbox/shared";
import autocannon from "autocannon";
import { uuidv7 } from "uuidv7";
import type { FromServer, ServerReady, ToServer } from "./protocol";
import { type Figure, printTable, writeResults } from "./results";

const here = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.resolve(here, "..");
const resultsFile = path.resolve(here, "../../bench-results.json");

/** A failure of the benchmark itself, as opposed to a missed target. */
class BenchBroken extends Error {}

const SECONDS = envNumber("BENCH_SECONDS", 10);
const WARMUP_SECONDS = envNumber("BENCH_WARMUP_SECONDS", 2);
const CONNECTIONS = Math.round(envNumber("BENCH_CONNECTIONS", 50));

const TARGETS = { pullRatio: 0.6, sendsPerSecond: 5000 };

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

class RelayProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly info: ServerReady,
  ) {}

  static async start(): Promise<RelayProcess> {
    const child = fork(path.join(here, "bench-server.ts"), [], {
      cwd: serverDir,
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

type Measured = { rps: number; p99: number; responses: number; bytesPerResponse: number; seconds: number };

function describe(label: string, { result }: Load, m: Measured) {
  console.error(
    `  ${label.padEnd(16)} ${Math.round(m.rps).toString().padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${m.p99} ms  ` +
      `${m.responses} responses in ${m.seconds.toFixed(1)} s, ${Math.round(m.bytesPerResponse)} B each`,
  );
}

async function measureGet(label: string, url: string, headers: Record<string, string> = {}): Promise<Measured> {
  assertClean(`${label} warm-up`, await fire({ url, headers, duration: WARMUP_SECONDS }));
  const load = await fire({ url, headers, duration: SECONDS });
  assertClean(label, load);
  const { result } = load;
  const measured = {
    rps: result.requests.average,
    p99: result.latency.p99,
    responses: result["2xx"],
    bytesPerResponse: result.throughput.total / result["2xx"],
    seconds: result.duration,
  };
  describe(label, load, measured);
  return measured;
}

/** GETs the URL once and checks the answer, so the load below measures the response it claims to. */
async function expectOnce(url: string, headers: Record<string, string>, check: (body: unknown) => void): Promise<void> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new BenchBroken(`GET ${url} answered ${res.status}: ${await res.text()}`);
  check(await res.json());
}

async function measureSends(relay: RelayProcess) {
  const options: autocannon.Options = {
    url: `${relay.relayUrl}/api/family/messages`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${relay.info.familyToken}` },
    // A fresh id per request: a repeated id would be an idempotent retry, answered without a write.
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ id: uuidv7(), text: "Hello Edith, just thinking of you. See you on Sunday!" }),
        }),
      },
    ],
  };

  const warmup = await fire({ ...options, duration: WARMUP_SECONDS });
  assertClean("send warm-up", warmup);

  // A timed run ends by dropping its sockets, so requests in flight would be stored but never
  // counted. A fixed number of requests lets every one finish, which makes "2xx = rows added"
  // an exact check; the number comes from the warm-up's rate so the run lasts about SECONDS (its
  // best second, as the first one still runs cold code).
  const warmupRate = Math.max(warmup.result.requests.max, warmup.result["2xx"] / warmup.elapsedSeconds);
  const amount = Math.max(CONNECTIONS * 10, Math.round(warmupRate * SECONDS));

  const before = await relay.settledMessageCount();
  const load = await fire({ ...options, amount });
  assertClean("send", load);
  const after = await relay.settledMessageCount();

  const { result } = load;
  const created = result.statusCodeStats?.["201"]?.count ?? 0;
  const added = after - before;
  const measured = {
    rps: result["2xx"] / load.elapsedSeconds,
    p99: result.latency.p99,
    responses: result["2xx"],
    bytesPerResponse: result.throughput.total / result["2xx"],
    seconds: load.elapsedSeconds,
  };
  describe("send (durable)", load, measured);
  console.error(
    `  durability check: ${result["2xx"]} 2xx responses (${created} × 201 Created) for ${amount} requests; ` +
      `${added} rows added to messages (${before} → ${after}): ${added === result["2xx"] && created === added ? "match" : "MISMATCH"}`,
  );
  if (added !== result["2xx"] || created !== added) {
    throw new BenchBroken(
      `Durable sends: ${result["2xx"]} acknowledged (${created} created) but ${added} rows added to messages.`,
    );
  }
  return measured;
}

// Report ------------------------------------------------------------------------------------

// Main --------------------------------------------------------------------------------------

async function main() {
  console.error(
    `relay bench: ${SECONDS} s per measurement after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ` +
      `${os.availableParallelism()} CPUs, Node ${process.versions.node}`,
  );
  // Other work on the machine takes the same two cores: say so, since it lowers every figure.
  const [load1 = 0] = os.loadavg();
  if (load1 > 0.5) console.error(`  note: load average is ${load1.toFixed(2)} before starting; other processes are busy`);
  const relay = await RelayProcess.start();
  try {
    const { info } = relay;
    console.error(`  relay ready: SQLite journal_mode=${info.journalMode} synchronous=${info.synchronous} (2 = FULL)`);
    if (info.journalMode !== "wal" || info.synchronous !== 2) {
      throw new BenchBroken(
        "The relay's SQLite file is not in WAL mode with synchronous=FULL, so it is not the relay that ships.",
      );
    }
    const tablet = { authorization: `Bearer ${info.deviceToken}` };
    const emptyUrl = `${relay.relayUrl}/api/tablet/sync?after=${info.latestSeq}`;
    const pageUrl = `${relay.relayUrl}/api/tablet/sync?after=0&limit=50`;

    await expectOnce(relay.baselineUrl, {}, (body) => {
      if ((body as { ok?: unknown }).ok !== true) throw new BenchBroken("The baseline route did not answer { ok: true }.");
    });
    await expectOnce(emptyUrl, tablet, (body) => {
      const page = syncPageSchema.parse(body);
      if (page.entries.length !== 0 || page.hasMore || page.cursor !== info.latestSeq) {
        throw new BenchBroken(`The empty pull returned ${page.entries.length} entries, cursor ${page.cursor}.`);
      }
    });
    await expectOnce(pageUrl, tablet, (body) => {
      const page = syncPageSchema.parse(body);
      if (page.entries.length !== 50 || !page.hasMore) {
        throw new BenchBroken(`The 50-entry pull returned ${page.entries.length} entries, hasMore ${page.hasMore}.`);
      }
    });

    const baseline = await measureGet("baseline", relay.baselineUrl);
    const empty = await measureGet("sync pull empty", emptyUrl, tablet);
    const page = await measureGet("sync pull 50", pageUrl, tablet);
    const sends = await measureSends(relay);

    const figures: Figure[] = [
      { name: "relay.baseline_rps", value: round(baseline.rps, 1), unit: "req/s", budget: null },
      { name: "relay.baseline_p99_ms", value: round(baseline.p99, 2), unit: "ms", budget: null },
      { name: "relay.sync_pull_empty_rps", value: round(empty.rps, 1), unit: "req/s", budget: null },
      { name: "relay.sync_pull_empty_p99_ms", value: round(empty.p99, 2), unit: "ms", budget: null },
      { name: "relay.sync_pull_50_rps", value: round(page.rps, 1), unit: "req/s", budget: null },
      { name: "relay.sync_pull_50_p99_ms", value: round(page.p99, 2), unit: "ms", budget: null },
      { name: "relay.send_durable_per_s", value: round(sends.rps, 1), unit: "msg/s", budget: TARGETS.sendsPerSecond },
      { name: "relay.send_durable_p99_ms", value: round(sends.p99, 2), unit: "ms", budget: null },
      {
        name: "relay.sync_pull_empty_ratio",
        value: round(empty.rps / baseline.rps, 3),
        unit: "ratio",
        budget: TARGETS.pullRatio,
      },
      { name: "relay.sync_pull_50_ratio", value: round(page.rps / baseline.rps, 3), unit: "ratio", budget: TARGETS.pullRatio },
    ];
    console.error("");
    printTable(figures, "≥");
    writeResults("relay.", figures);
    console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  } finally {
    await relay.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchBroken ? `relay bench broke: ${err.message}` : err);
  process.exitCode = 1;
});
