import { createHash, ECDH, randomUUID } from "node:crypto";
import { Agent } from "node:https";
import type { FamilyPushRequest, PushPayload, PushSubscriptionJson, TabletPushRequest } from "@letterbox/shared";
import type { Clock } from "../clock";
import { AppError } from "../errors";
import type { LogEvent, LogEvents } from "../events";
import type { RelayMetrics } from "../http/metrics";
import type { Logger } from "../log";
import type { FamilyPrincipal, TabletPrincipal } from "../services/conversation-service";
import type { Store } from "../store";
import { type ProxySettings, ProxyTunnelAgent } from "./proxy-agent";
import { type PushSender, problemOf, WebPushSender } from "./push-sender";
import type { NewSubscription, StoredSubscription, TabletPushStatus, VapidKeyPair } from "./push-store";
import { type Attempt, type QueueOptions, type QueueStats, SendQueue, type Timers } from "./send-queue";
import { loadOrCreateVapidKeys } from "./vapid";

/** A push not delivered within a day is no use: the tablet will have pulled by then. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;

/**
 * The push services of the browsers people use (Chrome and most Android browsers, Firefox, Safari,
 * Edge). Sending only to these keeps a token holder from making the relay post to addresses inside
 * the council's own network.
 */
export const KNOWN_PUSH_SERVICES = ["fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com"];

/**
 * Whether a subscription may name this endpoint: https on the standard port, at one of the known
 * push services (or a subdomain), or at one of the hosts the council added (exactly that host:
 * PUSH_SERVICE_HOSTS, which never holds an IP address).
 */
export function isKnownPushService(url: URL, addedHosts: readonly string[] = []): boolean {
  const host = url.hostname.toLowerCase();
  return (
    url.protocol === "https:" &&
    (url.port === "" || url.port === "443") &&
    (KNOWN_PUSH_SERVICES.some((service) => host === service || host.endsWith(`.${service}`)) || addedHosts.includes(host))
  );
}

/** The kinds of news a push brings; each has its own topic, since each is shown differently. */
export type PushNews = "message" | "message_deleted" | "reply" | "seen";

/**
 * The Topic header for one recipient (a tablet or a family link) and one kind of news: a push
 * service keeps only the latest undelivered push per topic, which is right for hints of one kind
 * (the newest message push says all the earlier ones did), and wrong across kinds ("seen" must
 * not replace an undelivered "reply", nor "taken back" a "new message"). Hashed so that it fits
 * (at most 32 base64url characters) and tells the push service nothing.
 */
export function topicFor(recipientId: string, news: PushNews): string {
  return createHash("sha256")
    .update(`letterbox-push-topic:${recipientId}:${news}`)
    .digest()
    .subarray(0, 24)
    .toString("base64url");
}

export type PushOptions = {
  /** VAPID `sub`: how a push service reaches whoever runs this relay (mailto: or https:). */
  subject: string;
  /** How pushes leave; a WebPushSender over `agent` when not given. */
  sender?: PushSender;
  /** The HTTPS agent for the push services (tests: one that trusts a local receiver's certificate). */
  agent?: Agent;
  /** An egress proxy to tunnel through (HTTPS_PROXY, NO_PROXY), when no agent is given. */
  proxy?: ProxySettings;
  /** Certificates to trust besides the system's, when no agent is given (tests: a local receiver's). */
  ca?: string;
  /** Push service hosts a council added to the known ones (PUSH_SERVICE_HOSTS). */
  serviceHosts?: readonly string[];
  /** Which endpoints a subscription may name; the known push services and `serviceHosts` when not given. */
  allowEndpoint?: (url: URL) => boolean;
  queue?: Partial<QueueOptions>;
  timers?: Timers;
};

type Deps = {
  store: Store;
  clock: Clock;
  log: Logger;
  events: LogEvents;
  /** Without it the relay keeps no subscriptions and sends nothing. */
  push?: PushOptions;
  metrics?: Pick<RelayMetrics, "pushAttempted">;
};

type Job = { subscription: StoredSubscription; payload: PushPayload; urgency: "high" | "normal"; topic: string };

const URGENCY_RANK = { normal: 0, high: 1 } as const;

/**
 * Web push for the relay: keeps the tablets' and family members' subscriptions, and on each log
 * entry that someone should know about sends them a small encrypted hint to pull. Sending happens
 * in a queue, never in the request that wrote the entry.
 */
