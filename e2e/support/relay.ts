import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../server");

export type RunningRelay = { url: string; setupLink: string; dataDir: string; stop: () => Promise<void> };

/**
 * Starts the relay exactly as `pnpm start` does (built client, fresh data folder) on `port`, and
 * reads the one-time staff set-up link it prints.
 */
export async function startRelay(port: number): Promise<RunningRelay> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-e2e-"));
  const relay = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent" },
    stdio: ["ignore", "inherit", "pipe"],
  });
  const setupLink = await waitForSetupLink(relay);
  return {
    url: `http://localhost:${port}`,
    setupLink,
    dataDir,
    stop: async () => {
      if (relay.exitCode === null) {
        await new Promise<void>((resolve) => {
          relay.once("exit", () => resolve());
          relay.kill("SIGTERM");
        });
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function waitForSetupLink(relay: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`The relay did not start in time:\n${output}`)), 30_000);
    relay.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/(http\S+\/staff#setup=[A-Za-z0-9_-]+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    relay.once("exit", (code) => reject(new Error(`The relay exited (${code}) before it was ready:\n${output}`)));
  });
}
