import "fake-indexeddb/auto";
import type { TabletPushRequest } from "@letterbox/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RelayError } from "../api/relay-error";
import type { LetterboxDb } from "../db/db";
import { keyBytes } from "../kit/web-push";
import { keepPushUpToDate, type PushEnv, type PushRelay, subscribeTablet } from "./push";
import { pairedDb } from "./testing/db";
import { TOKEN } from "./testing/fake-relay";

// A real relay key's shape: 65 bytes starting with 4, base64url.
const KEY = `B${"A".repeat(86)}`;
const OTHER_KEY = `B${"Q".repeat(86)}`;

/** A browser's PushManager in memory: subscribe() answers, fails, or never settles, as told. */
class FakePushManager {
  current: FakeSubscription | null = null;
  subscribes = 0;
  behaviour: "works" | "fails" | "hangs" = "works";
  private release: (() => void) | null = null;

  async getSubscription() {
    return this.current;
  }

  subscribe(options: PushSubscriptionOptionsInit): Promise<FakeSubscription> {
    this.subscribes++;
    if (this.behaviour === "fails")
      return Promise.reject(new DOMException("Registration failed - permission denied", "NotAllowedError"));
    const made = () => {
      this.current = new FakeSubscription(`https://fcm.googleapis.com/fcm/send/${this.subscribes}`, options, this);
      return this.current;
    };
    if (this.behaviour === "hangs") return new Promise((resolve) => (this.release = () => resolve(made())));
    return Promise.resolve(made());
  }

  /** The push service answers at last. */
  settle() {
    this.release?.();
  }
}

class FakeSubscription {
  readonly options: { applicationServerKey: ArrayBuffer | null };
  constructor(
    readonly endpoint: string,
    options: PushSubscriptionOptionsInit,
    private readonly manager: FakePushManager,
  ) {
    const key = options.applicationServerKey as Uint8Array;
    this.options = { applicationServerKey: key.slice().buffer as ArrayBuffer };
  }
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: `B${"x".repeat(86)}`, auth: "a".repeat(22) } };
  }
  async unsubscribe() {
    this.manager.current = null;
    return true;
  }
}

class FakePushRelay implements PushRelay {
  reports: TabletPushRequest[] = [];
  offline = false;
  refuseSubscriptions = false;
  key = KEY;
  async publicKey() {
    if (this.offline) throw new RelayError(0, "network");
    return this.key;
  }
  async report(deviceToken: string, body: TabletPushRequest) {
    expect(deviceToken).toBe(TOKEN);
    if (this.offline) throw new RelayError(0, "network");
    if (this.refuseSubscriptions && body.subscription) throw new RelayError(400, "invalid_request");
    this.reports.push(body);
  }
}

let db: LetterboxDb;
let manager: FakePushManager;
let relay: FakePushRelay;
let permission: NotificationPermission | undefined;

const env = (over: Partial<PushEnv> = {}): PushEnv => ({
  registration: async () => ({ pushManager: manager }) as unknown as ServiceWorkerRegistration,
  permission: () => permission,
  relay,
  subscribeTimeoutMs: 50,
  now: () => 1_000,
  ...over,
});
const stored = async () => (await db.state.get("tablet"))?.push;

beforeEach(async () => {
  db = await pairedDb();
  manager = new FakePushManager();
  relay = new FakePushRelay();
  permission = "granted";
  vi.stubGlobal("PushManager", FakePushManager);
});

afterEach(async () => {
  vi.unstubAllGlobals();
  db.close();
  await db.delete();
});

