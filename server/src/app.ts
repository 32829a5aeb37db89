import { createHash } from "node:crypto";
import { FIRST_SCREEN_SCRIPT, LIMITS } from "@letterbox/shared";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Clock } from "./clock";
import { LogEvents } from "./events";
import { trustedProxies } from "./http/client-address";
import { errorResponse, onError } from "./http/errors";
import { jsonBodyLimit } from "./http/json-body-limit";
import { LiveConnections } from "./http/live";
import { metricsHandler, type QueryTimes, RelayMetrics } from "./http/metrics";
import { requestLog } from "./http/request-log";
import { staticSite } from "./http/static-site";
import type { PhotoStore } from "./images/photo-store";
import type { Logger } from "./log";
import { openApiDocument } from "./openapi/openapi-document";
import { pushKeyRoutes } from "./push/push-routes";
import { type PushOptions, PushService } from "./push/push-service";
import type { QueueStats } from "./push/send-queue";
import { familyRoutes } from "./routes/family-routes";
import { staffRoutes } from "./routes/staff-routes";
import { tabletRoutes } from "./routes/tablet-routes";
import { Audit } from "./services/audit";
import { ConversationService } from "./services/conversation-service";
import { BoundedHasher, type PasswordHasher } from "./services/credentials";
import { DashboardService } from "./services/dashboard-service";
import { DataProtectionService } from "./services/data-protection-service";
import { FailureLimiter } from "./services/failure-limiter";
import { FamilyLinkService } from "./services/family-link-service";
import { PhotoService } from "./services/photo-service";
import { ReadinessService } from "./services/readiness";
import { ResidentService } from "./services/resident-service";
import { SignInThrottle } from "./services/sign-in-throttle";
import { StaffService } from "./services/staff-service";
import { TabletService } from "./services/tablet-service";
import type { Store } from "./store";

export const VERSION = "0.1.0";

export type AppDeps = {
  store: Store;
  /** Hints that a resident's log grew; made here when not given. */
  events?: LogEvents;
  photos: PhotoStore;
  clock: Clock;
  log: Logger;
  publicUrl: string;
  secureCookies: boolean;
  /** Named to family members in help and when a link stops working. */
  councilName?: string;
  /** Where the built client lives; omitted in API-only tests. */
  clientDist?: string;
  /** The reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY); none when not given. */
  trustProxy?: readonly string[];
  /** Web push (its store, VAPID subject, and the HTTPS agent or sender); without it nothing is sent. */
  push?: PushOptions;
  /** How long a staff session may last however much it is used (STAFF_SESSION_HOURS). */
  staffSessionHours?: number;
  /** Password hashing, bounded for the whole relay; tests pass their own to count or gate it. */
  passwordHasher?: PasswordHasher;
  /** The bearer token /metrics asks for (METRICS_TOKEN); without it there is no /metrics. */
  metricsToken?: string;
  /** Times the database's statements for /metrics; the database must have been opened with its `log`. */
  queryTimes?: QueryTimes;
  /** Each /readyz check's time limit (services/readiness.ts); tests shorten it. */
  readinessTimeoutMs?: number;
};

export function createServices(deps: AppDeps) {
  const limiter = new FailureLimiter(deps.store.limits, deps.clock);
  const events = deps.events ?? new LogEvents((err) => deps.log("events.listener_failed", { error: String(err) }));
  const audit = new Audit(deps);
  // Read at each scrape, by when push and live exist.
  const metrics: RelayMetrics = new RelayMetrics(
    { liveConnections: () => live.count, pushQueue: (): QueueStats | undefined => push.stats(), queryTimes: deps.queryTimes },
    deps.metricsToken !== undefined,
  );
  const push = new PushService({ ...deps, events, metrics });
  const live = new LiveConnections(events, (err) => deps.log("live.check_failed", { error: String(err) }));
  const conversations = new ConversationService({ ...deps, limiter, events, audit, metrics });
  const photos = new PhotoService({ ...deps, metrics });
  const residents = new ResidentService({ ...deps, audit, events });
  const tablets = new TabletService({ ...deps, audit, events, pushStates: push });
  return {
    events,
    staff: new StaffService({
      ...deps,
      limiter,
      signIns: new SignInThrottle(deps.store.limits, deps.clock),
      hasher: deps.passwordHasher ?? new BoundedHasher(),
      sessionHours: deps.staffSessionHours,
      audit,
    }),
    residents,
    familyLinks: new FamilyLinkService({ ...deps, audit, events }),
    tablets,
    dashboard: new DashboardService({ ...deps, residents, tablets }),
    dataProtection: new DataProtectionService({ ...deps, audit, photoService: photos, conversations, residents, tablets }),
    conversations,
    photos,
    live,
    metrics,
    push,
    readiness: new ReadinessService({ ...deps, version: VERSION, checkTimeoutMs: deps.readinessTimeoutMs }),
  };
}

/** The relay: one sub-app per audience under /api, then the built client apps. */
/** The pages' one inline script (shared/src/first-screen.ts), allowed by its hash and nothing else inline. */
const FIRST_SCREEN_SCRIPT_SOURCE = `'sha256-${createHash("sha256").update(FIRST_SCREEN_SCRIPT).digest("base64")}'`;

export function createApp(deps: AppDeps, services = createServices(deps)) {
  const limitBody = jsonBodyLimit(LIMITS.jsonBodyMaxBytes);
  let openApi: string | undefined;
  const api = new Hono()
    // JSON bodies only. Not GETs: they have none. Not photo uploads: they have their own, larger
    // limit, enforced while they stream in.
    .use((c, next) =>
      c.req.method === "GET" || c.req.method === "HEAD" || c.req.path === "/api/family/photos" ? next() : limitBody(c, next),
    )
    // Public: it describes the API and holds nothing of anyone's, so any site's API browser may read
    // it. Made on first ask, then the same bytes.
    .get("/openapi.json", (c) => {
      openApi ??= JSON.stringify(openApiDocument({ version: VERSION, serverUrl: deps.publicUrl }));
      return c.body(openApi, 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "public, max-age=3600",
        "Access-Control-Allow-Origin": "*",
      });
    })
    .route("/staff", staffRoutes(services, deps))
    .route("/push", pushKeyRoutes(services.push))
    .route("/tablet", tabletRoutes(services.conversations, services.photos, services.live, services.push))
    .route("/family", familyRoutes(services.conversations, services.photos, services.live, services.push));

  const app = new Hono()
    .use(requestLog(deps.log))
    .use(services.metrics.middleware())
    .use(trustedProxies(deps.trustProxy ?? []))
    .use(
      secureHeaders({
        contentSecurityPolicy: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", FIRST_SCREEN_SCRIPT_SOURCE],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "blob:", "data:"],
          connectSrc: ["'self'"],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
        referrerPolicy: "no-referrer",
        crossOriginEmbedderPolicy: false,
      }),
    )
    .get("/healthz", (c) => c.json({ status: "ok" as const, version: VERSION }))
    .get("/readyz", async (c) => {
      const readiness = await services.readiness.check();
      c.header("Cache-Control", "no-store");
      return c.json(readiness, readiness.status === "ready" ? 200 : 503);
    })
    .get("/metrics", metricsHandler(services.metrics, deps.metricsToken))
    .route("/api", api);

  app.notFound((c) =>
    c.req.path.startsWith("/api/")
      ? errorResponse(c, "not_found", "There is nothing at this address.")
      : c.text("Not found", 404),
  );
  app.onError(onError(deps.log));
  if (deps.clientDist) app.route("/", staticSite(deps.clientDist));
  return app;
}

export type AppType = ReturnType<typeof createApp>;
