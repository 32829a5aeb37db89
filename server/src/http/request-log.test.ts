import net from "node:net";
import { describe, expect, it } from "vitest";
import { createApp, createServices } from "../app";
import { FixedClock } from "../clock";
import type { Logger } from "../log";
import { type Engine, engines } from "../test-databases";
import { listenForTest, openTestDatabase, START } from "../test-support";

type Line = { event: string } & Record<string, unknown>;

/** The relay on a real port, with a logger that keeps what it is told and can wait for an event. */
async function relayOnPort(engine: Engine) {
  const { store, photos } = await openTestDatabase({ engine });
  const lines: Line[] = [];
  const waiters: { event: string; resolve: (line: Line) => void }[] = [];
  const log: Logger = (event, fields = {}) => {
    const line = { event, ...fields };
    lines.push(line);
    for (const w of waiters.filter((w) => w.event === event)) w.resolve(line);
  };
  const waitFor = (event: string) =>
    new Promise<Line>((resolve) => {
      const seen = lines.find((l) => l.event === event);
      if (seen) resolve(seen);
      else waiters.push({ event, resolve });
    });
  const deps = { store, photos, clock: new FixedClock(START), log, publicUrl: "http://localhost:8080", secureCookies: false };
  const services = createServices(deps);
  const app = createApp(deps, services);
  const staff = await services.staff.createStaff({
    name: "Priya Shah",
    email: "priya@council.example",
    password: "a long test password",
  });
  const actor = { staff, source: "test" };
  const resident = await services.residents.create({ fullName: "Edith Jones", preferredName: "Edith" }, actor);
  const link = await services.familyLinks.create(resident.id, { label: "Sarah (daughter)" }, actor);
  const { server, port } = await listenForTest(app.fetch);
  return { server, port, lines, waitFor, familyToken: new URL(link.url).hash.slice(1) };
}

/** Starts a chunked upload, sends one chunk, and hangs up once the relay has taken the request. */
async function hangUpMidBody(relay: Awaited<ReturnType<typeof relayOnPort>>, path: string, contentType: string) {
  const socket = net.connect(relay.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  const received = new Promise((resolve) => relay.server.once("request", resolve));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${relay.familyToken}\r\n` +
      `Content-Type: ${contentType}\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n${"a".repeat(0x400)}\r\n`,
  );
  await received;
  socket.destroy();
}

describe.each(engines)("a client that hangs up mid-body, records on $name", (engine) => {
  it.each([
    ["a photo upload", "/api/family/photos", "image/jpeg", "/api/family/photos"],
    ["a JSON request", "/api/family/messages", "application/json", "/api/*"],
  ])("is logged as a client abort, not as a server error: %s", async (_name, path, contentType, route) => {
    const relay = await relayOnPort(engine);
    await hangUpMidBody(relay, path, contentType);
    expect(await relay.waitFor("request.aborted")).toEqual({
      event: "request.aborted",
      method: "POST",
      route,
      ms: expect.any(Number),
    });
    expect(relay.lines.filter((l) => l.event !== "staff.created")).toEqual([
      expect.objectContaining({ event: "request.aborted" }),
    ]);
    expect(relay.lines.some((l) => l.event === "request.failed" || (typeof l.status === "number" && l.status >= 500))).toBe(
      false,
    );
  });

  it("leaves a request that arrived whole logged with its status", async () => {
    const relay = await relayOnPort(engine);
    const res = await fetch(`http://127.0.0.1:${relay.port}/api/family/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${relay.familyToken}`, "Content-Type": "application/json" },
      body: "{ not json",
    });
    expect(res.status).toBe(400);
    expect(await relay.waitFor("request")).toMatchObject({ method: "POST", route: "/api/family/messages", status: 400 });
  });
});
