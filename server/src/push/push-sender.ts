import type { Agent } from "node:https";
import type { PushProblem } from "@letterbox/shared";
import webpush from "web-push";
import type { Clock } from "../clock";

/** One push to one subscription, ready to encrypt and send. */
export type PushRequest = {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  payload: string;
  ttlSeconds: number;
  urgency: "high" | "normal";
  /** Replaces an undelivered earlier push with the same topic at the push service. */
  topic: string;
  vapid: { subject: string; publicKey: string; privateKey: string };
};

/** What became of a push, in the terms the queue acts on. */
export type PushOutcome =
  | { result: "sent"; status: number }
  /** 404/410: the subscription is gone for good (unsubscribed, expired, app uninstalled). */
  | { result: "gone"; status: number }
  /** 429, 5xx or no answer: worth trying again, after `retryAfterMs` when the service said so. */
  | { result: "retry"; status?: number; retryAfterMs?: number; error: string }
  /** Anything else (a refused key or JWT, a payload too large): trying again will not help. */
  | { result: "failed"; status?: number; error: string };

/** How pushes leave the relay; tests and the benchmark pass one that points at a local receiver. */
export interface PushSender {
  send(request: PushRequest): Promise<PushOutcome>;
}

/**
 * Web push over HTTPS with web-push (VAPID JWT, aes128gcm as in RFC 8291). The only place in the
 * relay that calls web-push.
 */
export class WebPushSender implements PushSender {
  private readonly vapidHeaders = new Map<string, { authorization: string; madeAt: number }>();

  constructor(
    private readonly options: {
      /** Keep-alive sockets to the push services; a test CA for a local receiver. */
      agent?: Agent;
      /** A push service that stops answering must not hold a send slot for long. */
      timeoutMs?: number;
      clock?: Clock;
    } = {},
  ) {}

  async send(r: PushRequest): Promise<PushOutcome> {
    try {
      const res = await webpush.sendNotification(r.subscription, r.payload, {
        TTL: r.ttlSeconds,
        urgency: r.urgency,
        topic: r.topic,
        contentEncoding: "aes128gcm",
        // The VAPID Authorization header is made here and reused, not signed by web-push for every
        // push (so no vapidDetails, and none are ever set globally).
        headers: { Authorization: this.vapidAuthorization(new URL(r.subscription.endpoint).origin, r.vapid) },
        ...(this.options.agent && { agent: this.options.agent }),
        timeout: this.options.timeoutMs ?? 10_000,
      });
      return { result: "sent", status: res.statusCode };
    } catch (err) {
      if (err instanceof webpush.WebPushError) {
        const now = (this.options.clock?.now() ?? new Date()).getTime();
        return outcomeOf(err.statusCode, headerValue(err.headers, "retry-after"), now);
      }
      // No answer at all (refused, reset, timed out) may pass; a request web-push would not even
      // build (a key of the wrong length) will not.
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" || (err as Error).message === "Socket timeout") {
        return { result: "retry", error: typeof code === "string" ? code : "timeout" };
      }
      return { result: "failed", error: (err as Error).message };
    }
  }

  /**
   * `vapid t=…, k=…` for the push service at `audience`. Its expiry is on the real clock whatever
   * the relay's clock says: the push service checks it against its own.
   */
  private vapidAuthorization(audience: string, vapid: PushRequest["vapid"]): string {
    const key = `${audience} ${vapid.subject} ${vapid.publicKey}`;
    const now = Date.now();
    const cached = this.vapidHeaders.get(key);
    if (cached && now - cached.madeAt < VAPID_JWT_REUSE_MS) return cached.authorization;
    const expiration = Math.floor(now / 1000) + VAPID_JWT_SECONDS;
    const { Authorization } = webpush.getVapidHeaders(
      audience,
      vapid.subject,
      vapid.publicKey,
      vapid.privateKey,
      "aes128gcm",
      expiration,
    );
    // A handful of push services, but a bound all the same.
    if (this.vapidHeaders.size >= 100) this.vapidHeaders.clear();
    this.vapidHeaders.set(key, { authorization: Authorization, madeAt: now });
    return Authorization;
  }
}

/**
 * Signing a VAPID JWT costs more than encrypting the push itself, and one JWT serves every push to
 * the same push service until it expires, so each is kept for an hour of its 12-hour life.
 */
const VAPID_JWT_SECONDS = 12 * 60 * 60;
const VAPID_JWT_REUSE_MS = 60 * 60 * 1000;

/** Classifies a push service's answer (RFC 8030 §5, §8.4). */
export function outcomeOf(status: number, retryAfter: string | undefined, now: number): PushOutcome {
  if (status >= 200 && status < 300) return { result: "sent", status };
  if (status === 404 || status === 410) return { result: "gone", status };
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { result: "retry", status, error: `http_${status}`, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  return { result: "failed", status, error: `http_${status}` };
}

/** What a failed push's error (as `outcomeOf` and `send` name them) means, for staff. */
export function problemOf(error: string): PushProblem {
  const status = /^http_(\d{3})$/.exec(error)?.[1];
  if (status === undefined) return error === "timeout" || /^[A-Z][A-Z0-9_]+$/.test(error) ? "unreachable" : "not_sent";
  const code = Number(status);
  if (code === 404 || code === 410) return "gone";
  if (code === 401 || code === 403) return "refused_key";
  if (code === 429) return "rate_limited";
  if (code >= 500) return "service_error";
  return "refused_push";
}

/** Retry-After is either seconds or an HTTP date; a value that is neither is ignored. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its day and month ("Sat, 28 Nov 2026 10:02:00 GMT"); Date.parse alone would take "-5" as a year.
  const at = /^[A-Za-z]{3}, /.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  return typeof value === "string" ? value : undefined;
}
