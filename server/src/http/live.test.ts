import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { LogEvents } from "../events";
import { sseReader } from "../test-support";
import { LiveConnections, type LiveStreamOptions } from "./live";

/** One live route on its own, with the `ready` the test gives it. */
function liveRoute(ready: LiveStreamOptions["ready"]) {
  const events = new LogEvents();
  const live = new LiveConnections(events);
  const app = new Hono().get("/live", (c) => live.stream(c, { owner: "family:1", max: 5, hears: () => true, ready }));
  return { events, open: async () => sseReader(await app.request("/live")) };
}

describe("a live connection's ready", () => {
  it("is read once the connection hears events: a change made while it is read is hinted after it", async () => {
    const route = liveRoute(async () => {
      // A change committed while the relay reads the version: the version may or may not show it.
      route.events.emit({ residentId: "r1", seq: 7, kind: "message" });
      return { version: "v1" };
    });
    const events = await route.open();
    expect(await events.next()).toEqual({ event: "ready", data: { version: "v1" } });
    expect(await events.next()).toEqual({ event: "log", data: { seq: 7 } });
    await events.close();
  });

  it("says nothing of a version it could not read, so the page fetches as it would without one", async () => {
    const route = liveRoute(() => Promise.reject(new Error("the database is away")));
    const events = await route.open();
    expect(await events.next()).toEqual({ event: "ready", data: {} });
    await events.close();
  });
});
