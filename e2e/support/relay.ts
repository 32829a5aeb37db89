import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../server");

export type RunningRelay = {
  url: string;
  /** The one-time staff set-up link it printed; none when the database already has a staff account. */
  setupLink?: string;
  dataDir: string;
  /** SIGTERM, as an operator stops it: it answers what it has received, then exits. */
  stop: () => Promise<void>;
  /** SIGKILL, as a crash or a lost machine: nothing is answered or flushed. */
  kill: () => Promise<void>;
};

/** A relay on a database of its own, which printed the link that makes the first staff account. */
export type FirstRelay = RunningRelay & { setupLink: string };

export type RelayOptions = {
  /** More environment for the relay (DATABASE_URL, S3_BUCKET, …) on top of this process's own. */
  env?: Record<string, string>;
};

/**
 * Starts the relay exactly as `pnpm start` does (the built relay `server/dist/main.js` with plain
 * node, serving the built client; `pnpm build` makes both) on a fresh data folder on `port`, and
 * waits for what it prints once it listens: the one-time staff set-up link on a new database, or
 * "Sign in" where staff exist (a further instance on a shared database). Without options it must
 * print the link.
 */
export async function startRelay(port: number): Promise<FirstRelay>;
export async function startRelay(port: number, options: RelayOptions): Promise<RunningRelay>;
export async function startRelay(port: number, options?: RelayOptions): Promise<RunningRelay> {
  if (!fs.existsSync(path.join(serverDir, "dist/main.js"))) {
    throw new Error("There is no built relay in server/dist: run `pnpm build` first (`pnpm e2e` does).");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-e2e-"));
  const relay = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
    cwd: serverDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "silent",
      ...options?.env,
    },
    stdio: ["ignore", "inherit", "pipe"],
  });
  const exited = new Promise<void>((resolve) => relay.once("exit", () => resolve()));
  const running = () => relay.exitCode === null && relay.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (running()) {
      relay.kill(signal);
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let setupLink: string | undefined;
  try {
    setupLink = await waitForAnnouncement(relay);
  } catch (err) {
    await end("SIGKILL");
    throw err;
  }
  if (!options && !setupLink) {
    await end("SIGTERM");
    throw new Error("The relay printed no set-up link: its fresh data folder already has a staff account.");
  }
  return {
    url: `http://localhost:${port}`,
    ...(setupLink && { setupLink }),
    dataDir,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** Resolves with the set-up link, or undefined when the relay says to sign in instead; both come once it listens. */
function waitForAnnouncement(relay: ChildProcess): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`The relay did not start in time:\n${output}`)), 60_000);
    relay.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      // Up to the line's end, so that a chunk cut inside the token is not taken for the whole of it.
      const link = output.match(/(http\S+\/staff#setup=[A-Za-z0-9_-]+)\r?\n/)?.[1];
      if (link || output.includes("Sign in with your staff account.")) {
        clearTimeout(timer);
        resolve(link);
      }
    });
    relay.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The relay exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}
