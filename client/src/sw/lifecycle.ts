/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, type PrecacheEntry, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare const self: ServiceWorkerGlobalScope;

/**
 * The app shell is precached; opening /tablet with no network serves it. The same worker registered
 * for the family page (scope /family) serves /family the same way, so that page opens with no
 * signal too (its unsent messages wait in IndexedDB): an installable app. Each registration only
 * ever sees navigations within its own scope.
 */
export function precacheShell(manifest: (string | PrecacheEntry)[]) {
  precacheAndRoute(manifest);
  cleanupOutdatedCaches();
  registerRoute(new NavigationRoute(createHandlerBoundToURL("/tablet/index.html"), { allowlist: [/^\/tablet\/?$/] }));
  registerRoute(new NavigationRoute(createHandlerBoundToURL("/family/index.html"), { allowlist: [/^\/family\/?$/] }));
}

/**
 * The first worker takes over at once (there is no older app to disturb). An update waits until
 * the page says it is a quiet moment (night), so the resident never sees the app change under them.
 */
export function onInstall() {
  if (!self.registration.active) void self.skipWaiting();
}

export function onActivate(event: ExtendableEvent) {
  event.waitUntil(self.clients.claim());
}

export function onMessage(event: ExtendableMessageEvent) {
  if ((event.data as { type?: string } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
}
