/**
 * Start-up benchmark: the built relay (`node dist/main.js`, what `pnpm start` and the deployment
 * files run) against the TypeScript sources under tsx (how the relay ran before it had a build),
 * in the same run on the same machine.
 *
 * Each run starts the relay in a child process on a data folder made by a first start (so it
 * migrates nothing and makes no keys, as a restart in production), then measures:
 *   - startup.<kind>_listen_ms  from spawn until its `relay.started` log line (it listens);
 *   - startup.<kind>_ready_ms   from spawn until `/readyz` first answers 200 (asked every 5 ms
 *                               from the moment it listens);
 *   - startup.<kind>_idle_rss_mb  its resident memory after 3 s idle past ready (VmRSS).
 * Medians of BENCH_STARTUP_RUNS runs (default 5) of each kind, alternating, plus the built/tsx
 * ratios. Needs `pnpm build` first (`pnpm bench` does it).
 *
 * Run: `pnpm bench` at the repo root, or `node --import tsx bench/startup.bench.ts` in server/.
 * Prints a table and writes the figures to bench-results.json (replacing earlier `startup.*` ones).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Figure, printTable, writeResults } from "./results";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);
const IDLE_MS = 3_000;

const KINDS = {
  built: ["--enable-source-maps", "dist/main.js"],
  tsx: ["--import", "tsx", "src/main.ts"],
} as const;
type Kind = keyof typeof KINDS;

type Run = { listenMs: number; readyMs: number; idleRssMb: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`No VmRSS for process ${pid}.`);
  return Math.round(kb / 102.4) / 10;
}

async function startOnce(kind: Kind, dataDir: string, measure: boolean): Promise<Run> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, KINDS[kind], {
    cwd: serverDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const { port, listenMs } = await new Promise<{ port: number; listenMs: number }>((resolve, reject) => {
      let buffered = "";
      const timer = setTimeout(() => reject(new Error(`The ${kind} relay did not start within 60 s.`)), 60_000);
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          const event = JSON.parse(line) as { event?: string; port?: number };
          if (event.event === "relay.started" && typeof event.port === "number") {
            clearTimeout(timer);
            resolve({ port: event.port, listenMs: performance.now() - startedAt });
          }
        }
      });
      child.once("exit", (code) => reject(new Error(`The ${kind} relay exited (${code}) before it listened.`)));
    });
    let readyMs = Number.NaN;
    while (performance.now() - startedAt < 60_000) {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      await res?.arrayBuffer();
      if (res?.status === 200) {
        readyMs = performance.now() - startedAt;
        break;
      }
      await sleep(5);
    }
    if (Number.isNaN(readyMs)) throw new Error(`The ${kind} relay was not ready within 60 s.`);
    if (!measure) return { listenMs, readyMs, idleRssMb: Number.NaN };
    await sleep(IDLE_MS);
    return { listenMs, readyMs, idleRssMb: rssMb(child.pid as number) };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (n: number, places = 0) => Math.round(n * 10 ** places) / 10 ** places;

async function main() {
  if (!fs.existsSync(path.join(serverDir, "dist/main.js"))) {
    throw new Error("No built relay in server/dist: run `pnpm build` first.");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-startup-"));
  try {
    // The first start migrates and makes the push keys; the measured ones find them there.
    await startOnce("built", dataDir, false);
    const runs: Record<Kind, Run[]> = { built: [], tsx: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const kind of ["tsx", "built"] as const) runs[kind].push(await startOnce(kind, dataDir, true));
    }
    const figures: Figure[] = [];
    const medians = {} as Record<Kind, Run>;
    for (const kind of ["tsx", "built"] as const) {
      medians[kind] = {
        listenMs: median(runs[kind].map((r) => r.listenMs)),
        readyMs: median(runs[kind].map((r) => r.readyMs)),
        idleRssMb: median(runs[kind].map((r) => r.idleRssMb)),
      };
      figures.push(
        { name: `startup.${kind}_listen_ms`, value: round(medians[kind].listenMs), unit: "ms", budget: null },
        { name: `startup.${kind}_ready_ms`, value: round(medians[kind].readyMs), unit: "ms", budget: null },
        { name: `startup.${kind}_idle_rss_mb`, value: round(medians[kind].idleRssMb, 1), unit: "MB", budget: null },
      );
    }
    figures.push(
      {
        name: "startup.built_to_tsx_ready_ratio",
        value: round(medians.built.readyMs / medians.tsx.readyMs, 2),
        unit: "×",
        budget: null,
      },
      {
        name: "startup.built_to_tsx_rss_ratio",
        value: round(medians.built.idleRssMb / medians.tsx.idleRssMb, 2),
        unit: "×",
        budget: null,
      },
    );
    console.log(`\nRelay start-up, median of ${RUNS} runs each (load average ${os.loadavg()[0]?.toFixed(2)})\n`);
    printTable(figures);
    writeResults("startup.", figures);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
