/**
 * /metrics: served only with METRICS_TOKEN and only to its bearer; labels are route patterns, so
 * no id or token a request carries in its path ever reaches a scraper.
 */
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { engines } from "../test-databases";
import { expectError, firstStaff, type Relay, sendRequest, startRelay, testJpeg, uploadPhoto } from "../test-support";

const TOKEN = "metrics-token-for-tests-0123456789";

async function scrape(relay: Relay): Promise<string> {
  const res = await relay.request("/metrics", { bearer: TOKEN });
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** A sample's value, by metric name and exact labels as Prometheus writes them; 0 when absent. */
function sample(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `) || (labels === "" && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("metrics", () => {
  it("are not served when METRICS_TOKEN is unset, whatever the request carries", async () => {
    const relay = await startRelay();
    for (const bearer of [undefined, TOKEN]) {
      const res = await relay.request("/metrics", bearer === undefined ? {} : { bearer });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("letterbox_");
    }
  });

  it("need the token as a bearer credential", async () => {
    const relay = await startRelay({ metricsToken: TOKEN });
    await expectError(await relay.request("/metrics"), 401, "unauthenticated");
    await expectError(await relay.request("/metrics", { bearer: `${TOKEN}x` }), 401, "unauthenticated");
    await expectError(await relay.request("/metrics", { bearer: TOKEN.slice(0, -1) }), 401, "unauthenticated");
    await expectError(await relay.request("/metrics", { headers: { Authorization: `Basic ${TOKEN}` } }), 401, "unauthenticated");
    expect(await scrape(relay)).toContain("letterbox_http_requests_total");
  });

  it("label requests by route pattern and status, never by a path's ids or tokens", async () => {
    const relay = await startRelay({ metricsToken: TOKEN });
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const photoId = "ab".repeat(32);
    const messageId = uuidv7();
    expect((await relay.request(`/api/family/photos/${photoId}/thumb`, { bearer: familyToken })).status).toBe(404);
    expect((await relay.request(`/api/family/messages/${messageId}`, { method: "DELETE", bearer: familyToken })).status).toBe(
      404,
    );
    // A token where an id would go, and on an address that matches no route.
    expect((await relay.request(`/api/tablet/photos/${deviceToken}`, { bearer: deviceToken })).status).toBe(400);
    expect((await relay.request(`/api/family/${familyToken}`)).status).toBe(401);

    const text = await scrape(relay);
    for (const secret of [photoId, messageId, familyToken, deviceToken, "Margaret"]) expect(text).not.toContain(secret);
    expect(
      sample(text, "letterbox_http_requests_total", '{method="GET",route="/api/family/photos/:id/thumb",status="404"}'),
    ).toBe(1);
    expect(sample(text, "letterbox_http_requests_total", '{method="GET",route="/api/tablet/photos/:id",status="400"}')).toBe(1);
    expect(sample(text, "letterbox_http_requests_total", '{method="DELETE",route="/api/family/messages/:id",status="404"}')).toBe(
      1,
    );
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    for (const route of routes) expect(route).toMatch(/^\/[A-Za-z/:*-]*$/);
  });

  it("count requests, their times and accepted family messages, and show live connections", async () => {
    const relay = await startRelay({ metricsToken: TOKEN });
    const staff = await firstStaff(relay);
    const { familyToken, deviceToken } = await staff.household("Margaret");
    const sent = '{method="POST",route="/api/family/messages",status="201"}';
    const before = await scrape(relay);
    expect(sample(before, "letterbox_family_messages_accepted_total")).toBe(0);
    expect(sample(before, "letterbox_http_requests_total", sent)).toBe(0);

    const id = uuidv7();
    expect((await sendRequest(relay, familyToken, "Hello Mum", id)).status).toBe(201);
    // The same message again is a retry, answered but not stored twice.
    expect((await sendRequest(relay, familyToken, "Hello Mum", id)).status).toBe(200);
    expect((await sendRequest(relay, familyToken, "Another one")).status).toBe(201);
    const live = await relay.request("/api/tablet/live", { bearer: deviceToken });
    const reader = (live.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: ready");

    const after = await scrape(relay);
    expect(sample(after, "letterbox_family_messages_accepted_total")).toBe(2);
    expect(sample(after, "letterbox_http_requests_total", sent)).toBe(2);
    expect(sample(after, "letterbox_http_request_duration_seconds_count", sent)).toBe(2);
    expect(sample(after, "letterbox_live_connections")).toBe(1);
    expect(after).toContain("nodejs_eventloop_lag_seconds");

    await reader.cancel();
    expect(sample(await scrape(relay), "letterbox_live_connections")).toBe(0);
  });

  it("time photo processing, accepted and refused apart", async () => {
    const relay = await startRelay({ metricsToken: TOKEN });
    const staff = await firstStaff(relay);
    const { familyToken } = await staff.household("Margaret");
    await uploadPhoto(relay, familyToken, await testJpeg(1));
    // A JPEG's start with the rest cut off: it passes the first look, and decoding refuses it.
    const cutShort = (await testJpeg(2)).subarray(0, 400);
    const refused = await relay.request("/api/family/photos", {
      bearer: familyToken,
      body: cutShort as unknown as string,
      headers: { "Content-Type": "image/jpeg" },
    });
    expect(refused.status).toBe(422);

    const text = await scrape(relay);
    expect(sample(text, "letterbox_photo_processing_seconds_count", '{result="accepted"}')).toBe(1);
    expect(sample(text, "letterbox_photo_processing_seconds_count", '{result="refused"}')).toBe(1);
    expect(sample(text, "letterbox_photo_processing_seconds_sum", '{result="accepted"}')).toBeGreaterThan(0);
  });

  it.each(engines)("time the database's statements on $name", async (engine) => {
    const relay = await startRelay({ engine, metricsToken: TOKEN });
    const before = sample(await scrape(relay), "letterbox_db_query_duration_seconds_count", '{result="ok"}');
    const staff = await firstStaff(relay);
    await staff.household("Margaret");

    const text = await scrape(relay);
    // Making a staff member, a resident, a family link and a tablet takes many statements.
    expect(sample(text, "letterbox_db_query_duration_seconds_count", '{result="ok"}')).toBeGreaterThan(before + 10);
    expect(sample(text, "letterbox_db_query_duration_seconds_sum", '{result="ok"}')).toBeGreaterThan(0);
  });
});
