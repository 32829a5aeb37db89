/// <reference lib="webworker" />
import { onBackgroundSync, onPeriodicSync } from "./sw/background-sync";
import { onActivate, onInstall, onMessage, precacheShell } from "./sw/lifecycle";
import { onNotificationClick, onPush } from "./sw/push";
import { onPushSubscriptionChange } from "./sw/resubscribe";

declare const self: ServiceWorkerGlobalScope;

// Event wiring only: what each event does lives in sw/ (and the sync engine in tablet/).
precacheShell(self.__WB_MANIFEST);
self.addEventListener("install", onInstall);
self.addEventListener("activate", onActivate);
self.addEventListener("message", onMessage);
self.addEventListener("sync", onBackgroundSync);
self.addEventListener("periodicsync", onPeriodicSync);
self.addEventListener("push", onPush);
self.addEventListener("notificationclick", onNotificationClick);
self.addEventListener("pushsubscriptionchange", onPushSubscriptionChange);