export class PushService {
  private readonly queue: SendQueue<Job> | undefined;
  private readonly sender: PushSender | undefined;
  private readonly ownAgent: Agent | undefined;
  private keys: Promise<VapidKeyPair> | undefined;
  private readonly dispatching = new Set<Promise<void>>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(private readonly deps: Deps) {
    const options = deps.push;
    if (!options) return;
    if (!options.sender && !options.agent) {
      const tls = { keepAlive: true, ...(options.ca && { ca: options.ca }) };
      this.ownAgent = options.proxy ? new ProxyTunnelAgent(options.proxy, tls) : new Agent(tls);
    }
    this.sender = options.sender ?? new WebPushSender({ agent: options.agent ?? this.ownAgent, clock: deps.clock });
    this.queue = new SendQueue<Job>({
      work: (job) => this.sendOne(job),
      giveUp: (job, error, attempts) => this.giveUp(job, error, attempts),
      merge: mergeJobs,
      log: deps.log,
      ...(options.timers && { timers: options.timers }),
      ...(options.queue && { options: options.queue }),
    });
    // Push goes out once per entry, from the instance that wrote it.
    this.unsubscribe = deps.events.on((event) => this.onLogEvent(event), { ownOnly: true });
  }

  get enabled(): boolean {
    return this.deps.push !== undefined;
  }

  private get options(): PushOptions {
    if (!this.deps.push) throw new AppError("not_found", "Push notifications are not set up on this relay.");
    return this.deps.push;
  }

  /** Loads the VAPID key pair, or makes it at first start; call before serving. */
  async start(): Promise<void> {
    if (this.enabled) await this.vapidKeys();
  }

  private vapidKeys(): Promise<VapidKeyPair> {
    if (!this.keys) {
      const store = this.deps.store.push;
      this.keys = loadOrCreateVapidKeys({ store, clock: this.deps.clock, log: this.deps.log });
      // A failed read (database busy at start) is tried again next time, not remembered.
      this.keys.catch(() => {
        this.keys = undefined;
      });
    }
    return this.keys;
  }

  async publicKey(): Promise<string> {
    return (await this.vapidKeys()).publicKey;
  }

  // Subscriptions ---------------------------------------------------------------------------

  async reportTablet(tablet: TabletPrincipal, body: TabletPushRequest): Promise<void> {
    const store = this.deps.store.push;
    if (body.subscription) {
      await store.subscribeDevice(tablet.deviceId, this.newSubscription(body.subscription, tablet.residentId));
      this.deps.log("push.tablet_subscribed", { residentId: tablet.residentId, deviceId: tablet.deviceId });
    } else if (body.unavailable) {
      await store.deviceUnavailable(tablet.deviceId, body.unavailable, this.nowIso());
      this.deps.log("push.tablet_unavailable", {
        residentId: tablet.residentId,
        deviceId: tablet.deviceId,
        reason: body.unavailable,
      });
    }
  }

  async subscribeFamily({ link }: FamilyPrincipal, body: FamilyPushRequest): Promise<void> {
    await this.deps.store.push.subscribeFamilyLink(link.id, this.newSubscription(body.subscription, link.residentId));
    this.deps.log("push.family_subscribed", { residentId: link.residentId, familyLinkId: link.id });
  }

  async unsubscribeFamily({ link }: FamilyPrincipal): Promise<void> {
    if (await this.deps.store.push.unsubscribeFamilyLink(link.id)) {
      this.deps.log("push.family_unsubscribed", { residentId: link.residentId, familyLinkId: link.id });
    }
  }

  /**
   * For staff, the one account of a tablet's push: what it said about push, and whether and why
   * sending to it fails. Of one resident's tablets, or of every tablet in use.
   */
  tabletPushStatus(residentId?: string): Promise<TabletPushStatus[]> {
    return this.enabled ? this.deps.store.push.tabletPushStatus(residentId) : Promise.resolve([]);
  }

  private newSubscription(s: PushSubscriptionJson, residentId: string): NewSubscription {
    const { allowEndpoint, serviceHosts = [] } = this.options;
    const url = new URL(s.endpoint);
    if (!(allowEndpoint ? allowEndpoint(url) : isKnownPushService(url, serviceHosts))) {
      throw new AppError("invalid_request", "“subscription.endpoint” is not the address of a browser push service.");
    }
    try {
      // The schema checked the shape; this checks that it is a point on the curve, which
      // encrypting to it later needs.
      ECDH.convertKey(Buffer.from(s.keys.p256dh, "base64url"), "prime256v1");
    } catch {
      throw new AppError("invalid_request", "“subscription.keys.p256dh” is not a P-256 public key.");
    }
    return {
      id: randomUUID(),
      endpoint: s.endpoint,
      p256dh: s.keys.p256dh,
      auth: s.keys.auth,
      residentId,
      createdAt: this.nowIso(),
    };
  }

  // Sending -----------------------------------------------------------------------------------

