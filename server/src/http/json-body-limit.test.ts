import { LIMITS, sentMessageSchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  listenForTest,
  messagesOf,
  type Relay,
  send,
  startRelay,
  sync,
} from "../test-support";
import { connect } from "./raw-client";

const LIMIT = LIMITS.jsonBodyMaxBytes;
const sentMessageResponse = z.object({ message: sentMessageSchema });

/** A family message whose JSON is exactly `bytes` long: a short text, then spaces, which JSON allows. */
function messageOf(bytes: number, id = uuidv7()): Buffer {
  const json = JSON.stringify({ id, text: "Hello Mum" });
  if (json.length > bytes) throw new Error(`A message cannot be as short as ${bytes} bytes.`);
  return Buffer.from(json + " ".repeat(bytes - json.length));
}

/** `body` as a stream of 16 KB pieces: sent chunked, with no Content-Length. */
function streamOf(body: Buffer): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= body.length) return controller.close();
      controller.enqueue(new Uint8Array(body.subarray(at, at + 16 * 1024)));
      at += 16 * 1024;
    },
  });
}

type Transport = "a real connection" | "in process";
type Sending = { chunked: boolean; contentType?: string | null };

async function household(engine: Engine) {
  const relay = await startRelay({ engine });
  const staff = await firstStaff(relay);
  const { familyToken, deviceToken } = await staff.household("Margaret");
  // Using the link marks it used; after this, a refused message changes nothing at all.
  await send(relay, familyToken, "A good message first");
  const { port } = await listenForTest(relay.app.fetch);
  /**
   * POSTs a family message: over a real connection (Node's request, as the relay runs) or in
   * process (a web Request); with its length declared, or chunked; as JSON unless told otherwise.
   */
  const postMessage = (over: Transport, body: Buffer, { chunked, contentType = "application/json" }: Sending) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${familyToken}` };
    if (contentType !== null) headers["Content-Type"] = contentType;
    // fetch declares a Buffer's length itself; a web Request made in process does not.
    if (!chunked && over === "in process") headers["Content-Length"] = String(body.length);
    // `duplex` is what Node's fetch needs for a streamed body; the DOM types do not know it yet.
    const init = { method: "POST", headers, body: chunked ? streamOf(body) : body, duplex: "half" } as RequestInit;
    return over === "in process"
      ? Promise.resolve(relay.app.request("/api/family/messages", init))
      : fetch(`http://127.0.0.1:${port}/api/family/messages`, init);
  };
  return { relay, port, familyToken, deviceToken, postMessage };
}

const texts = async (relay: Relay, deviceToken: string) => messagesOf(await sync(relay, deviceToken)).map((m) => m.text);

const ways = [
  ["a real connection", "declared"],
  ["a real connection", "chunked"],
  ["in process", "declared"],
  ["in process", "chunked"],
] as const;

describe.each(engines)("JSON bodies on $name", (engine) => {
  it.each(ways)("of exactly the limit are taken, over %s, %s", async (over, how) => {
    const { relay, deviceToken, postMessage } = await household(engine);
    const res = await postMessage(over, messageOf(LIMIT), { chunked: how === "chunked" });
    await expectBody(res, 201, sentMessageResponse);
    expect(await texts(relay, deviceToken)).toEqual(["A good message first", "Hello Mum"]);
  });

  it.each(ways)("one byte over the limit get 413 body_too_large and store nothing, over %s, %s", async (over, how) => {
    const { relay, postMessage } = await household(engine);
    const before = await dumpTables(relay);
    const res = await postMessage(over, messageOf(LIMIT + 1), { chunked: how === "chunked" });
    expect(await expectError(res, 413, "body_too_large")).toBe("The request is larger than 64 KB.");
    expect(await dumpTables(relay)).toEqual(before);
  });

  it.each(ways)("that are not valid JSON get 400 malformed_json, over %s, %s", async (over, how) => {
    const { relay, postMessage } = await household(engine);
    const before = await dumpTables(relay);
    const res = await postMessage(over, Buffer.from('{"id": "'), { chunked: how === "chunked" });
    expect(await expectError(res, 400, "malformed_json")).toBe("The request body is not valid JSON.");
    expect(await dumpTables(relay)).toEqual(before);
  });

  it.each(ways)("without a content type get 400 invalid_request naming the header, over %s, %s", async (over, how) => {
    const { relay, postMessage } = await household(engine);
    const before = await dumpTables(relay);
    const res = await postMessage(over, messageOf(100), { chunked: how === "chunked", contentType: null });
    expect(await expectError(res, 400, "invalid_request")).toContain("Content-Type: application/json");
    expect(await dumpTables(relay)).toEqual(before);
  });

  it("with a declared length over the limit are refused at once, before any of the body is sent", async () => {
    const { relay, port, familyToken } = await household(engine);
    const before = await dumpTables(relay);
    const conn = await connect(port);
    conn.write(
      `POST /api/family/messages HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${familyToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n`,
    );
    // Nothing of the 10 MB follows: an answer that waited for the body would never come.
    await conn.untilResponses(1);
    const [answer] = conn.responses().complete;
    expect(answer?.status).toBe(413);
    expect(JSON.parse(answer?.body ?? "")).toEqual({
      error: { code: "body_too_large", message: "The request is larger than 64 KB." },
    });
    conn.socket.destroy();
    expect(await dumpTables(relay)).toEqual(before);
  });

  it("sent chunked are refused at the chunk that passes the limit, not read to their end", async () => {
    const { relay, port, familyToken } = await household(engine);
    const before = await dumpTables(relay);
    // 100 MB offered in 64 KB pieces; pulled only as fast as the connection takes them.
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++pulls > 1600) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
      },
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/family/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${familyToken}`, "Content-Type": "application/json" },
      body: endless,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "body_too_large");
    expect(pulls).toBeLessThan(400);
    expect(await dumpTables(relay)).toEqual(before);
  });

  it("are read from Node's request without building a web Request for them", async () => {
    const { relay, familyToken } = await household(engine);
    // The adapter keeps the web Request it builds, on demand, on its own light request object.
    const requests: object[] = [];
    const { port } = await listenForTest((request: Request, env?: object) => {
      requests.push(request);
      return relay.app.fetch(request, env);
    });
    const built = (request: object | undefined) =>
      request !== undefined &&
      Object.getOwnPropertySymbols(request).some(
        (s) => s.description === "requestCache" && (request as Record<symbol, unknown>)[s] !== undefined,
      );
    const url = `http://127.0.0.1:${port}/api/family`;
    const bearer = { Authorization: `Bearer ${familyToken}` };

    const sent = await fetch(`${url}/messages`, {
      method: "POST",
      headers: { ...bearer, "Content-Type": "application/json" },
      body: messageOf(200),
    });
    await expectBody(sent, 201, sentMessageResponse);
    expect(built(requests[0])).toBe(false);

    // The check can see one: a photo upload streams its body through the web Request.
    const photo = await fetch(`${url}/photos`, {
      method: "POST",
      headers: { ...bearer, "Content-Type": "image/jpeg" },
      body: new Uint8Array(10),
    });
    expect(photo.status).toBeGreaterThanOrEqual(400);
    expect(built(requests[1])).toBe(true);
  });
});
