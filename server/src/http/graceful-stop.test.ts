import type { Server } from "node:http";
import type net from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { stream } from "hono/streaming";
import { describe, expect, it, onTestFinished } from "vitest";
import { type GracefulStopOptions, gracefulStop, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS } from "./graceful-stop";
import { connect } from "./raw-client";

/** A promise with its resolve, for requests the test holds open until it lets them go. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A server on a real port: /poll answers at once, /held and /stream wait for the test's gate. */
async function startServer(options: GracefulStopOptions = {}) {
  const release = gate();
  let held = 0;
  const heldWaiters: (() => void)[] = [];
  const app = new Hono()
    .get("/poll", (c) => c.json({ entries: [] }))
    .get("/held", async (c) => {
      held++;
      for (const w of heldWaiters.splice(0)) w();
      await release.opened;
      return c.text("held and answered");
    })
    .get("/stream", (c) =>
      stream(c, async (s) => {
        await s.write("first part;");
        held++;
        for (const w of heldWaiters.splice(0)) w();
        await release.opened;
        await s.write("last part");
      }),
    );
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
  const stopper = gracefulStop(server, options);
  let connections = 0;
  server.on("connection", () => connections++);
  onTestFinished(() => {
    release.open();
    server.closeAllConnections();
    server.close();
  });
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => heldWaiters.push(resolve) && setImmediate(resolve));
  };
  return {
    server,
    port,
    stopper,
    release: release.open,
    untilHeld: (n: number) => until(() => held >= n),
    untilConnections: (n: number) => until(() => connections >= n),
  };
}

describe("gracefulStop", () => {
  it("answers every request it has received, closes idle connections at once, and resets none", async () => {
    const relay = await startServer({ freshGraceMs: 60_000 });

    // Busy keep-alive connections, each with a request the handler is still working on.
    const busy = await Promise.all(Array.from({ length: 20 }, () => connect(relay.port)));
    for (const c of busy) c.get("/held");
    const streaming = await connect(relay.port);
    streaming.get("/stream");
    await relay.untilHeld(21);

    // Keep-alive connections between two polls.
    const idle = await Promise.all(Array.from({ length: 20 }, () => connect(relay.port)));
    for (const c of idle) c.get("/poll");
    await Promise.all(idle.map((c) => c.untilResponses(1)));

    // Polling keep-alive connections whose next request has been written but not yet read by the
    // server when the stop begins: Node's own server.close() takes them for idle and resets them.
    const polling = await Promise.all(Array.from({ length: 20 }, () => connect(relay.port)));
    for (const c of polling) c.get("/poll");
    await Promise.all(polling.map((c) => c.untilResponses(1)));

    // Fresh connections, likewise with a request written and not yet read.
    const fresh = await Promise.all(Array.from({ length: 20 }, () => connect(relay.port)));
    await relay.untilConnections(81);
    for (const c of [...polling, ...fresh]) c.get("/poll");
    const stopped = relay.stopper.stop();

    // Idle connections close without waiting for the held requests.
    expect(await Promise.all(idle.map((c) => c.ended))).toEqual(idle.map(() => ({ error: undefined })));
    expect(relay.server.listening).toBe(false);
    relay.release();
    expect(await stopped).toEqual({ ms: expect.any(Number), cut: 0 });

    for (const c of [...busy, ...polling, ...fresh, streaming]) expect(await c.ended).toEqual({ error: undefined });
    for (const c of busy) {
      expect(c.responses()).toEqual({
        complete: [expect.objectContaining({ status: 200, body: "held and answered" })],
        rest: "",
      });
      expect(c.responses().complete[0]?.headers.connection).toBe("close");
    }
    const poll = expect.objectContaining({ status: 200, body: '{"entries":[]}' });
    for (const c of polling) {
      expect(c.responses()).toEqual({ complete: [poll, poll], rest: "" });
      expect(c.responses().complete.map((r) => r.headers.connection)).toEqual(["keep-alive", "close"]);
    }
    for (const c of fresh) {
      expect(c.responses()).toEqual({ complete: [poll], rest: "" });
      expect(c.responses().complete[0]?.headers.connection).toBe("close");
    }
    // Its headers went out before the stop, keep-alive; it is closed once its response is whole.
    expect(streaming.responses()).toEqual({
      complete: [expect.objectContaining({ status: 200, body: "first part;last part" })],
      rest: "",
    });
    for (const c of idle) expect(c.responses().complete).toHaveLength(1);
  });

  it("tells a busy keep-alive connection to close after its response, so it takes no more requests", async () => {
    const relay = await startServer();
    const client = await connect(relay.port);
    client.get("/held");
    await relay.untilHeld(1);
    const stopped = relay.stopper.stop();
    relay.release();
    await client.untilResponses(1);
    // The client, told `Connection: close`, would not send this; the server does not answer it.
    if (!client.socket.writableEnded) client.get("/poll");
    await client.ended;
    expect(client.responses().complete.map((r) => [r.status, r.headers.connection])).toEqual([[200, "close"]]);
    expect((await stopped).cut).toBe(0);
  });

  it("gives a fresh connection time to send its request, and answers it", async () => {
    const relay = await startServer({ freshGraceMs: 60_000 });
    const client = await connect(relay.port);
    await relay.untilConnections(1);
    const stopped = relay.stopper.stop();
    while (relay.server.listening) await new Promise((resolve) => setImmediate(resolve));
    client.get("/poll");
    expect(await client.ended).toEqual({ error: undefined });
    expect(client.responses().complete.map((r) => [r.status, r.headers.connection])).toEqual([[200, "close"]]);
    expect((await stopped).cut).toBe(0);
  });

  it("closes a fresh connection that stays silent once its grace is over", async () => {
    const relay = await startServer({ freshGraceMs: 20 });
    const client = await connect(relay.port);
    await relay.untilConnections(1);
    expect(await relay.stopper.stop()).toEqual({ ms: expect.any(Number), cut: 0 });
    expect(await client.ended).toEqual({ error: undefined });
    expect(client.responses()).toEqual({ complete: [], rest: "" });
  });

  it("cuts what is still open at the deadline", async () => {
    const relay = await startServer({ deadlineMs: 50 });
    const client = await connect(relay.port);
    client.get("/held");
    await relay.untilHeld(1);
    expect(await relay.stopper.stop()).toEqual({ ms: expect.any(Number), cut: 1 });
    await client.ended;
  });

  it("keeps idle connections open longer than a reverse proxy does", async () => {
    const relay = await startServer();
    expect(relay.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000);
    expect(relay.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(HEADERS_TIMEOUT_MS).toBeGreaterThan(KEEP_ALIVE_TIMEOUT_MS);
  });
});