describe("subscribing at set-up", () => {
  it("subscribes with the relay's key, tells the relay, and keeps the state", async () => {
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribed");
    expect(manager.subscribes).toBe(1);
    expect(new Uint8Array(manager.current?.options.applicationServerKey as ArrayBuffer)).toEqual(keyBytes(KEY));
    expect(relay.reports).toEqual([{ subscription: manager.current?.toJSON() }]);
    expect(await stored()).toEqual({
      state: "subscribed",
      endpoint: "https://fcm.googleapis.com/fcm/send/1",
      reported: true,
      at: 1_000,
    });
  });

  it("without PushManager (a WebView kiosk browser) reports no_push_manager and asks nothing", async () => {
    vi.unstubAllGlobals();
    const asked = vi.fn();
    expect(await subscribeTablet(db, env({ permission: asked }))).toBe("no_push_manager");
    expect(asked).not.toHaveBeenCalled();
    expect(relay.reports).toEqual([{ unavailable: "no_push_manager" }]);
    expect((await stored())?.state).toBe("no_push_manager");
  });

  it("a registration without a pushManager counts as no PushManager", async () => {
    const registration = async () => ({}) as ServiceWorkerRegistration;
    expect(await subscribeTablet(db, env({ registration }))).toBe("no_push_manager");
  });

  it("permission refused by staff: permission_denied, and subscribe is never called", async () => {
    permission = "denied";
    expect(await subscribeTablet(db, env(), Promise.resolve("denied"))).toBe("permission_denied");
    expect(manager.subscribes).toBe(0);
    expect(relay.reports).toEqual([{ unavailable: "permission_denied" }]);
  });

  it("subscribe failing at once: subscribe_failed", async () => {
    manager.behaviour = "fails";
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribe_failed");
    expect(relay.reports).toEqual([{ unavailable: "subscribe_failed" }]);
  });

  it("subscribe never settling: subscribe_failed after the timeout, and a late answer is still used", async () => {
    manager.behaviour = "hangs";
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribe_failed");
    expect(relay.reports).toEqual([{ unavailable: "subscribe_failed" }]);
    manager.settle();
    await vi.waitFor(async () => expect((await stored())?.state).toBe("subscribed"));
    expect(relay.reports.at(-1)).toEqual({ subscription: manager.current?.toJSON() });
  });

  it("no worker ever became ready: subscribe_failed", async () => {
    const registration = () => Promise.reject(new Error("timed out"));
    expect(await subscribeTablet(db, env({ registration }), Promise.resolve("granted"))).toBe("subscribe_failed");
  });

  it("a subscription the relay refuses is reported as subscribe_failed", async () => {
    relay.refuseSubscriptions = true;
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribe_failed");
    expect(relay.reports).toEqual([{ unavailable: "subscribe_failed" }]);
  });

  it("with the relay out of reach nothing is recorded, so the next start tries again", async () => {
    relay.offline = true;
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBeUndefined();
    expect(await stored()).toBeUndefined();
  });

  it("a report lost on the way is kept as not reported", async () => {
    relay.report = async () => {
      throw new RelayError(0, "network");
    };
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribed");
    expect((await stored())?.reported).toBe(false);
  });

  it("records nothing for a tablet set up again meanwhile", async () => {
    manager.behaviour = "hangs";
    const attempt = subscribeTablet(db, env({ subscribeTimeoutMs: 10_000 }), Promise.resolve("granted"));
    await vi.waitFor(() => expect(manager.subscribes).toBe(1));
    await db.state.update("tablet", { deviceToken: "another-token" });
    manager.settle();
    relay.report = async () => {};
    expect(await attempt).toBeUndefined();
    expect(await stored()).toBeUndefined();
  });

  it("a tablet set up again while an attempt hangs makes its own attempt", async () => {
    manager.behaviour = "hangs";
    const first = subscribeTablet(db, env({ subscribeTimeoutMs: 10_000 }), Promise.resolve("granted"));
    await vi.waitFor(() => expect(manager.subscribes).toBe(1));
    await db.state.update("tablet", { deviceToken: "another-token" });
    relay.report = async (_token, body) => {
      relay.reports.push(body);
    };
    manager.behaviour = "fails";
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBe("subscribe_failed");
    expect(manager.subscribes).toBe(2);
    // The first answers at last, for a pairing that is gone: nothing of it is kept.
    manager.settle();
    expect(await first).toBeUndefined();
    expect((await stored())?.state).toBe("subscribe_failed");
  });

  it("does nothing for a tablet that is not set up", async () => {
    await db.state.clear();
    expect(await subscribeTablet(db, env(), Promise.resolve("granted"))).toBeUndefined();
    expect(relay.reports).toEqual([]);
  });
});

describe("checking at start", () => {
  it("never asks for permission: not granted counts as refused", async () => {
    permission = "default";
    expect(await keepPushUpToDate(db, env())).toBe("permission_denied");
    expect(manager.subscribes).toBe(0);
  });

  it("leaves a standing subscription alone", async () => {
    await subscribeTablet(db, env(), Promise.resolve("granted"));
    expect(await keepPushUpToDate(db, env())).toBe("subscribed");
    expect(manager.subscribes).toBe(1);
    expect(relay.reports).toHaveLength(1);
  });

  it("subscribes again when the subscription is gone", async () => {
    await subscribeTablet(db, env(), Promise.resolve("granted"));
    manager.current = null;
    expect(await keepPushUpToDate(db, env())).toBe("subscribed");
    expect(manager.subscribes).toBe(2);
    expect((await stored())?.endpoint).toBe("https://fcm.googleapis.com/fcm/send/2");
    expect(relay.reports).toHaveLength(2);
  });

  it("keeps a subscription made with the relay's key, and replaces one made with another key", async () => {
    await subscribeTablet(db, env(), Promise.resolve("granted"));
    await subscribeTablet(db, env(), Promise.resolve("granted"));
    expect(manager.subscribes).toBe(1);
    relay.key = OTHER_KEY;
    await subscribeTablet(db, env(), Promise.resolve("granted"));
    expect(manager.subscribes).toBe(2);
    const current = manager.current as FakeSubscription | null;
    expect(new Uint8Array(current?.options.applicationServerKey as ArrayBuffer)).toEqual(keyBytes(OTHER_KEY));
  });

  it("tells the relay what it could not tell it before", async () => {
    relay.offline = true;
    await db.state.update("tablet", { push: { state: "permission_denied", reported: false, at: 0 } });
    relay.offline = false;
    permission = "denied";
    await keepPushUpToDate(db, env());
    expect(relay.reports).toEqual([{ unavailable: "permission_denied" }]);
    expect((await stored())?.reported).toBe(true);
  });

  it("tries again after a failure once permission is granted, not while it is refused", async () => {
    await db.state.update("tablet", { push: { state: "permission_denied", reported: true, at: 0 } });
    permission = "denied";
    await keepPushUpToDate(db, env());
    expect(manager.subscribes).toBe(0);
    permission = "granted";
    expect(await keepPushUpToDate(db, env())).toBe("subscribed");
  });

  it("a browser without PushManager is not asked again", async () => {
    vi.unstubAllGlobals();
    await db.state.update("tablet", { push: { state: "no_push_manager", reported: true, at: 0 } });
    expect(await keepPushUpToDate(db, env())).toBe("no_push_manager");
    expect(relay.reports).toEqual([]);
  });
});
