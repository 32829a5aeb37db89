import type { FamilyPushRequest } from "@letterbox/shared";
import { api, bearer, call } from "../api/client";
import { RelayError } from "../api/relay-error";
import { subscribeWith, withTimeout } from "../kit/web-push";

/*
 * The family page's service worker and opt-in web push. The worker is the tablet's worker file,
 * registered again with scope /family: it serves the page with no signal (the outbox already keeps
 * unsent messages on the phone) and, once the family member opts in, turns the relay's pushes into
 * "Margaret replied" and "Margaret has seen your message" (sw/push.ts).
 */

const SCOPE = "/family";
const WORKER_READY_MS = 30_000;

/** Registers the worker for the family page (at start, in production builds). */
export async function registerFamilyWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!("serviceWorker" in navigator)) return undefined;
  return navigator.serviceWorker.register("/sw.js", { scope: SCOPE }).catch(() => undefined);
}

const publicKey = async () => (await call(api.push.key.$get())).publicKey;

async function tellRelay(token: string, subscription: PushSubscription) {
  const body: FamilyPushRequest = { subscription: subscription.toJSON() as FamilyPushRequest["subscription"] };
  await call(api.family.push.$post({ json: body }, bearer(token)));
}

/** The subscription this page's worker holds, if the family member turned push on here. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(SCOPE).catch(() => undefined);
  return (await registration?.pushManager?.getSubscription().catch(() => null)) ?? null;
}

export type TurnedOn = "on" | "blocked" | "failed";

/** Asks for permission (the family member just tapped), subscribes, and gives the subscription to the relay. */
export async function turnOn(token: string): Promise<TurnedOn> {
  const permission = await Notification.requestPermission().catch(() => Notification.permission);
  if (permission !== "granted") return "blocked";
  let subscription: PushSubscription | undefined;
  try {
    await registerFamilyWorker();
    const registration = await withTimeout(navigator.serviceWorker.ready, WORKER_READY_MS);
    const made = await subscribeWith(registration.pushManager, await publicKey());
    // Never settled: this browser has no push service it can reach.
    if (!("subscription" in made)) return "failed";
    subscription = made.subscription;
    await tellRelay(token, subscription);
    return "on";
  } catch {
    // A subscription the relay does not know would only mislead: let it go.
    await subscription?.unsubscribe().catch(() => false);
    return Notification.permission === "denied" ? "blocked" : "failed";
  }
}

/** Tells the relay first (so a lost signal leaves push on, as the switch says), then unsubscribes. */
export async function turnOff(token: string): Promise<boolean> {
  try {
    await call(api.family.push.$delete({}, bearer(token)));
  } catch (err) {
    if (err instanceof RelayError && err.code === "network") return false;
    // The link is dead or the relay has nothing: either way nothing will be sent.
  }
  await (await currentSubscription())?.unsubscribe().catch(() => false);
  return true;
}

/**
 * The browser replaced the subscription (sw/resubscribe.ts): subscribe again in the worker and tell
 * the relay, with the link's token the page keeps on the phone.
 */
export async function resubscribeFamily(registration: ServiceWorkerRegistration, token: string): Promise<void> {
  const made = await subscribeWith(registration.pushManager, await publicKey());
  if ("subscription" in made) await tellRelay(token, made.subscription);
}
