/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";

declare const self: ServiceWorkerGlobalScope;

// Event wiring only; what each event does lives in named modules as the worker grows (push, sync).
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Opening /tablet with no network serves the precached app shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/tablet/index.html"), { allowlist: [/^\/tablet\/?$/] }));

self.addEventListener("install", () => void self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
