import type { PushUnavailableReason, TabletPushRequest } from "@letterbox/shared";
import { api, bearer, call } from "../api/client";
import { asRelayError } from "../api/relay-error";
import type { LetterboxDb, TabletPush, TabletPushState } from "../db/db";
import { SUBSCRIBE_TIMEOUT_MS, subscribeWith, TimedOut, withTimeout } from "../kit/web-push";
import { readDeviceStatus } from "./device-status";
import { relay } from "./relay";
import { reportStatus } from "./sync";

/*
 * Web push for the tablet: a push wakes the service worker, which pulls the log even with the app
 * closed (sw/push.ts). Subscribing is asked for once, during set-up, while staff hold the tablet;
 * after that the tablet never asks again (the resident must never see a permission prompt), and
 * only checks at start that its subscription still stands. Where push cannot work (kiosk browsers
 * built on WebView have no PushManager; permission refused; no push service answers) nothing is
 * said to the resident: the live connection and polling bring messages as before, and the relay
 * is told why, so staff can see it.
 */

/** How the tablet tells the relay; the tests pass one in memory. */
export type PushRelay = {
  publicKey(): Promise<string>;
  report(deviceToken: string, body: TabletPushRequest): Promise<void>;
};

export const pushRelay: PushRelay = {
  publicKey: async () => (await call(api.push.key.$get())).publicKey,
  report: async (deviceToken, body) => {
    await call(api.tablet.push.$post({ json: body }, bearer(deviceToken)));
  },
};

/** What the browser offers; the page and the service worker each supply their own. */
export type PushEnv = {
  /** The tablet's service worker registration once active; undefined where there can be none, rejects when it never came. */
  registration(): Promise<ServiceWorkerRegistration | undefined>;
  /** Notification permission now; undefined without the Notification API. */
  permission(): NotificationPermission | undefined;
  relay: PushRelay;
  subscribeTimeoutMs?: number;
  now?: () => number;
  /** After the state changed: the page sends its health report at once, so staff see it now, not in an hour. */
  changed?: (db: LetterboxDb) => Promise<unknown>;
};

/** How long set-up waits for staff to answer the notification prompt. */
const PERMISSION_WAIT_MS = 2 * 60_000;

/** How long the page waits for its service worker (it is registered after the first screen is drawn). */
const WORKER_READY_MS = 30_000;

/** The page's view: the worker at /tablet, as navigator.serviceWorker.ready gives it. */
export function pageEnv(): PushEnv {
  return {
    registration: async () =>
      "serviceWorker" in navigator ? withTimeout(navigator.serviceWorker.ready, WORKER_READY_MS) : undefined,
    permission: () => globalThis.Notification?.permission,
    relay: pushRelay,
    changed: (db) => reportStatus(db, relay, () => readDeviceStatus(db)).catch(() => false),
  };
}

type Outcome = { subscription: PushSubscription } | { unavailable: PushUnavailableReason };

/** The attempt under way, per pairing: a tablet set up again while one runs starts its own. */
let running: { token: string; attempt: Promise<TabletPushState | undefined> } | null = null;

/**
 * Subscribes (or finds the subscription standing), tells the relay, and keeps the outcome in
 * IndexedDB. `permission` is the answer staff gave during set-up; without it nothing is asked, and
 * permission not already granted counts as refused. One attempt at a time; returns the state, or
 * undefined when the tablet is not set up or the relay could not be reached (tried again next start).
 */
export async function subscribeTablet(
  db: LetterboxDb,
  env: PushEnv,
  permission?: Promise<NotificationPermission | undefined>,
): Promise<TabletPushState | undefined> {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return undefined;
  const token = state.deviceToken;
  if (running?.token !== token) {
    const attempt = subscribeFor(db, env, token, permission).finally(() => {
      if (running?.attempt === attempt) running = null;
    });
    running = { token, attempt };
  }
  return running.attempt;
}

async function subscribeFor(
  db: LetterboxDb,
  env: PushEnv,
  token: string,
  asked?: Promise<NotificationPermission | undefined>,
): Promise<TabletPushState | undefined> {
  let outcome: Outcome;
  try {
    outcome = await subscribe(env, asked, async (late) => {
      // A subscribe that timed out may still succeed later (the push service was slow): use it.
      await settle(db, env, token, { subscription: late });
    });
  } catch {
    // The relay's key could not be fetched: offline. Nothing is recorded; the next start tries again.
    return undefined;
  }
  return settle(db, env, token, outcome);
}

