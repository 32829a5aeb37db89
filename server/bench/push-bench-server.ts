/**
 * The relay under test for push.bench.ts, in its own process so that the load generator and the
 * push receiver do not take its CPU. It is the real relay (SQLite file in a temp folder, WAL,
 * synchronous=FULL, system clock) with push pointed at the benchmark's local HTTPS receiver.
 */
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { pairResponseSchema } from "@letterbox/shared";
import { createApp, createServices } from "../src/app";
import { systemClock } from "../src/clock";
import { openDataFolder } from "../src/data-folder";
import type { Logger } from "../src/log";
import type { FromPushServer, Household, PushServerConfig, ToPushServer } from "./push-protocol";

const send = (message: FromPushServer) => {
  if (!process.send) throw new Error("push-bench-server.ts is started by push.bench.ts, not on its own.");
  process.send(message);
};

function nextConfig(): Promise<PushServerConfig> {
  return new Promise((resolve) => {
    const onMessage = (message: ToPushServer) => {
      if (message.type !== "config") return;
      process.off("message", onMessage);
      resolve(message);
    };
    process.on("message", onMessage);
  });
}

async function main() {
  const config = await nextConfig();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-push-bench-"));
  const { db, store, photos } = await openDataFolder(dataDir);

  // Counts the push module's log lines, so a failure or a dropped push shows in the report.
  const events: Record<string, number> = {};
  const log: Logger = (event) => {
    if (event.startsWith("push.")) events[event] = (events[event] ?? 0) + 1;
  };
  const agent = new https.Agent({ ca: config.receiverCert, keepAlive: true });
  const push = {
    subject: "mailto:digital-inclusion@council.example",
    agent,
    allowEndpoint: (url: URL) => url.origin === config.receiverOrigin,
  };
  const deps = { store, photos, clock: systemClock, log, publicUrl: "http://127.0.0.1", secureCookies: false, push };
  const services = createServices(deps);
  const app = createApp(deps, services);
  await services.push.start();

  const staff = await services.staff.createStaff({
    name: "Bench Staff",
    email: "bench@example.org",
    password: "bench relay password",
  });
  const actor = { staff, source: "bench" };
  const households: Household[] = [];
  for (let i = 0; i < config.households; i++) {
    const resident = await services.residents.create({ fullName: `Resident ${i} Bench`, preferredName: `Resident ${i}` }, actor);
    const link = await services.familyLinks.create(resident.id, { label: `Family of ${i}` }, actor);
    const { code } = await services.tablets.createSetupCode(resident.id, actor);
    const res = await app.request("/api/tablet/pair", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code }),
    });
    if (res.status !== 201) throw new Error(`Pairing failed: ${res.status} ${await res.text()}`);
    const { deviceToken } = pairResponseSchema.parse(await res.json());
    households.push({ residentId: resident.id, familyToken: new URL(link.url).hash.slice(1), deviceToken });
  }

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("The relay has no port.");

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await services.push.stop();
    agent.destroy();
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };

  process.on("message", (message: ToPushServer) => {
    if (message.type === "stats") {
      const stats = services.push.stats();
      if (!stats) send({ type: "failed", error: "Push is not enabled in the relay under test." });
      else send({ type: "stats", ...stats, events: { ...events } });
    } else if (message.type === "stop") {
      void stop();
    }
  });
  process.on("disconnect", () => void stop());

  send({ type: "ready", relayPort: address.port, households });
}

main().catch((err: unknown) => {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!process.send) {
    process.stderr.write(`${error}\n`);
    process.exit(1);
  }
  process.send({ type: "failed", error } satisfies FromPushServer, undefined, undefined, () => process.exit(1));
});
