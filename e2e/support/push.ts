import crypto from "node:crypto";
import type { PushPayload } from "@letterbox/shared";
import type { BrowserContext, CDPSession, Page } from "@playwright/test";

/**
 * Push in the browser, for tests. No push service is reachable here, so a push is delivered to a
 * worker through the DevTools protocol (ServiceWorker.deliverPushMessage), exactly as the browser
 * would after decrypting one; and where a test needs a subscription that works, the page's
 * PushManager is replaced by one that hands out a subscription the relay accepts.
 */

/** The DevTools side of one context's service workers, opened from `page` (any page of the context). */
export class WorkerPush {
  private readonly registrations = new Map<string, string>();
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly session: CDPSession,
    private readonly origin: string,
  ) {
    session.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      for (const r of registrations) {
        const scope = new URL(r.scopeURL).pathname;
        if (r.isDeleted) this.registrations.delete(scope);
        else this.registrations.set(scope, r.registrationId);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(context: BrowserContext, page: Page, origin: string): Promise<WorkerPush> {
    const session = await context.newCDPSession(page);
    const push = new WorkerPush(session, new URL(origin).origin);
    await session.send("ServiceWorker.enable");
    return push;
  }

  /** The id of the registration for `scope` ("/tablet", "/family"), once DevTools has reported it. */
  async registrationId(scope: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const id = this.registrations.get(scope);
      if (id !== undefined) return id;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no service worker registration for ${scope}: ${[...this.registrations.keys()].join(", ")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Delivers a push to the worker registered for `scope`, as the push service would. */
  async deliver(scope: string, payload: PushPayload) {
    const registrationId = await this.registrationId(scope);
    await this.session.send("ServiceWorker.deliverPushMessage", {
      origin: this.origin,
      registrationId,
      data: JSON.stringify(payload),
    });
  }

  async close() {
    await this.session.detach().catch(() => undefined);
  }
}

export type ShownNotification = { title: string; body: string; tag: string; data: unknown };

/** The notifications the worker registered for `scope` is showing, read from `page` (same origin). */
export function notifications(page: Page, scope: string): Promise<ShownNotification[]> {
  return page.evaluate(async (scope) => {
    const registration = await navigator.serviceWorker.getRegistration(scope);
    const shown = (await registration?.getNotifications()) ?? [];
    return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  }, scope);
}

/** A browser like the WebView-based kiosk browsers: no Push API at all. */
export async function withoutPushManager(context: BrowserContext) {
  await context.addInitScript(() => {
    // biome-ignore lint/suspicious/noExplicitAny: taking away what the browser declares.
    delete (window as any).PushManager;
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    delete (ServiceWorkerRegistration.prototype as any).pushManager;
  });
}

/** subscribe() that never settles, as in a profile whose push service cannot be reached. */
export async function withPushServiceUnreachable(context: BrowserContext) {
  await context.addInitScript(() => {
    PushManager.prototype.subscribe = () => new Promise<PushSubscription>(() => {});
  });
}

/**
 * A working push service in the page: subscribe() gives a subscription with a real P-256 key and
 * auth secret and an FCM endpoint (the relay only accepts the browsers' push services), kept in
 * localStorage so that it outlives a reload, as a real one does. The relay's sends to it go
 * nowhere; what is tested is that the page subscribes and tells the relay.
 */
export async function withFakePushService(context: BrowserContext) {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const subscription = {
    endpoint: `https://fcm.googleapis.com/fcm/send/e2e-${crypto.randomBytes(12).toString("base64url")}`,
    keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: crypto.randomBytes(16).toString("base64url") },
  };
  await context.addInitScript((fake) => {
    const STORE = "e2e-fake-push-subscription";
    const make = (key: string) => ({
      endpoint: fake.endpoint,
      expirationTime: null,
      options: {
        userVisibleOnly: true,
        applicationServerKey: Uint8Array.from(atob(key), (c) => c.charCodeAt(0)).buffer,
      },
      getKey: () => null,
      toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: fake.keys }),
      unsubscribe: async () => {
        localStorage.removeItem(STORE);
        return true;
      },
    });
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      const key = new Uint8Array(options?.applicationServerKey as Uint8Array);
      const stored = btoa(String.fromCharCode(...key));
      localStorage.setItem(STORE, stored);
      return make(stored) as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () => {
      const stored = localStorage.getItem(STORE);
      return stored ? (make(stored) as unknown as PushSubscription) : null;
    };
  }, subscription);
  return subscription;
}
