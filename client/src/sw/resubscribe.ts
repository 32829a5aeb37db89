/// <reference lib="webworker" />
import { db } from "../db/db";
import { familyDb } from "../db/family-db";
import { resubscribeFamily } from "../family/push";
import { pushRelay, subscribeTablet } from "../tablet/push";
import { appOf } from "./push";

declare const self: ServiceWorkerGlobalScope;

/** Not in TypeScript's lib: fired when the push service replaced or dropped the subscription. */
type PushSubscriptionChangeEvent = ExtendableEvent & {
  oldSubscription?: PushSubscription | null;
  newSubscription?: PushSubscription | null;
};

/**
 * The browser changed the subscription (keys rotated, or it expired): subscribe again here, with
 * the app closed, and tell the relay, or pushes would stop with nobody noticing. The tablet's
 * permission was given at set-up, so no one is asked anything.
 */
export function onPushSubscriptionChange(event: Event) {
  const change = event as PushSubscriptionChangeEvent;
  const app = appOf(self.registration.scope);
  if (app === "tablet") {
    change.waitUntil(
      subscribeTablet(db, {
        registration: async () => self.registration,
        permission: () => globalThis.Notification?.permission,
        relay: pushRelay,
      }).catch(() => undefined),
    );
  } else if (app === "family") {
    change.waitUntil(
      (async () => {
        // Only for a family member who had turned push on; the token is the one the page keeps.
        if (!change.oldSubscription && !change.newSubscription) return;
        const token = (await familyDb.state.get("token"))?.value;
        if (token) await resubscribeFamily(self.registration, token);
      })().catch(() => undefined),
    );
  }
}
