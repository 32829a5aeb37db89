/**
 * Stop benchmark: how long the relay takes to stop on SIGTERM while tablets poll it, and whether
 * any request is reset.
 *
 * Starts the relay as `pnpm start` does (src/main.ts in a child process, a fresh DATA_DIR, a free
 * port), then BENCH_STOP_CLIENTS tablets (default 200), each on its own keep-alive connection,
 * poll it every 150–450 ms (seeded, so every run makes the same pattern); the route is /healthz, as
 * the stop does not depend on what a poll reads. After the polls have run for a while the relay
 * gets SIGTERM. A tablet stops polling once it is told `Connection: close` or finds the relay gone
 * (connection refused: nothing was sent).
 *
 *   - stop.sigterm_to_exit_ms  from SIGTERM until the process has exited (budget 1,000 ms);
 *   - stop.relay_ms            the relay's own figure, from the start of the stop until its last
 *                              connection closed (its relay.stopped log line);
 *   - stop.requests_reset      requests that were sent and got no complete answer, even when sent
 *                              again as a browser would (budget 0);
 *   - stop.idle_close_races    requests that went out on an idle connection as the relay closed it,
 *                              and were sent again.
 *
 * Prints a table and writes the figures to bench-results.json (replacing earlier `stop.*` ones).
 * The exit code is non-zero only when the benchmark itself broke.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Figure, printTable, writeResults } from "./results";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLIENTS = Number(process.env.BENCH_STOP_CLIENTS ?? 200);
const POLLING_MS = 3_000;
const BUDGET = { stopMs: 1_000, resets: 0 };

class BenchBroken extends Error {}

/** mulberry32: a small seeded generator, so the polling pattern is the same from run to run. */
function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startRelay(dataDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const events: Record<string, unknown>[] = [];
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, events, exited };
}

async function waitForEvent(events: Record<string, unknown>[], name: string, child: ChildProcess) {
  const until = performance.now() + 60_000;
  while (performance.now() < until) {
    const found = events.find((e) => e.event === name);
    if (found) return found;
    if (child.exitCode !== null) throw new BenchBroken(`The relay exited before "${name}".`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new BenchBroken(`The relay did not log "${name}" within 60 s.`);
}

type Tally = { answered: number; retried: number; reset: number; refused: number; errors: Map<string, number> };

type Outcome = "answered" | "closing" | "refused" | "raced" | "reset";

/** One poll. `raced`: the relay closed the idle connection as this request went out on it. */
function poll(port: number, agent: http.Agent, tally: Tally): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", agent }, (res) => {
      res.resume();
      res.on("end", () => {
        tally.answered++;
        resolve(res.headers.connection === "close" ? "closing" : "answered");
      });
      res.on("error", () => resolve("reset"));
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (code === "ECONNREFUSED") resolve("refused");
      else if (req.reusedSocket && code === "ECONNRESET") resolve("raced");
      else {
        tally.errors.set(code, (tally.errors.get(code) ?? 0) + 1);
        resolve("reset");
      }
    });
  });
}

/**
 * One tablet: polls on its own keep-alive connection until the relay says it is going. A request
 * that meets the close of its idle connection is sent once more on a new one, as browsers do (and
 * as Node's documentation of `request.reusedSocket` advises): HTTP lets a server close an idle
 * connection at any moment, so only that retry tells a lost request from a race.
 */
async function tablet(port: number, random: () => number, tally: Tally) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // Bounded, in case a relay never stops: far more polls than the run needs.
    for (let n = 0; n < 200; n++) {
      await new Promise((resolve) => setTimeout(resolve, 150 + random() * 300));
      // A browser checks that an idle connection is still open before it reuses it; Node's agent
      // does not, and its timers run before it reads what has arrived. One turn of I/O first lets
      // it see a close that is already there.
      await new Promise((resolve) => setImmediate(resolve));
      let outcome = await poll(port, agent, tally);
      if (outcome === "raced") {
        tally.retried++;
        outcome = await poll(port, agent, tally);
        if (outcome === "raced") outcome = "reset";
      }
      if (outcome === "refused") tally.refused++;
      if (outcome === "reset") tally.reset++;
      if (outcome !== "answered") return;
    }
  } finally {
    agent.destroy();
  }
}

async function main() {
  console.error(`stop bench: ${CLIENTS} tablets polling, ${os.availableParallelism()} CPUs, Node ${process.versions.node}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-stop-bench-"));
  const relay = startRelay(dataDir);
  try {
    const started = await waitForEvent(relay.events, "relay.started", relay.child);
    const port = Number(started.port);
    const random = seeded(9);
    const tally: Tally = { answered: 0, retried: 0, reset: 0, refused: 0, errors: new Map() };
    const tablets = Array.from({ length: CLIENTS }, () => tablet(port, seeded(Math.floor(random() * 2 ** 32)), tally));

    await new Promise((resolve) => setTimeout(resolve, POLLING_MS));
    const answeredBefore = tally.answered;
    const signalledAt = performance.now();
    relay.child.kill("SIGTERM");
    const code = await relay.exited;
    const exitMs = performance.now() - signalledAt;
    await Promise.all(tablets);
    if (code !== 0) throw new BenchBroken(`The relay exited with code ${code}.`);
    if (answeredBefore < CLIENTS) throw new BenchBroken(`Only ${answeredBefore} polls were answered before the stop.`);
    const stopped = relay.events.find((e) => e.event === "relay.stopped");
    if (!stopped) throw new BenchBroken("The relay did not log relay.stopped.");

    console.error(
      `  ${answeredBefore} polls before SIGTERM; ${tally.answered - answeredBefore} answered during the stop, ` +
        `${tally.refused} refused (sent nothing), ${tally.retried} sent again after meeting the close of an idle connection, ` +
        `${tally.reset} reset` +
        (tally.errors.size ? ` (${[...tally.errors].map(([c, n]) => `${c}×${n}`).join(", ")})` : "") +
        `; ${stopped.cut} connections cut at the deadline`,
    );
    const figures: Figure[] = [
      { name: "stop.sigterm_to_exit_ms", value: Math.round(exitMs), unit: "ms", budget: BUDGET.stopMs },
      { name: "stop.relay_ms", value: Number(stopped.ms), unit: "ms", budget: null },
      { name: "stop.requests_reset", value: tally.reset, unit: "requests", budget: BUDGET.resets },
      { name: "stop.idle_close_races", value: tally.retried, unit: "requests", budget: null },
    ];
    printTable(figures);
    writeResults("stop.", figures);
  } finally {
    relay.child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof BenchBroken ? `stop bench broke: ${err.message}` : err);
  process.exitCode = 1;
});
