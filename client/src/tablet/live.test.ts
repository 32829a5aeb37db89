import { describe, expect, it } from "vitest";
import { readEvents } from "../kit/server-events";
import { followLive, keepLive, POLL_MS, POLL_WHILE_LIVE_MS } from "./live";
import { SyncLoop } from "./sync-loop";

const streamOf = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe("the live connection", () => {
  it("reads server-sent events, however the stream is cut into chunks", async () => {
    const seen: [string, string][] = [];
    await readEvents(
      streamOf("event: ready\ndata: {}\n\nevent: lo", 'g\ndata: {"seq":4}\n', "\nevent: ping\r\ndata: {}\r\n\r\n"),
      (name, data) => seen.push([name, data]),
    );
    expect(seen).toEqual([
      ["ready", "{}"],
      ["log", '{"seq":4}'],
      ["ping", "{}"],
    ]);
  });

  it("turns each log event into a hint, sends the device token, and connects again after the stream ends", async () => {
    const requests: RequestInit[] = [];
    let hints = 0;
    let stop: () => void = () => {};
    const twoConnections = new Promise<void>((resolve) => {
      const fetchImpl = (async (_url: string, init: RequestInit) => {
        requests.push(init);
        if (requests.length === 2) resolve();
        return new Response(streamOf("event: ready\ndata: {}\n\nevent: log\ndata: {}\n\n"), { status: 200 });
      }) as unknown as typeof fetch;
      stop = keepLive("device-token", { onHint: () => hints++, fetchImpl, retryMs: 1 });
    });
    await twoConnections;
    stop();
    expect(hints).toBeGreaterThanOrEqual(1);
    expect(new Headers(requests[0]?.headers).get("Authorization")).toBe("Bearer device-token");
  });

  it("waits the longest before connecting again when another page took the connection over", async () => {
    const delays: number[] = [];
    let stop: () => void = () => {};
    const bodies = [
      "event: ready\ndata: {}\n\n",
      "event: ready\ndata: {}\n\nevent: replaced\ndata: {}\n\n",
      "event: ready\ndata: {}\n\n",
    ];
    await new Promise<void>((resolve) => {
      const fetchImpl = (async () => {
        const body = bodies.shift();
        if (body === undefined) {
          resolve();
          return new Promise<Response>(() => {});
        }
        return new Response(streamOf(body), { status: 200 });
      }) as unknown as typeof fetch;
      stop = keepLive("device-token", {
        onHint: () => {},
        fetchImpl,
        retryMs: 5,
        maxRetryMs: 60_000,
        sleep: async (ms) => void delays.push(ms),
      });
    });
    stop();
    expect(delays).toEqual([5, 60_000, 5]);
  });

  it("catches up as soon as the connection opens or reopens: what came before it was ready had no hint", async () => {
    const log: string[] = [];
    const timers: { run: () => void; ms: number }[] = [];
    let onSynced: (seen: number) => void = () => {};
    const loop = new SyncLoop(async () => onSynced(log.length), {
      intervalMs: POLL_MS,
      setTimer: (run, ms) => timers.push({ run, ms }),
      clearTimer: () => timers.splice(0),
    });
    const synced = (count: number) => new Promise<void>((resolve) => (onSynced = (seen) => seen === count && resolve()));

    // Each connection answers when the test says, and stays open until the test ends it.
    const connections: { open: () => void; end: () => void }[] = [];
    const connectionMade: (() => void)[] = [];
    const fetchImpl = (() =>
      new Promise<Response>((resolve) => {
        let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
        const body = new ReadableStream<Uint8Array>({
          start: (c) => {
            controller = c;
          },
        });
        connections.push({
          open: () => {
            resolve(new Response(body, { status: 200 }));
            controller?.enqueue(new TextEncoder().encode("event: ready\ndata: {}\n\n"));
          },
          end: () => controller?.close(),
        });
        connectionMade.shift()?.();
      })) as unknown as typeof fetch;
    const connected = () => new Promise<void>((resolve) => connectionMade.push(resolve));

    let first = synced(0);
    const firstConnection = connected();
    loop.start();
    const stop = followLive(loop, "device-token", { fetchImpl, sleep: async () => {} });
    await Promise.all([first, firstConnection]);

    // A message arrives after the first sync, while the live connection is not yet ready.
    log.push("Bore da, Mam!");
    first = synced(1);
    connections[0]?.open();
    await first;
    expect(loop.nextDelayMs).toBe(POLL_WHILE_LIVE_MS);

    // The connection drops; another message comes before it is back.
    const again = connected();
    connections[0]?.end();
    await again;
    expect(loop.nextDelayMs).toBe(POLL_MS);
    log.push("Are you there?");
    const second = synced(2);
    connections[1]?.open();
    await second;
    stop();
    loop.stop();
  });
});
