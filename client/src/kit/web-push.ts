/**
 * Subscribing to web push, shared by the tablet, the family page and the service worker. No React,
 * no DOM: the worker subscribes again by itself when the browser changes the subscription.
 */

/** How long subscribe() may take. Where no push service is reachable it never settles at all. */
export const SUBSCRIBE_TIMEOUT_MS = 20_000;

export class TimedOut extends Error {
  constructor() {
    super("timed out");
    this.name = "TimedOut";
  }
}

/** `promise`, or a TimedOut rejection after `ms`; the promise itself runs on (a late answer can still be used). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimedOut()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** The relay's VAPID public key (base64url, as GET /api/push/key gives it) as subscribe() takes it. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Whether a subscription was made with this key: after the relay's key changed, the old one is useless. */
export function madeWithKey(subscription: PushSubscription, publicKey: string): boolean {
  const own = subscription.options?.applicationServerKey;
  if (!own) return false;
  const a = new Uint8Array(own);
  const b = keyBytes(publicKey);
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * The registration's subscription for `publicKey`: the one it has when it was made with that key,
 * else a new one (userVisibleOnly: every push shows something or tells an open page). Rejects with
 * TimedOut when the browser does not answer within `timeoutMs`.
 */
export async function subscribeWith(
  manager: PushManager,
  publicKey: string,
  timeoutMs = SUBSCRIBE_TIMEOUT_MS,
): Promise<{ subscription: PushSubscription } | { pending: Promise<PushSubscription> }> {
  const existing = await manager.getSubscription().catch(() => null);
  if (existing && madeWithKey(existing, publicKey)) return { subscription: existing };
  if (existing) await existing.unsubscribe().catch(() => false);
  const subscribing = manager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  try {
    return { subscription: await withTimeout(subscribing, timeoutMs) };
  } catch (err) {
    if (err instanceof TimedOut) return { pending: subscribing };
    throw err;
  }
}
