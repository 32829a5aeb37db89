import type { Server } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createApp, createServices } from "./app";
import { systemClock } from "./clock";
import { ConfigError, type DatabaseConfig, loadConfig, PLACEHOLDER_VAPID_SUBJECT } from "./config";
import { openDataFolder } from "./data-folder";
import { PostgresFanOut } from "./db/postgres-fan-out";
import { runAlone } from "./db/run-alone";
import { DATABASE_FILE } from "./db/sqlite";
import { gracefulStop } from "./http/graceful-stop";
import { QueryTimes } from "./http/metrics";
import { blobStoreFor, photoLocation } from "./images/photo-storage";
import { jsonLogger, silentLogger } from "./log";

const here = path.dirname(fileURLToPath(import.meta.url));
const clientDist = path.resolve(here, "../../client/dist");

async function main() {
  const config = loadConfig();
  const log = config.logLevel === "silent" ? silentLogger : jsonLogger();
  // Only a relay that serves /metrics times its statements.
  const queryTimes = config.metricsToken === undefined ? undefined : new QueryTimes();
  const { db, store, photos, openToOthers } = await openDataFolder(config.dataDir, {
    database: config.database,
    log,
    blobs: await blobStoreFor(config),
    queryLog: queryTimes?.log,
  });
  if (openToOthers.length > 0) {
    log("data_folder.open_to_others", {
      paths: openToOthers,
      hint: `Other users on this machine can read or change ${config.dataDir}, which holds message text, password hashes and the push key. Run chmod -R go-rwx ${config.dataDir} to make it private.`,
    });
  }
  const deps = {
    store,
    photos,
    clock: systemClock,
    log,
    publicUrl: config.publicUrl,
    secureCookies: config.secureCookies,
    councilName: config.councilName,
    trustProxy: config.trustProxy,
    staffSessionHours: config.staffSessionHours,
    metricsToken: config.metricsToken,
    queryTimes,
    clientDist,
    push: {
      subject: config.vapidSubject,
      serviceHosts: config.pushServiceHosts,
      ...(config.pushProxy && { proxy: config.pushProxy }),
    },
  };
  const services = createServices(deps);
  const app = createApp(deps, services);
  // Instances sharing a PostgreSQL database hear each other's log events, so a tablet connected to
  // one hears at once of a message sent through another.
  const fanOut =
    config.database.engine === "postgres"
      ? new PostgresFanOut({ url: config.database.url, db, events: services.events, log, heads: store.heads })
      : undefined;
  await fanOut?.start();
  // The VAPID key pair is made at first start and kept in the database from then on.
  await services.push.start();
  if (config.vapidSubject === PLACEHOLDER_VAPID_SUBJECT) {
    log("push.vapid_subject_placeholder", {
      hint: "Set VAPID_SUBJECT to a real mailto: or https: contact; Apple refuses this one.",
    });
  }

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    log("relay.started", { port: info.port, dataDir: config.dataDir, photos: photoLocation(config) });
    void announce(info.port);
  });
  const connections = gracefulStop(server as Server);

  // Retention once at start and then daily: old messages and photos go, and the tablet and family
  // pages are told through the log. One instance at a time runs it.
  const applyRetention = async () => {
    try {
      const ran = await runAlone(db, config.database.engine, "retention", () => services.dataProtection.applyRetention());
      if (ran === "busy") log("retention.skipped", { reason: "another instance is applying it" });
    } catch (err) {
      log("retention.failed", { error: String(err) });
    }
  };
  void applyRetention();
  const retention = setInterval(applyRetention, 24 * 3_600_000);
  retention.unref();

  async function announce(port: number) {
    const setupLink = await services.staff.issueFirstStaffLink();
    const lines = [
      "",
      `  Letterbox is running on ${config.publicUrl} (port ${port})`,
      `  Records: ${databaseLocation(config.database, config.dataDir)}; photos: ${photoLocation(config)}`,
      `  Staff console: ${config.publicUrl}/staff`,
      setupLink
        ? `  Create the first staff account (link works once, for 24 hours):\n    ${setupLink}`
        : "  Sign in with your staff account.",
      "",
    ];
    process.stderr.write(`${lines.join("\n")}\n`);
  }

  // Requests already received are answered, idle connections close at once (http/graceful-stop.ts);
  // then the database closes, so the WAL is checkpointed and nothing acknowledged is lost.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("relay.stopping", { signal });
    clearInterval(retention);
    const connectionsClosed = connections.stop();
    services.live.closeAll();
    const { ms, cut } = await connectionsClosed;
    await services.push.stop();
    await fanOut?.stop();
    await db.destroy();
    log("relay.stopped", { ms, cut });
    process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** Where the records are, for people: the SQLite file, or the PostgreSQL server and database (never the password). */
function databaseLocation(database: DatabaseConfig, dataDir: string): string {
  if (database.engine === "sqlite") return path.join(dataDir, DATABASE_FILE);
  const url = new URL(database.url);
  return `PostgreSQL database ${url.pathname.slice(1) || "(default)"} on ${url.hostname}${url.port ? `:${url.port}` : ""}`;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err?.stack ?? String(err))}\n`);
  process.exit(1);
});
