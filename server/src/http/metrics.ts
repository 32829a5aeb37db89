/**
 * Prometheus metrics (/metrics), for a council's monitoring. Off unless METRICS_TOKEN is set, and
 * then only for a scraper that sends it: request counts by route would tell a stranger how the
 * service is used.
 *
 * Labels are route patterns (`/api/family/photos/:id`), methods and statuses only, never a raw
 * path: paths carry photo ids, and family links carry their token. Nothing names a resident.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import type { LogConfig } from "kysely";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { QueueStats } from "../push/send-queue";
import { errorResponse } from "./errors";

/** How one attempt to hand a push to a push service ended (push/push-service.ts). */
export type PushOutcome = "sent" | "gone" | "retry" | "failed";

/**
 * Time in the database: each statement the relay sends through Kysely, timed by Kysely itself
 * (`log`), so it must be given when the database is opened, before the rest of the metrics exist.
 * The SQLite tablet pull's prepared statements (db/sqlite-hot.ts) go round Kysely and are not in it.
 */
export class QueryTimes {
  readonly histogram = new Histogram({
    name: "letterbox_db_query_duration_seconds",
    help: "Time to run one database statement sent through the query builder, by whether it failed.",
    labelNames: ["result"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [],
  });

  readonly log: LogConfig = (event) => {
    this.histogram.observe({ result: event.level === "query" ? "ok" : "error" }, event.queryDurationMillis / 1000);
  };
}

export class RelayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "letterbox_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "letterbox_http_request_duration_seconds",
    help: "Time to answer an HTTP request (to the start of a streamed answer), by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: "letterbox_family_messages_accepted_total",
    help: "Family messages stored by this instance (a retry of one already stored is not counted).",
    registers: [this.registry],
  });

  private readonly pushSends = new Counter({
    name: "letterbox_push_sends_total",
    help: "Attempts to hand a push to a push service, by outcome: sent, gone (the subscription has ended), retry (tried again later), failed (given up).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  private readonly photoProcessing = new Histogram({
    name: "letterbox_photo_processing_seconds",
    help: "Time to decode, check and re-encode an uploaded photo, by result: accepted or refused (not a photo, too large).",
    labelNames: ["result"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [this.registry],
  });

  /**
   * `liveConnections` and `pushQueue` are read at each scrape. `processMetrics`: Node's own
   * (event-loop delay, heap, CPU); each set keeps an event-loop monitor running, so only a relay that
   * serves metrics has one.
   */
  constructor(
    sources: { liveConnections: () => number; pushQueue: () => QueueStats | undefined; queryTimes?: QueryTimes },
    processMetrics: boolean,
  ) {
    if (sources.queryTimes) this.registry.registerMetric(sources.queryTimes.histogram);
    new Gauge({
      name: "letterbox_live_connections",
      help: "Live connections (server-sent events) open to tablets and family pages on this instance.",
      registers: [this.registry],
      collect() {
        this.set(sources.liveConnections());
      },
    });
    new Gauge({
      name: "letterbox_push_queue",
      help: "Pushes in this instance's send queue, by state: waiting for a slot, in flight, or waiting to be tried again.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const stats = sources.pushQueue();
        this.set({ state: "waiting" }, stats?.queued ?? 0);
        this.set({ state: "in_flight" }, stats?.inFlight ?? 0);
        this.set({ state: "retry_waiting" }, stats?.waitingRetries ?? 0);
      },
    });
    if (processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  messageAccepted(): void {
    this.messages.inc();
  }

  pushAttempted(outcome: PushOutcome): void {
    this.pushSends.inc({ outcome });
  }

  /** Times `process`, labelled by whether it gave a photo or threw (a refusal). */
  async timePhotoProcessing<T>(process: () => Promise<T>): Promise<T> {
    const end = this.photoProcessing.startTimer();
    try {
      const result = await process();
      end({ result: "accepted" });
      return result;
    } catch (err) {
      end({ result: "refused" });
      throw err;
    }
  }

  /** Counts and times every request by its route pattern. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const end = this.duration.startTimer();
      await next();
      const labels = { method: c.req.method, route: c.req.routePath, status: String(c.res.status) };
      end(labels);
      this.requests.inc(labels);
    };
  }
}

/** GET /metrics: 404 when METRICS_TOKEN is unset, 401 without `Authorization: Bearer <token>`. */
export function metricsHandler(metrics: RelayMetrics, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (c: Context) => {
    if (expected === undefined) return c.text("Not found", 404);
    const given = /^Bearer (\S+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    // Compared as digests, in constant time: the length of the token gives nothing away either.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      return errorResponse(
        c,
        "unauthenticated",
        "Metrics need the token set in METRICS_TOKEN, as Authorization: Bearer <token>.",
      );
    }
    c.header("Content-Type", metrics.registry.contentType);
    c.header("Cache-Control", "no-store");
    return c.body(await metrics.registry.metrics());
  };
}

const digest = (value: string) => createHash("sha256").update(value).digest();
