import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, onTestFinished } from "vitest";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs the relay as `pnpm start` does, collecting its JSON log lines. */
function startProcess(dataDir: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (e: Record<string, unknown>) => void }[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const w of waiters.filter((w) => w.event === event.event)) w.resolve(event);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const waitFor = (event: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = events.find((e) => e.event === event);
      if (seen) resolve(seen);
      else waiters.push({ event, resolve });
    });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  return { child, events, exited, waitFor };
}

it("stops cleanly on SIGTERM: logs the stop, exits 0 and leaves the database checkpointed", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-main-"));
  onTestFinished(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const relay = startProcess(dataDir);
  const started = await relay.waitFor("relay.started");

  const health = await fetch(`http://127.0.0.1:${started.port}/healthz`);
  expect(health.status).toBe(200);
  await relay.waitFor("request");
  expect(fs.existsSync(path.join(dataDir, "letterbox.sqlite-wal"))).toBe(true);

  relay.child.kill("SIGTERM");
  expect(await relay.exited).toBe(0);
  expect(relay.events.map((e) => e.event)).toEqual(expect.arrayContaining(["relay.stopping", "relay.stopped"]));
  // Closing the last connection folds the write-ahead log into the database file.
  expect(fs.existsSync(path.join(dataDir, "letterbox.sqlite-wal"))).toBe(false);
  const request = relay.events.find((e) => e.event === "request");
  expect(request).toMatchObject({ method: "GET", route: "/healthz", status: 200 });
}, 30_000);
