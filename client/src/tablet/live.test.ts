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
});
