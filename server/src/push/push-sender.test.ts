import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalPushService, verifyVapidAuthorization } from "./local-push-service";
import { outcomeOf, type PushRequest, parseRetryAfter, WebPushSender } from "./push-sender";
import { generateVapidKeys } from "./vapid";

const NOW = Date.parse("2026-11-28T10:00:00Z");

describe("a push service's answer", () => {
  it.each([
    [201, undefined, { result: "sent", status: 201 }],
    [404, undefined, { result: "gone", status: 404 }],
    [410, undefined, { result: "gone", status: 410 }],
    [429, "30", { result: "retry", status: 429, error: "http_429", retryAfterMs: 30_000 }],
    [503, undefined, { result: "retry", status: 503, error: "http_503" }],
    [500, "Sat, 28 Nov 2026 10:02:00 GMT", { result: "retry", status: 500, error: "http_500", retryAfterMs: 120_000 }],
    [400, undefined, { result: "failed", status: 400, error: "http_400" }],
    [403, undefined, { result: "failed", status: 403, error: "http_403" }],
    [413, undefined, { result: "failed", status: 413, error: "http_413" }],
  ] as const)("%i (Retry-After %s) means %o", (status, retryAfter, outcome) => {
    expect(outcomeOf(status, retryAfter, NOW)).toEqual(outcome);
  });

  it("takes Retry-After as seconds or an HTTP date, and ignores anything else", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 10:00:05 GMT", NOW)).toBe(5_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 09:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("-5", NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe("the web-push sender", () => {
  let receiver: LocalPushService;
  beforeAll(async () => {
    receiver = await LocalPushService.start();
  });
  afterAll(() => receiver.close());

  const request = (endpoint: string, keys = receiver.subscribe().toJSON().keys): PushRequest => ({
    subscription: { endpoint, keys },
    payload: JSON.stringify({ kind: "message", residentId: "r", seq: 1 }),
    ttlSeconds: 60,
    urgency: "normal",
    topic: "abc",
    vapid: { subject: "mailto:digital@council.example", ...generateVapidKeys() },
  });

  it("sends over the agent it is given, and reports a refusal with its status", async () => {
    const sender = new WebPushSender({ agent: receiver.agent });
    const subscriber = receiver.subscribe();
    receiver.respondWith(() => ({ status: 201 }));
    expect(await sender.send(request(subscriber.endpoint, subscriber.toJSON().keys))).toEqual({ result: "sent", status: 201 });
    expect(receiver.to(subscriber)[0]?.payload).toEqual({ kind: "message", residentId: "r", seq: 1 });
    receiver.respondWith(() => ({ status: 429, headers: { "Retry-After": "3" } }));
    expect(await sender.send(request(subscriber.endpoint))).toMatchObject({ result: "retry", status: 429, retryAfterMs: 3_000 });
  });

  it("signs one VAPID JWT per push service and reuses it, valid for 12 hours", async () => {
    const sender = new WebPushSender({ agent: receiver.agent });
    receiver.respondWith(() => ({ status: 201 }));
    const vapid = request("").vapid;
    const [first, second] = [receiver.subscribe(), receiver.subscribe()];
    for (const s of [first, second])
      expect(await sender.send({ ...request(s.endpoint, s.toJSON().keys), vapid })).toMatchObject({ result: "sent" });
    const [a, b] = [receiver.to(first)[0], receiver.to(second)[0]];
    expect(a?.headers.authorization).toBe(b?.headers.authorization);
    const { claims, publicKey } = verifyVapidAuthorization(a?.headers.authorization);
    expect(publicKey).toBe(vapid.publicKey);
    expect(claims).toMatchObject({ aud: receiver.origin, sub: "mailto:digital@council.example" });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(11.9 * 3600);
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(12 * 3600);
  });

  it("does not trust a certificate its agent does not", async () => {
    const sender = new WebPushSender();
    expect(await sender.send(request(receiver.subscribe().endpoint))).toMatchObject({
      result: "retry",
      error: expect.stringMatching(/CERT|SIGNED/),
    });
  });

  it("calls a push service that does not answer in time worth another try", async () => {
    const sender = new WebPushSender({ agent: receiver.agent, timeoutMs: 100 });
    let release: () => void = () => {};
    receiver.respondWith(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ status: 201 });
        }),
    );
    expect(await sender.send(request(receiver.subscribe().endpoint))).toEqual({ result: "retry", error: "timeout" });
    release();
  });

  it("calls a subscription it cannot encrypt for a failure, not worth another try", async () => {
    const sender = new WebPushSender({ agent: receiver.agent });
    const keys = { p256dh: "BAAA", auth: receiver.subscribe().toJSON().keys.auth };
    expect(await sender.send(request(receiver.subscribe().endpoint, keys))).toMatchObject({ result: "failed" });
  });
});
