/**
 * Web push end to end on loopback: the relay in-process, a local HTTPS receiver playing the push
 * service, and subscriptions made as a browser makes them (a fresh P-256 key pair and auth secret).
 */
import http from "node:http";
import net from "node:net";
import { dashboardSchema, deviceSchema, pushKeySchema } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { loadConfig } from "../config";
import { openDataFolder } from "../data-folder";
import { type Engine, engines } from "../test-databases";
import {
  dumpTables,
  expectBody,
  expectError,
  firstStaff,
  messagesOf,
  type Relay,
  START,
  type StaffClient,
  send,
  sendRequest,
  startRelay,
  sync,
  tabletStatus,
} from "../test-support";
import {
  LocalPushService,
  p256PublicKey,
  type ReceivedPush,
  selfSignedCertificate,
  type TestSubscriber,
  verifyVapidAuthorization,
} from "./local-push-service";
import { topicFor } from "./push-service";
import { KyselyPushStore } from "./push-store";
import type { Timers } from "./send-queue";
import { loadOrCreateVapidKeys } from "./vapid";

let receiver: LocalPushService;

beforeAll(async () => {
  receiver = await LocalPushService.start();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.respondWith(() => ({ status: 201 })));

/** Retries wait on these: a test sees how long each wait is and ends it when it chooses. */
class ManualTimers implements Timers {
  readonly pending: { ms: number; fire: () => void }[] = [];
  set(ms: number, fn: () => void) {
    const entry = {
      ms,
      fire: () => {
        this.pending.splice(this.pending.indexOf(entry), 1);
        fn();
      },
    };
    this.pending.push(entry);
    return () => {
      const at = this.pending.indexOf(entry);
      if (at >= 0) this.pending.splice(at, 1);
    };
  }
}

/** Waits (polling, never a fixed sleep) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A relay whose pushes go to the local receiver; a resident with a family link and a paired tablet. */
async function household(engine: Engine, timers?: Timers, metricsToken?: string) {
  const relay = await startRelay({
    engine,
    push: { agent: receiver.agent, allowEndpoint: receiver.allows, ...(timers && { timers }) },
    ...(metricsToken && { metricsToken }),
  });
  const staff = await firstStaff(relay);
  const home = await staff.household("Margaret");
  const [device] = await relay.services.tablets.list(home.resident.id);
  return { relay, staff, ...home, deviceId: device?.id ?? "" };
}

function reportPush(relay: Relay, deviceToken: string, body: unknown) {
  return relay.request("/api/tablet/push", { bearer: deviceToken, json: body });
}

async function subscribeTablet(relay: Relay, deviceToken: string): Promise<TestSubscriber> {
  const subscriber = receiver.subscribe();
  const res = await reportPush(relay, deviceToken, { subscription: subscriber.toJSON() });
  expect(res.status, await res.clone().text()).toBe(200);
  return subscriber;
}

async function subscribeFamily(relay: Relay, familyToken: string): Promise<TestSubscriber> {
  const subscriber = receiver.subscribe();
  const res = await relay.request("/api/family/push", { bearer: familyToken, json: { subscription: subscriber.toJSON() } });
  expect(res.status, await res.clone().text()).toBe(200);
  return subscriber;
}

const to = (subscriber: TestSubscriber) => (push: ReceivedPush) => push.subscriber === subscriber;

const reply = (relay: Relay, deviceToken: string, inReplyTo: string) =>
  relay.request("/api/tablet/replies", { bearer: deviceToken, json: { id: uuidv7(), inReplyTo, text: "Thank you ♥" } });

const receipt = (relay: Relay, deviceToken: string, messageId: string, state: "delivered" | "seen") =>
  relay.request("/api/tablet/receipts", { bearer: deviceToken, json: { receipts: [{ messageId, state }] } });

const subscriptionRows = async (relay: Relay) =>
  (await dumpTables(relay)).push_subscriptions as { endpoint: string; failing_since: string | null; last_error: string | null }[];

/**
 * An egress proxy on loopback: a plain HTTP server that answers CONNECT (with the credentials it
 * wants) by tunnelling bytes to the target, and notes each tunnel it made.
 */
async function connectProxy(credentials: string) {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    if (req.headers["proxy-authorization"] !== `Basic ${Buffer.from(credentials).toString("base64")}`) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const [host = "", port = ""] = (req.url ?? "").split(":");
    tunnels.push(req.url ?? "");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { tunnels, url: (auth: string) => `http://${auth}@127.0.0.1:${address.port}` };
}

describe.each(engines)("web push on $name", (engine) => {
  describe("the VAPID key pair", () => {
    it("is made at first start, served without a credential, and kept in the database", async () => {
      const relay = await startRelay({ engine });
      const { publicKey } = await expectBody(await relay.request("/api/push/key"), 200, pushKeySchema);
      expect(() => p256PublicKey(publicKey)).not.toThrow();
      expect((await expectBody(await relay.request("/api/push/key"), 200, pushKeySchema)).publicKey).toBe(publicKey);
      expect((await dumpTables(relay)).push_vapid_keys).toEqual([expect.objectContaining({ id: 1, public_key: publicKey })]);

      // Another start on the same data folder (a restart, or a second relay instance) finds the same pair.
      const { db } = await openDataFolder(relay.dataDir, { database: relay.database });
      try {
        const again = await loadOrCreateVapidKeys({ store: new KyselyPushStore(db), clock: relay.clock, log: () => {} });
        expect(again.publicKey).toBe(publicKey);
      } finally {
        await db.destroy();
      }
    });
  });

  describe("a family message", () => {
    it("is pushed to the tablet, encrypted for its keys, with TTL, Urgency, Topic and a signed VAPID JWT", async () => {
      const { relay, resident, familyToken, deviceToken, deviceId } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      const { publicKey } = await expectBody(await relay.request("/api/push/key"), 200, pushKeySchema);

      const message = await send(relay, familyToken, "Hello Mum, see you Sunday");
      const push = await receiver.waitFor(to(subscriber));

      expect(push.error).toBeUndefined();
      expect(push.payload).toEqual({
        kind: "message",
        residentId: resident.id,
        seq: message.seq,
        senderName: "Margaret's daughter",
      });
      // The text itself never travels in a push: the tablet pulls it.
      expect(subscriber.decrypt(push.body).toString()).not.toContain("Sunday");
      expect(push.headers["content-encoding"]).toBe("aes128gcm");
      expect(push.headers.ttl).toBe(String(24 * 60 * 60));
      expect(push.headers.urgency).toBe("high");
      expect(push.headers.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
      expect(push.headers.topic).toBe(topicFor(deviceId, "message"));

      const vapid = verifyVapidAuthorization(push.headers.authorization);
      expect(vapid.publicKey).toBe(publicKey);
      expect(vapid.header).toMatchObject({ alg: "ES256", typ: "JWT" });
      expect(vapid.claims.aud).toBe(receiver.origin);
      expect(vapid.claims.sub).toBe("mailto:letterbox@localhost");
      const nowSeconds = Date.now() / 1000;
      expect(vapid.claims.exp).toBeGreaterThan(nowSeconds);
      expect(vapid.claims.exp).toBeLessThanOrEqual(nowSeconds + 24 * 60 * 60);
    });

    it("names the sender as the tablet does: the name the family member chose, not the staff label", async () => {
      const { relay, familyToken, deviceToken } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      const patched = await relay.request("/api/family/me", {
        method: "PATCH",
        bearer: familyToken,
        json: { displayName: "Sarah" },
      });
      expect(patched.status).toBe(200);

      const message = await send(relay, familyToken, "Hello Mum");
      const push = await receiver.waitFor(to(subscriber));
      expect(push.payload?.senderName).toBe("Sarah");
      const shown = messagesOf(await sync(relay, deviceToken)).find((m) => m.id === message.id);
      expect(shown?.senderName).toBe(push.payload?.senderName);
    });

    it("reaches only its own resident's tablet, under that resident's topic", async () => {
      const { relay, staff, familyToken, deviceToken } = await household(engine);
      const arthur = await staff.household("Arthur");
      const margaretsTablet = await subscribeTablet(relay, deviceToken);
      const arthursTablet = await subscribeTablet(relay, arthur.deviceToken);

      await send(relay, arthur.familyToken, "Hello Dad");
      await send(relay, familyToken, "Hello Mum");
      await relay.services.push.idle();

      expect(receiver.to(arthursTablet).map((p) => p.payload?.residentId)).toEqual([arthur.resident.id]);
      expect(receiver.to(margaretsTablet).map((p) => p.payload?.residentId)).not.toContain(arthur.resident.id);
      expect(receiver.to(arthursTablet)[0]?.headers.topic).not.toBe(receiver.to(margaretsTablet)[0]?.headers.topic);
    });

    it("taken back is pushed to the tablet too, at normal urgency", async () => {
      const { relay, resident, familyToken, deviceToken, deviceId } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      const message = await send(relay, familyToken, "Oops");
      await receiver.waitFor(to(subscriber));

      expect((await relay.request(`/api/family/messages/${message.id}`, { method: "DELETE", bearer: familyToken })).status).toBe(
        200,
      );
      const push = await receiver.waitFor((p) => to(subscriber)(p) && p.payload?.kind === "message_deleted");
      expect(push.payload).toEqual({ kind: "message_deleted", residentId: resident.id, seq: message.seq + 1 });
      expect(push.headers.urgency).toBe("normal");
      // Its own topic: a "taken back" must not replace an undelivered "new message" at the push service.
      expect(push.headers.topic).toBe(topicFor(deviceId, "message_deleted"));
      expect(push.headers.topic).not.toBe(receiver.to(subscriber)[0]?.headers.topic);
    });

    it("is not held up by a push service that is slow to answer", async () => {
      const { relay, familyToken, deviceToken } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      let answer: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        answer = resolve;
      });
      receiver.respondWith(async () => {
        await held;
        return { status: 201 };
      });

      // The POST must answer while the push service still holds the push it was sent.
      const posted = sendRequest(relay, familyToken, "Hello");
      const outcome = await Promise.race([
        posted.then((res) => res.status),
        new Promise<string>((resolve) => setTimeout(() => resolve("the POST did not answer"), 3_000)),
      ]);
      expect(outcome).toBe(201);
      await receiver.waitFor(to(subscriber));
      answer();
      await relay.services.push.idle();
    });
  });

  describe("one push service that hangs", () => {
    it("holds one push to its subscription, while another resident's push is delivered", async () => {
      const { relay, staff, familyToken, deviceToken } = await household(engine);
      const arthur = await staff.household("Arthur");
      const stuck = await subscribeTablet(relay, deviceToken);
      const arthursTablet = await subscribeTablet(relay, arthur.deviceToken);
      let answer: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        answer = resolve;
      });
      receiver.respondWith(async (push) => {
        if (push.subscriber === stuck) await held;
        return { status: 201 };
      });

      const toMargaret: number[] = [];
      for (let i = 0; i < 8; i++) toMargaret.push((await send(relay, familyToken, `Hello ${i}`)).seq);
      await receiver.waitFor(to(stuck));
      await send(relay, arthur.familyToken, "Hello Dad");
      await receiver.waitFor(to(arthursTablet));
      // Still one push in flight to the stuck subscription: the others wait behind it, merged.
      expect(receiver.to(stuck)).toHaveLength(1);

      answer();
      await relay.services.push.idle();
      expect(receiver.to(stuck).map((p) => p.payload?.seq)).toEqual([toMargaret[0], toMargaret[7]]);
    });
  });

  describe("topics", () => {
    it("are per recipient and kind of news, so that a seen does not replace an undelivered reply", async () => {
      const { relay, staff, resident, link, familyToken, deviceToken } = await household(engine);
      const son = await staff.createFamilyLink(resident.id, "Margaret's son");
      const daughterPhone = await subscribeFamily(relay, familyToken);
      const sonPhone = await subscribeFamily(relay, son.token);
      const toDaughter = await send(relay, familyToken, "From your daughter");
      const toSon = await send(relay, son.token, "From your son");

      await reply(relay, deviceToken, toDaughter.id);
      await receipt(relay, deviceToken, toDaughter.id, "seen");
      await reply(relay, deviceToken, toSon.id);
      await receiver.waitFor(to(sonPhone));
      await relay.services.push.idle();

      const sent = [
        ...receiver.to(daughterPhone).map((p) => ["daughter", p.payload?.kind, p.headers.topic]),
        ...receiver.to(sonPhone).map((p) => ["son", p.payload?.kind, p.headers.topic]),
      ];
      expect(sent).toEqual([
        ["daughter", "reply", topicFor(link.id, "reply")],
        ["daughter", "receipt", topicFor(link.id, "seen")],
        ["son", "reply", topicFor(son.link.id, "reply")],
      ]);
      expect(new Set(sent.map(([, , topic]) => topic)).size).toBe(3);
    });
  });

  describe("an egress proxy (HTTPS_PROXY)", () => {
    async function relayBehind(env: Record<string, string>) {
      const { pushProxy } = loadConfig(env);
      const relay = await startRelay({
        engine,
        push: { allowEndpoint: receiver.allows, ca: selfSignedCertificate().cert, ...(pushProxy && { proxy: pushProxy }) },
      });
      const staff = await firstStaff(relay);
      return { relay, ...(await staff.household("Margaret")) };
    }

    it("carries the pushes through a CONNECT tunnel, still encrypted for the tablet, on one kept-alive tunnel", async () => {
      const proxy = await connectProxy("council:s3cret");
      const { relay, resident, familyToken, deviceToken } = await relayBehind({ HTTPS_PROXY: proxy.url("council:s3cret") });
      const subscriber = await subscribeTablet(relay, deviceToken);

      const first = await send(relay, familyToken, "Hello through the proxy");
      const push = await receiver.waitFor(to(subscriber));
      expect(push.error).toBeUndefined();
      expect(push.payload).toMatchObject({ kind: "message", residentId: resident.id, seq: first.seq });
      await relay.services.push.idle();
      await send(relay, familyToken, "And again");
      await relay.services.push.idle();
      expect(receiver.to(subscriber).map((p) => p.payload?.seq)).toEqual([first.seq, first.seq + 1]);
      expect(proxy.tunnels).toEqual([new URL(receiver.origin).host]);
    });

    it("is passed by for the hosts in NO_PROXY", async () => {
      const proxy = await connectProxy("council:s3cret");
      const { relay, familyToken, deviceToken } = await relayBehind({
        HTTPS_PROXY: proxy.url("council:s3cret"),
        NO_PROXY: "localhost,127.0.0.1",
      });
      const subscriber = await subscribeTablet(relay, deviceToken);
      await send(relay, familyToken, "Hello");
      expect((await receiver.waitFor(to(subscriber))).error).toBeUndefined();
      expect(proxy.tunnels).toEqual([]);
    });

    it("that refuses the relay leaves the tablet failing as unreachable, not a crash", async () => {
      const proxy = await connectProxy("council:s3cret");
      const timers = new ManualTimers();
      const { pushProxy } = loadConfig({ HTTPS_PROXY: proxy.url("council:wrong") });
      const relay = await startRelay({
        engine,
        push: {
          allowEndpoint: receiver.allows,
          ca: selfSignedCertificate().cert,
          timers,
          ...(pushProxy && { proxy: pushProxy }),
        },
      });
      const staff = await firstStaff(relay);
      const { resident, familyToken, deviceToken } = await staff.household("Margaret");
      await subscribeTablet(relay, deviceToken);
      await send(relay, familyToken, "Hello");
      for (let tries = 1; tries < 3; tries++) {
        await until(() => timers.pending.length === 1, `try ${tries} to fail`);
        timers.pending[0]?.fire();
      }
      await relay.services.push.idle();
      expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
        expect.objectContaining({ state: "subscribed", failingSince: START.toISOString(), problem: "unreachable" }),
      ]);
    });
  });

  describe("subscriptions", () => {
    it("are replaced when the tablet subscribes again", async () => {
      const { relay, familyToken, deviceToken } = await household(engine);
      const first = await subscribeTablet(relay, deviceToken);
      const second = await subscribeTablet(relay, deviceToken);

      await send(relay, familyToken, "Hello");
      await receiver.waitFor(to(second));
      await relay.services.push.idle();
      expect(receiver.to(first)).toEqual([]);
      expect((await subscriptionRows(relay)).map((r) => r.endpoint)).toEqual([second.endpoint]);
    });

    it.each([404, 410])("are removed when the push service answers %i, and the tablet shows as expired", async (status) => {
      const { relay, resident, familyToken, deviceToken } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      receiver.respondWith(() => ({ status }));

      await send(relay, familyToken, "Hello");
      await receiver.waitFor(to(subscriber));
      await relay.services.push.idle();
      expect(await subscriptionRows(relay)).toEqual([]);
      expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
        expect.objectContaining({ state: "expired", failingSince: START.toISOString(), problem: "gone" }),
      ]);

      await send(relay, familyToken, "Hello again");
      await relay.services.push.idle();
      expect(receiver.to(subscriber)).toHaveLength(1);
    });

    it("are counted in /metrics by outcome, with the send queue's depth", async () => {
      const token = "metrics-token-for-push-tests-0123";
      const { relay, familyToken, deviceToken } = await household(engine, undefined, token);
      const subscriber = await subscribeTablet(relay, deviceToken);
      const scrape = async () => (await relay.request("/metrics", { bearer: token })).text();
      const sample = (text: string, series: string) =>
        Number(
          text
            .split("\n")
            .find((line) => line.startsWith(`${series} `))
            ?.split(" ")[1] ?? 0,
        );

      await send(relay, familyToken, "Hello");
      await receiver.waitFor(to(subscriber));
      await relay.services.push.idle();
      receiver.respondWith(() => ({ status: 410 }));
      await send(relay, familyToken, "Hello again");
      await relay.services.push.idle();

      const text = await scrape();
      expect(sample(text, 'letterbox_push_sends_total{outcome="sent"}')).toBe(1);
      expect(sample(text, 'letterbox_push_sends_total{outcome="gone"}')).toBe(1);
      expect(sample(text, 'letterbox_push_sends_total{outcome="retry"}')).toBe(0);
      expect(text).toContain('letterbox_push_queue{state="waiting"} 0');
      expect(text).toContain('letterbox_push_queue{state="in_flight"} 0');
      expect(text).toContain('letterbox_push_queue{state="retry_waiting"} 0');
    });

    it("are tried again after the Retry-After of a 429, and not before", async () => {
      const timers = new ManualTimers();
      const { relay, familyToken, deviceToken } = await household(engine, timers);
      const subscriber = await subscribeTablet(relay, deviceToken);
      receiver.respondWith(() =>
        receiver.to(subscriber).length === 1 ? { status: 429, headers: { "Retry-After": "7" } } : { status: 201 },
      );

      const message = await send(relay, familyToken, "Hello");
      await until(() => timers.pending.length === 1, "the retry to be scheduled");
      expect(timers.pending.map((t) => t.ms)).toEqual([7_000]);
      expect(receiver.to(subscriber)).toHaveLength(1);

      timers.pending[0]?.fire();
      const retried = await receiver.waitFor((p) => to(subscriber)(p) && p !== receiver.to(subscriber)[0]);
      expect(retried.payload).toMatchObject({ kind: "message", seq: message.seq });
      await relay.services.push.idle();
      expect(await subscriptionRows(relay)).toEqual([
        expect.objectContaining({ endpoint: subscriber.endpoint, failing_since: null }),
      ]);
    });

    it("are tried three times with growing waits on 5xx, then kept but shown as failing until a push gets through", async () => {
      const timers = new ManualTimers();
      const { relay, resident, familyToken, deviceToken } = await household(engine, timers);
      const subscriber = await subscribeTablet(relay, deviceToken);
      receiver.respondWith(() => ({ status: 503 }));

      await send(relay, familyToken, "Hello");
      const waits: number[] = [];
      for (const tries of [1, 2]) {
        await until(() => receiver.to(subscriber).length === tries && timers.pending.length === 1, `try ${tries} to fail`);
        waits.push(timers.pending[0]?.ms ?? 0);
        timers.pending[0]?.fire();
      }
      await until(() => receiver.to(subscriber).length === 3, "the third try");
      await relay.services.push.idle();
      expect(waits).toEqual([2_000, 8_000]);
      expect(timers.pending).toEqual([]);
      expect(receiver.to(subscriber)).toHaveLength(3);
      expect(await subscriptionRows(relay)).toEqual([expect.objectContaining({ endpoint: subscriber.endpoint })]);
      expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
        expect.objectContaining({ state: "subscribed", failingSince: START.toISOString(), problem: "service_error" }),
      ]);

      receiver.respondWith(() => ({ status: 201 }));
      await send(relay, familyToken, "Hello again");
      await relay.services.push.idle();
      expect(receiver.to(subscriber)).toHaveLength(4);
      expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
        expect.objectContaining({ state: "subscribed", failingSince: null, problem: null }),
      ]);
    });
  });

  describe("staff", () => {
    const dashboardRow = async (staff: StaffClient, residentId: string) => {
      const { rows } = await expectBody(await staff.request("/dashboard"), 200, dashboardSchema);
      return rows.find((r) => r.resident.id === residentId);
    };
    const tabletPage = async (staff: StaffClient, residentId: string) =>
      (
        await expectBody(
          await staff.request(`/residents/${residentId}/devices`),
          200,
          z.object({ devices: z.array(deviceSchema) }),
        )
      ).devices[0];

    it("see push failing since the push service pruned the subscription (410), on the dashboard and the tablet page", async () => {
      const { relay, staff, resident, familyToken, deviceToken } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      await tabletStatus(relay, deviceToken, { pushState: "subscribed" });
      expect((await dashboardRow(staff, resident.id))?.alerts).toEqual([]);

      receiver.respondWith(() => ({ status: 410 }));
      relay.clock.advanceMinutes(30);
      await send(relay, familyToken, "Hello");
      await receiver.waitFor(to(subscriber));
      await relay.services.push.idle();
      // The tablet still believes it is subscribed; the push service's answer is what staff see.
      await tabletStatus(relay, deviceToken, { pushState: "subscribed" });

      const failingSince = relay.clock.now().toISOString();
      const row = await dashboardRow(staff, resident.id);
      expect(row?.alerts).toEqual(["push_failing"]);
      expect(row?.tablet).toMatchObject({ pushState: "expired", pushFailingSince: failingSince, pushProblem: "gone" });
      expect(await tabletPage(staff, resident.id)).toMatchObject({
        pushState: "expired",
        pushFailingSince: failingSince,
        pushProblem: "gone",
      });

      // Subscribing afresh (the tablet's next start) ends it.
      await subscribeTablet(relay, deviceToken);
      expect(await dashboardRow(staff, resident.id)).toMatchObject({
        alerts: [],
        tablet: { pushState: "subscribed", pushFailingSince: null, pushProblem: null },
      });
    });

    it("see push failing after repeated 500s, with the time of the first give-up, until a push gets through", async () => {
      const timers = new ManualTimers();
      const { relay, staff, resident, familyToken, deviceToken } = await household(engine, timers);
      const subscriber = await subscribeTablet(relay, deviceToken);
      receiver.respondWith(() => ({ status: 500 }));

      await send(relay, familyToken, "Hello");
      for (const tries of [1, 2]) {
        await until(() => receiver.to(subscriber).length === tries && timers.pending.length === 1, `try ${tries} to fail`);
        // Not failing yet while tries remain.
        expect((await dashboardRow(staff, resident.id))?.alerts).toEqual([]);
        timers.pending[0]?.fire();
      }
      await until(() => receiver.to(subscriber).length === 3, "the third try");
      await relay.services.push.idle();
      const failingSince = relay.clock.now().toISOString();
      expect(await dashboardRow(staff, resident.id)).toMatchObject({
        alerts: ["push_failing"],
        tablet: { pushState: "subscribed", pushFailingSince: failingSince, pushProblem: "service_error" },
      });

      // A later failure keeps the first time.
      relay.clock.advanceMinutes(60);
      await send(relay, familyToken, "Hello again");
      for (const tries of [4, 5]) {
        await until(() => receiver.to(subscriber).length === tries && timers.pending.length === 1, `try ${tries} to fail`);
        timers.pending[0]?.fire();
      }
      await until(() => receiver.to(subscriber).length === 6, "the sixth try");
      await relay.services.push.idle();
      expect((await tabletPage(staff, resident.id))?.pushFailingSince).toBe(failingSince);

      receiver.respondWith(() => ({ status: 201 }));
      await send(relay, familyToken, "Third time lucky");
      await relay.services.push.idle();
      expect(await dashboardRow(staff, resident.id)).toMatchObject({
        alerts: [],
        tablet: { pushState: "subscribed", pushFailingSince: null, pushProblem: null },
      });
    });

    it("see that the push service refused the relay's key (403) at the first refusal: trying again would not help", async () => {
      const { relay, staff, resident, familyToken, deviceToken } = await household(engine);
      const subscriber = await subscribeTablet(relay, deviceToken);
      receiver.respondWith(() => ({ status: 403 }));
      await send(relay, familyToken, "Hello");
      await receiver.waitFor(to(subscriber));
      await relay.services.push.idle();
      expect(receiver.to(subscriber)).toHaveLength(1);
      expect(await dashboardRow(staff, resident.id)).toMatchObject({
        alerts: ["push_failing"],
        tablet: { pushState: "subscribed", pushFailingSince: START.toISOString(), pushProblem: "refused_key" },
      });
    });
  });

  describe("a family member's push", () => {
    async function twoMembers() {
      const home = await household(engine);
      const son = await home.staff.createFamilyLink(home.resident.id, "Margaret's son");
      const daughterPhone = await subscribeFamily(home.relay, home.familyToken);
      const sonPhone = await subscribeFamily(home.relay, son.token);
      const toDaughter = await send(home.relay, home.familyToken, "From your daughter");
      const toSon = await send(home.relay, son.token, "From your son");
      return { ...home, son, daughterPhone, sonPhone, toDaughter, toSon };
    }

    it("comes for a reply to them and not for a reply to another family member", async () => {
      const { relay, resident, deviceToken, daughterPhone, sonPhone, toDaughter, toSon } = await twoMembers();

      const res = await reply(relay, deviceToken, toDaughter.id);
      expect(res.status).toBe(201);
      const push = await receiver.waitFor(to(daughterPhone));
      expect(push.payload).toEqual({ kind: "reply", residentId: resident.id, seq: toSon.seq + 1 });
      expect(push.headers.urgency).toBe("high");
      await relay.services.push.idle();
      expect(receiver.to(sonPhone)).toEqual([]);

      await reply(relay, deviceToken, toSon.id);
      expect((await receiver.waitFor(to(sonPhone))).payload).toMatchObject({ kind: "reply" });
      await relay.services.push.idle();
      expect(receiver.to(daughterPhone)).toHaveLength(1);
    });

    it("comes when their message is seen, not when it is only delivered, and not for someone else's", async () => {
      const { relay, resident, deviceToken, daughterPhone, sonPhone, toDaughter } = await twoMembers();

      await receipt(relay, deviceToken, toDaughter.id, "delivered");
      await relay.services.push.idle();
      expect(receiver.to(daughterPhone)).toEqual([]);

      await receipt(relay, deviceToken, toDaughter.id, "seen");
      const push = await receiver.waitFor(to(daughterPhone));
      expect(push.payload).toMatchObject({ kind: "receipt", residentId: resident.id });
      expect(push.headers.urgency).toBe("normal");
      await relay.services.push.idle();
      expect(receiver.to(sonPhone)).toEqual([]);
    });

    it("stops when they opt out, and when staff revoke their link", async () => {
      const { relay, staff, resident, son, deviceToken, familyToken, daughterPhone, sonPhone, toDaughter, toSon } =
        await twoMembers();

      expect((await relay.request("/api/family/push", { method: "DELETE", bearer: familyToken })).status).toBe(200);
      expect((await relay.request("/api/family/push", { method: "DELETE", bearer: familyToken })).status).toBe(200);
      expect((await staff.revokeFamilyLink(resident.id, son.link.id)).status).toBe(200);
      await reply(relay, deviceToken, toDaughter.id);
      await reply(relay, deviceToken, toSon.id);
      await relay.services.push.idle();
      expect(receiver.to(daughterPhone)).toEqual([]);
      expect(receiver.to(sonPhone)).toEqual([]);
    });

    it("subscriptions must be https and come with the browser's keys", async () => {
      const { relay, familyToken } = await household(engine);
      const subscription = receiver.subscribe().toJSON();
      const res = await relay.request("/api/family/push", {
        bearer: familyToken,
        json: { subscription: { ...subscription, endpoint: subscription.endpoint.replace("https:", "http:") } },
      });
      expect(await expectError(res, 400, "invalid_request")).toBe("“subscription.endpoint” must be an https:// address.");
      await expectError(await relay.request("/api/family/push", { bearer: familyToken, json: {} }), 400, "invalid_request");
      await expectError(await relay.request("/api/family/push", { json: { subscription } }), 401, "unauthenticated");
      expect(await subscriptionRows(relay)).toEqual([]);
    });
  });

  describe("a resident's data", () => {
    it("loses its push subscriptions and push state when staff erase the resident, and a wiped tablet gets no pushes", async () => {
      const { relay, staff, resident, familyToken, deviceToken } = await household(engine);
      const arthur = await staff.household("Arthur");
      await subscribeTablet(relay, deviceToken);
      await subscribeFamily(relay, familyToken);
      const arthursTablet = await subscribeTablet(relay, arthur.deviceToken);

      const [device] = (await relay.services.push.tabletPushStatus(arthur.resident.id)).map((s) => s.deviceId);
      expect((await staff.request(`/residents/${arthur.resident.id}/devices/${device}/wipe`, { method: "POST" })).status).toBe(
        200,
      );
      expect(await relay.services.push.tabletPushStatus(arthur.resident.id)).toEqual([]);
      await send(relay, arthur.familyToken, "Hello Dad");
      await relay.services.push.idle();
      expect(receiver.to(arthursTablet)).toEqual([]);

      expect((await staff.request(`/residents/${resident.id}`, { method: "DELETE" })).status).toBe(200);
      const tables = await dumpTables(relay);
      expect(JSON.stringify(tables.push_subscriptions)).not.toContain(resident.id);
      // Arthur's wiped tablet keeps its row (and its subscription, never used) until it is paired again.
      expect(tables.push_subscriptions).toEqual([
        expect.objectContaining({ resident_id: arthur.resident.id, device_id: device }),
      ]);
      expect(tables.push_device_states).toEqual([expect.objectContaining({ device_id: device })]);
    });
  });

  describe("a tablet's push state", () => {
    it.each(["no_push_manager", "permission_denied", "subscribe_failed"] as const)(
      "is recorded when the tablet reports %s, replacing a subscription it had",
      async (reason) => {
        const { relay, resident, deviceToken, familyToken } = await household(engine);
        const subscriber = await subscribeTablet(relay, deviceToken);
        expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
          expect.objectContaining({ state: "subscribed" }),
        ]);

        expect((await reportPush(relay, deviceToken, { unavailable: reason })).status).toBe(200);
        expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([
          expect.objectContaining({ state: reason, updatedAt: START.toISOString() }),
        ]);
        expect((await dumpTables(relay)).push_device_states).toEqual([expect.objectContaining({ state: reason })]);
        expect(await subscriptionRows(relay)).toEqual([]);
        await send(relay, familyToken, "Hello");
        await relay.services.push.idle();
        expect(receiver.to(subscriber)).toEqual([]);
      },
    );

    it("needs the device token", async () => {
      const relay = await startRelay({ engine });
      await expectError(
        await relay.request("/api/tablet/push", { json: { unavailable: "no_push_manager" } }),
        401,
        "unauthenticated",
      );
    });

    const valid = () => receiver.subscribe().toJSON();
    it.each([
      [
        "an http endpoint",
        () => ({ subscription: { ...valid(), endpoint: "http://127.0.0.1/push/1" } }),
        "“subscription.endpoint” must be an https:// address.",
      ],
      [
        "no endpoint",
        () => ({ subscription: { ...valid(), endpoint: undefined } }),
        "“subscription.endpoint” must be an https:// address.",
      ],
      [
        "a short p256dh",
        () => ({ subscription: { ...valid(), keys: { ...valid().keys, p256dh: "BAAA" } } }),
        /^“subscription\.keys\.p256dh” must be the browser's P-256 public key/,
      ],
      [
        "a p256dh off the curve",
        () => ({ subscription: { ...valid(), keys: { ...valid().keys, p256dh: `B${"A".repeat(86)}` } } }),
        "“subscription.keys.p256dh” is not a P-256 public key.",
      ],
      [
        "a long auth",
        () => ({ subscription: { ...valid(), keys: { ...valid().keys, auth: "A".repeat(43) } } }),
        /^“subscription\.keys\.auth” must be the browser's 16-byte auth secret/,
      ],
      ["an unknown reason", () => ({ unavailable: "bored" }), "“unavailable” is not one of the allowed values."],
      ["neither", () => ({}), "“subscription” or “unavailable” must be given (one of them, not both)."],
      [
        "both",
        () => ({ subscription: valid(), unavailable: "no_push_manager" }),
        "“subscription” or “unavailable” must be given (one of them, not both).",
      ],
      [
        "another push service",
        () => ({ subscription: { ...valid(), endpoint: "https://push.example.net/abc" } }),
        "“subscription.endpoint” is not the address of a browser push service.",
      ],
    ])("refuses %s with a sentence", async (_what, body, message) => {
      const { relay, resident, deviceToken } = await household(engine);
      const text = await expectError(await reportPush(relay, deviceToken, body()), 400, "invalid_request");
      if (typeof message === "string") expect(text).toBe(message);
      else expect(text).toMatch(message);
      expect(await subscriptionRows(relay)).toEqual([]);
      expect(await relay.services.push.tabletPushStatus(resident.id)).toEqual([]);
    });

    it("may point at a push service host the council added, exactly that host, and still never at a private address", async () => {
      const { pushServiceHosts } = loadConfig({ PUSH_SERVICE_HOSTS: "autopush.council.gov.uk" });
      const relay = await startRelay({ engine, push: { serviceHosts: pushServiceHosts } });
      const staff = await firstStaff(relay);
      const { deviceToken } = await staff.household("Margaret");
      const keys = receiver.subscribe().toJSON().keys;
      const at = (endpoint: string) => reportPush(relay, deviceToken, { subscription: { endpoint, keys } });
      expect((await at("https://autopush.council.gov.uk/wpush/v2/gAAA")).status).toBe(200);
      expect((await at("https://AUTOPUSH.council.gov.uk/wpush/v2/gAAB")).status).toBe(200);
      expect((await at("https://fcm.googleapis.com/fcm/send/abc:def")).status).toBe(200);
      for (const refused of [
        "https://10.0.0.5/wpush/v2/gAAA",
        "https://192.168.1.20/wpush",
        "https://[fd00::1]/wpush",
        "https://127.0.0.1/wpush",
        "https://evil.autopush.council.gov.uk/wpush",
        "https://autopush.council.gov.uk:8443/wpush",
        "http://autopush.council.gov.uk/wpush",
      ]) {
        expect(await expectError(await at(refused), 400, "invalid_request"), refused).toMatch(
          /^“subscription\.endpoint” (is not the address of a browser push service|must be an https:\/\/ address)\.$/,
        );
      }
    });

    it("may only point at a browser push service on a relay with the default settings", async () => {
      const relay = await startRelay({ engine });
      const staff = await firstStaff(relay);
      const { deviceToken } = await staff.household("Margaret");
      const keys = receiver.subscribe().toJSON().keys;
      const at = (endpoint: string) => reportPush(relay, deviceToken, { subscription: { endpoint, keys } });
      await expectError(await at(`${receiver.origin}/push/1`), 400, "invalid_request");
      await expectError(await at("https://10.0.0.5/admin"), 400, "invalid_request");
      expect((await at("https://fcm.googleapis.com/fcm/send/abc:def")).status).toBe(200);
      expect((await at("https://updates.push.services.mozilla.com/wpush/v2/gAAA")).status).toBe(200);
      expect((await at("https://web.push.apple.com/QGuFM")).status).toBe(200);
    });
  });
});
