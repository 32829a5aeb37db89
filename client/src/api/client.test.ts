import type { AppType } from "@letterbox/server";
import { hc } from "hono/client";
import { describe, expect, it } from "vitest";
import { answer, call } from "./client";
import { RelayError } from "./relay-error";

/** The typed client over a network that answers `reply` (or fails, like a phone with no signal). */
const relayAnswering = (reply: () => Response) => hc<AppType>("http://relay.test", { fetch: async () => reply() }).api;

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const failure = async (request: Promise<unknown>) => {
  const err = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof RelayError)) throw new Error(`expected a RelayError, got ${String(err)}`);
  return err;
};

describe("call", () => {
  it("returns the body the route answered", async () => {
    const api = relayAnswering(() => json({ publicKey: "key" }, 200));
    expect(await call(api.push.key.$get())).toEqual({ publicKey: "key" });
  });

  it("carries the relay's status, code and sentence", async () => {
    const api = relayAnswering(() => json({ error: { code: "unauthenticated", message: "This link does not work." } }, 401));
    const err = await failure(call(api.family.me.$get({}, { headers: { Authorization: "Bearer x" } })));
    expect(err).toMatchObject({ status: 401, code: "unauthenticated", message: "This link does not work." });
    expect(err.unauthenticated).toBe(true);
    expect(err.transient).toBe(false);
  });

  it("counts a relay never reached as network, worth trying again", async () => {
    const api = relayAnswering(() => {
      throw new TypeError("Failed to fetch");
    });
    const err = await failure(call(api.push.key.$get()));
    expect(err).toMatchObject({ status: 0, code: "network", transient: true, unauthenticated: false });
    expect(err.message).toMatch(/could not be reached/);
  });

  it("counts a proxy's page instead of the relay's answer as internal, worth trying again", async () => {
    const api = relayAnswering(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    expect(await failure(call(api.push.key.$get()))).toMatchObject({ status: 502, code: "internal", transient: true });
  });

  it("counts an answer cut off while its body was read as network", async () => {
    const api = relayAnswering(
      () => new Response('{"publicKey":', { status: 200, headers: { "Content-Type": "application/json" } }),
    );
    expect(await failure(call(api.push.key.$get()))).toMatchObject({ status: 0, code: "network" });
  });
});

describe("answer", () => {
  it("hands back a photo's answer as it came", async () => {
    const api = relayAnswering(
      () => new Response(new Uint8Array([1, 2, 3]), { status: 200, headers: { "Content-Type": "image/webp" } }),
    );
    const res = await answer(api.tablet.photos[":id"].$get({ param: { id: "p" } }, { headers: { Authorization: "Bearer x" } }));
    expect((await res.blob()).size).toBe(3);
  });

  it("turns a refusal into the same RelayError", async () => {
    const api = relayAnswering(() => json({ error: { code: "device_wiped", message: "This tablet was wiped." } }, 410));
    const request = api.tablet.photos[":id"].$get({ param: { id: "p" } }, { headers: { Authorization: "Bearer x" } });
    expect(await failure(answer(request))).toMatchObject({ status: 410, code: "device_wiped", transient: false });
  });
});
