/**
 * The relay for photo.bench.ts's memory figure, in its own process so that its peak RSS is the
 * relay's alone: a fresh data folder opened as main.ts opens it, the system clock, a silent
 * logger, one resident with four family links. Talks to its parent over IPC only: it sends
 * `ready` (port, family tokens), answers `memory` with its RSS now and at its peak, and stops on
 * `stop` or when the parent lets go.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { createApp, createServices } from "../src/app";
import { systemClock } from "../src/clock";
import { openDataFolder } from "../src/data-folder";
import { silentLogger } from "../src/log";

export type PhotoServerMessage =
  | { type: "ready"; port: number; familyTokens: string[] }
  | { type: "memory"; rssMb: number; peakRssMb: number }
  | { type: "failed"; error: string };
export type PhotoServerRequest = { type: "memory" } | { type: "stop" };

export const FAMILY_LINKS = 4;

const send = (message: PhotoServerMessage) => {
  if (!process.send) throw new Error("photo-relay-server.ts is started by photo.bench.ts, not on its own.");
  process.send(message);
};

const megabytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-photo-bench-"));
  const { db, store, photos } = await openDataFolder(dataDir);
  const deps = { store, photos, clock: systemClock, log: silentLogger, publicUrl: "http://127.0.0.1", secureCookies: false };
  const services = createServices(deps);
  const app = createApp(deps, services);

  // Staff actions are audited with who did them; no account is signed in (a password hash alone
  // would raise the peak this figure is about), so the bench names itself.
  const actor = { staff: { id: "bench", name: "Bench", email: "bench@example.org", role: "admin" as const }, source: "bench" };
  const resident = await services.residents.create({ fullName: "Edith Bench", preferredName: "Edith" }, actor);
  const familyTokens: string[] = [];
  for (let i = 0; i < FAMILY_LINKS; i++) {
    const link = await services.familyLinks.create(resident.id, { label: `Family ${i + 1}` }, actor);
    familyTokens.push(new URL(link.url).hash.slice(1));
  }

  const server = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve({ server: s, port: info.port }));
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if ("closeAllConnections" in server.server) server.server.closeAllConnections();
    await new Promise((resolve) => server.server.close(resolve));
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };

  process.on("message", (message: PhotoServerRequest) => {
    if (message.type === "memory") {
      // ru_maxrss is in kilobytes on Linux and macOS alike as Node reports it.
      send({
        type: "memory",
        rssMb: megabytes(process.memoryUsage().rss),
        peakRssMb: megabytes(process.resourceUsage().maxRSS * 1024),
      });
    } else if (message.type === "stop") {
      void stop();
    }
  });
  process.on("disconnect", () => void stop());
  send({ type: "ready", port: server.port, familyTokens });
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!process.send) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  process.send({ type: "failed", error } satisfies PhotoServerMessage, undefined, undefined, () => process.exit(1));
});
