/**
 * Messages between push.bench.ts (the load generator), push-bench-server.ts (the relay under test)
 * and push-bench-receiver.ts (the push service and the tablets' browsers), over IPC. Times are
 * process.hrtime in milliseconds: the same monotonic clock in every process on the machine.
 */
import type { PushPayload, PushSubscriptionJson } from "@letterbox/shared";

export type Household = { residentId: string; familyToken: string; deviceToken: string };

// The relay ------------------------------------------------------------------------------------

/** Sent once at start: where the local push service is and the certificate to trust for it. */
export type PushServerConfig = { type: "config"; receiverOrigin: string; receiverCert: string; households: number };

export type PushServerReady = { type: "ready"; relayPort: number; households: Household[] };

export type PushServerStats = {
  type: "stats";
  queued: number;
  inFlight: number;
  waitingRetries: number;
  sent: number;
  dropped: number;
  /** Log lines of the push module by event (push.failed, push.queue_full, …). */
  events: Record<string, number>;
};

export type Failed = { type: "failed"; error: string };

export type FromPushServer = PushServerReady | PushServerStats | Failed;
export type ToPushServer = PushServerConfig | { type: "stats" } | { type: "stop" };

// The receiver ---------------------------------------------------------------------------------

export type ReceiverReady = { type: "ready"; origin: string; cert: string };
export type Subscribed = { type: "subscribed"; subscriptions: PushSubscriptionJson[] };
/** What arrived since the last "take": decrypted payloads and when each was decrypted. */
export type Delivered = {
  type: "delivered";
  pushes: { payload: PushPayload | undefined; error: string | undefined; at: number }[];
  connections: number;
};

export type FromReceiver = ReceiverReady | Subscribed | Delivered | Failed;
export type ToReceiver = { type: "subscribe"; count: number } | { type: "take" } | { type: "stop" };

export const hrNowMs = () => Number(process.hrtime.bigint()) / 1e6;
