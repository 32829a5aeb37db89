import { type ErrorBody, LIMITS } from "@letterbox/shared";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { Logger } from "../log";
import { listenForTest } from "../test-support";
import { onError } from "./errors";
import { readBodyLimited } from "./read-body";

const MB = 1024 * 1024;

/** One upload route, as the relay would have it: the body's length, or the error the family sees. */
function uploadApp(maxBytes: number, log: Logger = () => {}) {
  return new Hono()
    .post("/upload", async (c) => {
      const body = await readBodyLimited(c, maxBytes);
      return c.json({ bytes: body.byteLength, sum: body.reduce((sum, byte) => sum + byte, 0) });
    })
    .onError(onError(log));
}

/** A body that arrives in `chunks` pieces of `chunkBytes`, counting how many pieces were asked for. */
function countingStream(chunks: number, chunkBytes: number, fill = 1) {
  const counter = { pulls: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      counter.pulls++;
      if (counter.pulls > chunks) controller.close();
      else controller.enqueue(new Uint8Array(chunkBytes).fill(fill));
    },
  });
  return { stream, counter };
}

function post(app: ReturnType<typeof uploadApp>, body: RequestInit["body"], headers: Record<string, string> = {}) {
  // `duplex` is what Node's fetch needs for a streamed body; the DOM types do not know it yet.
  return app.request("/upload", { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

async function errorOf(res: Response) {
  return ((await res.json()) as ErrorBody).error;
}

describe("readBodyLimited", () => {
  it("reads a body of many chunks whole", async () => {
    const { stream } = countingStream(40, 64 * 1024, 3);
    const res = await post(uploadApp(MB * 4), stream);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 40 * 64 * 1024, sum: 3 * 40 * 64 * 1024 });
  });

  it("takes a body of exactly the limit and refuses one byte more", async () => {
    const app = uploadApp(MB);
    expect((await post(app, new Uint8Array(MB))).status).toBe(200);
    const res = await post(app, new Uint8Array(MB + 1));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("photo_too_large");
  });

  it("stops reading a stream as soon as it passes the limit", async () => {
    // 100 chunks of 64 KB (6.4 MB) against a 1 MB limit: the 17th chunk passes it.
    const { stream, counter } = countingStream(100, 64 * 1024);
    const res = await post(uploadApp(MB), stream);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({
      code: "photo_too_large",
      message: "This photo is larger than 1 MB, the most Letterbox takes. Please choose a smaller photo.",
    });
    expect(counter.pulls).toBeGreaterThanOrEqual(17);
    expect(counter.pulls).toBeLessThanOrEqual(19);
  });

  it("refuses at once, reading nothing, when Content-Length is over the limit", async () => {
    const { stream, counter } = countingStream(1, 10);
    const res = await post(uploadApp(LIMITS.photoUploadMaxBytes), stream, {
      "content-length": String(LIMITS.photoUploadMaxBytes + 1),
    });
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({
      code: "photo_too_large",
      message: "This photo is larger than 15 MB, the most Letterbox takes. Please choose a smaller photo.",
    });
    // A ReadableStream asks for its first chunk when it is made; nothing after that.
    expect(counter.pulls).toBeLessThanOrEqual(1);
  });

  it("does not trust a Content-Length that understates the body", async () => {
    const { stream } = countingStream(100, 64 * 1024);
    const res = await post(uploadApp(MB), stream, { "content-length": "1000" });
    expect(res.status).toBe(413);
  });

  it.each([
    ["no body at all", null],
    ["an empty body", new Uint8Array(0)],
    ["a stream that ends at once", new ReadableStream({ start: (controller) => controller.close() })],
  ])("refuses %s as unreadable", async (_name, body) => {
    const res = await post(uploadApp(MB), body);
    expect(res.status).toBe(422);
    expect(await errorOf(res)).toEqual({ code: "photo_unreadable", message: "The photo arrived empty. Please choose it again." });
  });

  it("answers a dropped upload with a 4xx, not a logged 500", async () => {
    const events: string[] = [];
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) controller.enqueue(new Uint8Array(1024));
        else controller.error(new Error("socket hang up"));
      },
    });
    const res = await post(
      uploadApp(MB, (event) => events.push(event)),
      stream,
    );
    expect(res.status).toBe(422);
    expect((await errorOf(res)).message).toBe("The photo did not arrive completely. Please try sending it again.");
    expect(events).toEqual([]);
  });

  it("gets its 413 to a phone over a real connection, without reading the whole upload", async () => {
    let received = 0;
    const app = new Hono()
      .post("/upload", async (c) => {
        const body = await readBodyLimited(c, MB);
        received += body.byteLength;
        return c.json({ ok: true });
      })
      .onError(onError(() => {}));
    const { port } = await listenForTest(app.fetch);
    const url = `http://127.0.0.1:${port}/upload`;

    // With a Content-Length (what a browser sends for a Blob).
    const declared = await fetch(url, { method: "POST", body: new Uint8Array(20 * MB) });
    expect(declared.status).toBe(413);
    expect((await errorOf(declared)).code).toBe("photo_too_large");

    // Chunked, with no length: 100 MB offered, a small part of it ever asked for.
    const { stream, counter } = countingStream(1600, 64 * 1024);
    const chunked = await fetch(url, { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await errorOf(chunked)).code).toBe("photo_too_large");
    expect(counter.pulls).toBeLessThan(400);
    expect(received).toBe(0);
  });
});