  /**
   * Runs inside the request that appended the entry, so it only starts work and returns. The work
   * waits for the next turn of the event loop: encrypting a push takes longer than answering the
   * request, which should go out first.
   */
  private onLogEvent(event: LogEvent): void {
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.dispatch(event))
      .catch((err: unknown) => this.deps.log("push.dispatch_failed", { residentId: event.residentId, error: String(err) }))
      .finally(() => this.dispatching.delete(work));
    this.dispatching.add(work);
  }

  private async dispatch(event: LogEvent): Promise<void> {
    const store = this.deps.store.push;
    let subscriptions: StoredSubscription[];
    switch (event.kind) {
      // The tablet learns of new and taken-back messages.
      case "message":
      case "message_deleted":
        subscriptions = await store.tabletSubscriptions(event.residentId);
        break;
      // A family member learns of a reply to them and of their message being seen; "delivered"
      // is shown when they next open the page, not worth waking a phone for.
      case "reply":
      case "receipt":
        if (!event.familyLinkId) return;
        subscriptions = await store.familyLinkSubscriptions(event.familyLinkId);
        if (
          subscriptions.length > 0 &&
          event.kind === "receipt" &&
          (await store.receiptState(event.residentId, event.seq)) !== "seen"
        ) {
          return;
        }
        break;
      // Settings reach an open tablet through its live connection; a sleeping one gets them at its next sync.
      default:
        return;
    }
    if (subscriptions.length === 0 || !this.queue) return;
    const payload: PushPayload = {
      kind: event.kind,
      residentId: event.residentId,
      seq: event.seq,
      ...(event.senderName !== undefined && { senderName: event.senderName }),
    };
    // A dozing Android holds back normal-urgency pushes for minutes; new words should not wait.
    const urgency = event.kind === "message" || event.kind === "reply" ? "high" : "normal";
    const news: PushNews = event.kind === "receipt" ? "seen" : event.kind;
    for (const subscription of subscriptions) {
      const topic = topicFor(subscription.deviceId ?? subscription.familyLinkId ?? subscription.id, news);
      // One push in flight per subscription, a waiting one replaced only by news of its own kind,
      // and a bound per push service so that one that hangs cannot hold every slot.
      this.queue.push(
        `${subscription.id} ${topic}`,
        { subscription, payload, urgency, topic },
        { lane: subscription.id, group: new URL(subscription.endpoint).host },
      );
    }
  }

  private async sendOne(job: Job): Promise<Attempt> {
    const keys = await this.vapidKeys();
    const { subscription: sub } = job;
    const outcome = await (this.sender as PushSender).send({
      subscription: { endpoint: sub.endpoint, keys: sub.keys },
      payload: JSON.stringify(job.payload),
      ttlSeconds: PUSH_TTL_SECONDS,
      urgency: job.urgency,
      topic: job.topic,
      vapid: { subject: this.options.subject, ...keys },
    });
    this.deps.metrics?.pushAttempted(outcome.result);
    switch (outcome.result) {
      case "sent":
        if (sub.failingSince) await this.deps.store.push.markWorking(sub.id);
        return { outcome: "done" };
      case "gone":
        await this.deps.store.push.removeGone(sub.id, this.nowIso());
        this.deps.log("push.subscription_gone", { subscriptionId: sub.id, status: outcome.status, ...owner(sub) });
        return { outcome: "done" };
      case "retry":
        return {
          outcome: "retry",
          error: outcome.error,
          ...(outcome.retryAfterMs !== undefined && { afterMs: outcome.retryAfterMs }),
        };
      case "failed":
        return { outcome: "failed", error: outcome.error };
    }
  }

  private async giveUp(job: Job, error: string, attempts: number): Promise<void> {
    const sub = job.subscription;
    this.deps.log("push.failed", { subscriptionId: sub.id, error, attempts, ...owner(sub) });
    await this.deps.store.push.markFailing(sub.id, { error, problem: problemOf(error) }, this.nowIso());
  }

  /** Resolves once every event so far has been looked up and every push sent or given up (tests, benchmark). */
  async idle(): Promise<void> {
    while (this.dispatching.size > 0) await Promise.allSettled([...this.dispatching]);
    await this.queue?.idle();
    if (this.dispatching.size > 0) await this.idle();
  }

  stats(): QueueStats | undefined {
    return this.queue?.stats();
  }

  /** Stops listening and sending; pushes still waiting are dropped (the tablets pull anyway). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.allSettled([...this.dispatching]);
    await this.queue?.stop();
    this.ownAgent?.destroy();
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }
}

/** A newer hint of the same kind for the same subscription says everything the waiting one did, as urgently. */
function mergeJobs(waiting: Job, incoming: Job): Job {
  const newer = incoming.payload.seq >= waiting.payload.seq ? incoming : waiting;
  const urgency = URGENCY_RANK[incoming.urgency] > URGENCY_RANK[waiting.urgency] ? incoming.urgency : waiting.urgency;
  return { ...newer, urgency };
}

const owner = (sub: StoredSubscription) => (sub.deviceId ? { deviceId: sub.deviceId } : { familyLinkId: sub.familyLinkId });