async function subscribe(
  env: PushEnv,
  asked: Promise<NotificationPermission | undefined> | undefined,
  onLate: (subscription: PushSubscription) => Promise<void>,
): Promise<Outcome> {
  if (!("PushManager" in globalThis)) return { unavailable: "no_push_manager" };
  let registration: ServiceWorkerRegistration | undefined;
  try {
    registration = await env.registration();
  } catch {
    return { unavailable: "subscribe_failed" };
  }
  if (!registration) return { unavailable: "no_push_manager" };
  const manager = registration.pushManager as PushManager | undefined;
  if (!manager) return { unavailable: "no_push_manager" };
  // Staff may walk away from the prompt: after a while it counts as not allowed.
  const permission = asked ? await withTimeout(asked, PERMISSION_WAIT_MS).catch(() => env.permission()) : env.permission();
  if (permission !== "granted") return { unavailable: "permission_denied" };
  const publicKey = await env.relay.publicKey();
  try {
    const made = await subscribeWith(manager, publicKey, env.subscribeTimeoutMs ?? SUBSCRIBE_TIMEOUT_MS);
    if ("subscription" in made) return made;
    made.pending.then(onLate, () => undefined);
    return { unavailable: "subscribe_failed" };
  } catch (err) {
    if (err instanceof TimedOut) return { unavailable: "subscribe_failed" };
    return { unavailable: env.permission() === "denied" ? "permission_denied" : "subscribe_failed" };
  }
}

/** Tells the relay and records what it was told. A subscription the relay refuses counts as failed. */
async function settle(db: LetterboxDb, env: PushEnv, token: string, outcome: Outcome): Promise<TabletPushState | undefined> {
  let body: TabletPushRequest =
    "subscription" in outcome
      ? { subscription: outcome.subscription.toJSON() as TabletPushRequest["subscription"] }
      : { unavailable: outcome.unavailable };
  let reported = false;
  try {
    await env.relay.report(token, body);
    reported = true;
  } catch (err) {
    const problem = asRelayError(err);
    if (body.subscription && !problem.transient && !problem.unauthenticated) {
      body = { unavailable: "subscribe_failed" };
      await env.relay.report(token, body).then(
        () => {
          reported = true;
        },
        () => undefined,
      );
    }
  }
  const push: TabletPush = {
    state: body.subscription ? "subscribed" : (body.unavailable ?? "unknown"),
    reported,
    at: (env.now ?? Date.now)(),
    ...("subscription" in outcome && body.subscription && { endpoint: outcome.subscription.endpoint }),
  };
  // Only for the tablet it was made for: staff may have set it up again meanwhile.
  const updated = await db.transaction("rw", db.state, async () => {
    const now = await db.state.get("tablet");
    if (now?.deviceToken !== token) return false;
    await db.state.update("tablet", { push });
    return true;
  });
  if (!updated) return undefined;
  await env.changed?.(db);
  return push.state;
}

/**
 * At start: subscribe again only when something says so — never tried or never told the relay,
 * the subscription gone or changed, or the browser now able to do what it could not before.
 * Never asks for permission.
 */
export async function keepPushUpToDate(db: LetterboxDb, env: PushEnv = pageEnv()): Promise<TabletPushState | undefined> {
  const state = await db.state.get("tablet");
  if (!state || state.revoked) return undefined;
  const push = state.push;
  if (await stillGood(push, env)) return push?.state;
  return subscribeTablet(db, env);
}

async function stillGood(push: TabletPush | undefined, env: PushEnv): Promise<boolean> {
  if (!push?.reported || push.state === "unknown") return false;
  const hasPushManager = "PushManager" in globalThis;
  switch (push.state) {
    case "no_push_manager":
      return !hasPushManager;
    case "permission_denied":
    case "subscribe_failed":
      // Staff may have allowed notifications in the browser's settings; a push service may answer now.
      return !hasPushManager || env.permission() !== "granted";
    case "subscribed": {
      const registration = await env.registration().catch(() => undefined);
      const current = await registration?.pushManager?.getSubscription().catch(() => null);
      return current?.endpoint === push.endpoint;
    }
  }
}
