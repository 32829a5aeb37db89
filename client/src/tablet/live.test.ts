import { describe, expect, it } from "vitest";
import { keepLive, readEvents } from "./live";

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
});
