import type { PushProblem, PushUnavailableReason } from "@letterbox/shared";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { Database } from "../db/schema";
import { lockDevice, lockFamilyLink } from "../db/stores/locks";

export type VapidKeyPair = { publicKey: string; privateKey: string };

/**
 * A tablet's push state as staff see it: subscribed, one of the reasons the tablet gave for having
 * no subscription, or "expired" when the push service said the subscription is gone (the tablet
 * subscribes again the next time its app starts). Whether sending fails is kept beside it.
 */
export type TabletPushState = "subscribed" | PushUnavailableReason | "expired";

export type StoredSubscription = {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  deviceId: string | null;
  familyLinkId: string | null;
  /** Set while sending fails for a reason other than "gone" (a tablet's from its push state). */
  failingSince: string | null;
};

export type NewSubscription = {
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  residentId: string;
  createdAt: string;
};

export type TabletPushStatus = {
  deviceId: string;
  state: TabletPushState;
  updatedAt: string;
  failingSince: string | null;
  problem: PushProblem | null;
};

/** Where the push module keeps its key pair and subscriptions. */
export interface PushStore {
  vapidKeys(): Promise<VapidKeyPair | undefined>;
  /** Stores the pair unless one is stored already (another relay instance may have won), and returns the stored one. */
  keepVapidKeys(keys: VapidKeyPair, at: string): Promise<VapidKeyPair>;

  /** Replaces the tablet's subscription (and takes the endpoint from whoever had it). */
  subscribeDevice(deviceId: string, sub: NewSubscription): Promise<void>;
  /** The tablet cannot take push: its subscription (if any) goes, the reason is kept. */
  deviceUnavailable(deviceId: string, reason: PushUnavailableReason, at: string): Promise<void>;
  subscribeFamilyLink(familyLinkId: string, sub: NewSubscription): Promise<void>;
  unsubscribeFamilyLink(familyLinkId: string): Promise<boolean>;

  /** Subscriptions of the resident's tablets that still work (not wiped). */
  tabletSubscriptions(residentId: string): Promise<StoredSubscription[]>;
  /** The family link's subscriptions, if the link is not revoked. */
  familyLinkSubscriptions(familyLinkId: string): Promise<StoredSubscription[]>;
  /** Whether the receipt at this place in the log says delivered or seen. */
  receiptState(residentId: string, seq: number): Promise<string | undefined>;

  /**
   * The push service said the subscription is gone (404/410); a tablet left with none is "expired",
   * failing since now.
   */
  removeGone(id: string, at: string): Promise<void>;
  /** Sending failed for good: a tablet's push state, or a family member's subscription, says since when and why. */
  markFailing(id: string, failure: { error: string; problem: PushProblem }, at: string): Promise<void>;
  markWorking(id: string): Promise<void>;

  /** The push state of every tablet in use (not wiped), of one resident or of all. */
  tabletPushStatus(residentId?: string): Promise<TabletPushStatus[]>;
}

type SubscriptionColumns = "id" | "endpoint" | "p256dh" | "auth" | "device_id" | "family_link_id" | "failing_since";

const toSubscription = (r: Pick<Selectable<Database["push_subscriptions"]>, SubscriptionColumns>): StoredSubscription => ({
  id: r.id,
  endpoint: r.endpoint,
  keys: { p256dh: r.p256dh, auth: r.auth },
  deviceId: r.device_id,
  familyLinkId: r.family_link_id,
  failingSince: r.failing_since,
});

const subscriptionColumns = [
  "s.id",
  "s.endpoint",
  "s.p256dh",
  "s.auth",
  "s.resident_id",
  "s.device_id",
  "s.family_link_id",
  "s.created_at",
] as const;

/**
 * Stores the subscription, taking its endpoint from whoever had it: one browser's endpoint
 * belongs to one tablet or family member. An upsert rather than delete-then-insert, because two
 * instances subscribing the same endpoint at once would both find it free and the second insert
 * would break the endpoint's uniqueness; the upsert makes the second wait and take it over.
 */
async function takeEndpoint(
  tx: Transaction<Database>,
  sub: NewSubscription & { deviceId: string | null; familyLinkId: string | null },
) {
  const row = {
    id: sub.id,
    p256dh: sub.p256dh,
    auth: sub.auth,
    resident_id: sub.residentId,
    device_id: sub.deviceId,
    family_link_id: sub.familyLinkId,
    created_at: sub.createdAt,
    failing_since: null,
    last_error: null,
  };
  await tx
    .insertInto("push_subscriptions")
    .values({ ...row, endpoint: sub.endpoint })
    .onConflict((oc) => oc.column("endpoint").doUpdateSet(row))
    .execute();
}

/** The push tables through Kysely: SQLite now, the same queries on PostgreSQL later. */
export class KyselyPushStore implements PushStore {
  constructor(private readonly db: Kysely<Database>) {}

  async vapidKeys() {
    const row = await this.db
      .selectFrom("push_vapid_keys")
      .select(["public_key", "private_key"])
      .where("id", "=", 1)
      .executeTakeFirst();
    return row && { publicKey: row.public_key, privateKey: row.private_key };
  }

  async keepVapidKeys(keys: VapidKeyPair, at: string) {
    await this.db
      .insertInto("push_vapid_keys")
      .values({ id: 1, public_key: keys.publicKey, private_key: keys.privateKey, created_at: at })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    const kept = await this.vapidKeys();
    if (!kept) throw new Error("The VAPID key pair was not stored.");
    return kept;
  }

  async subscribeDevice(deviceId: string, sub: NewSubscription) {
    await this.db.transaction().execute(async (tx) => {
      // The same tablet subscribing twice at once (a retry on another instance) takes turns here.
      await lockDevice(tx, deviceId);
      await tx.deleteFrom("push_subscriptions").where("device_id", "=", deviceId).execute();
      await takeEndpoint(tx, { ...sub, deviceId, familyLinkId: null });
      const state = { state: "subscribed", updated_at: sub.createdAt, failing_since: null, problem: null };
      await tx
        .insertInto("push_device_states")
        .values({ device_id: deviceId, ...state })
        .onConflict((oc) => oc.column("device_id").doUpdateSet(state))
        .execute();
    });
  }

  async deviceUnavailable(deviceId: string, reason: PushUnavailableReason, at: string) {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom("push_subscriptions").where("device_id", "=", deviceId).execute();
      const state = { state: reason, updated_at: at, failing_since: null, problem: null };
      await tx
        .insertInto("push_device_states")
        .values({ device_id: deviceId, ...state })
        .onConflict((oc) => oc.column("device_id").doUpdateSet(state))
        .execute();
    });
  }

  async subscribeFamilyLink(familyLinkId: string, sub: NewSubscription) {
    await this.db.transaction().execute(async (tx) => {
      await lockFamilyLink(tx, familyLinkId);
      await tx.deleteFrom("push_subscriptions").where("family_link_id", "=", familyLinkId).execute();
      await takeEndpoint(tx, { ...sub, deviceId: null, familyLinkId });
    });
  }

  async unsubscribeFamilyLink(familyLinkId: string) {
    const result = await this.db.deleteFrom("push_subscriptions").where("family_link_id", "=", familyLinkId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async tabletSubscriptions(residentId: string) {
    const rows = await this.db
      .selectFrom("push_subscriptions as s")
      .innerJoin("devices as d", "d.id", "s.device_id")
      .leftJoin("push_device_states as p", "p.device_id", "s.device_id")
      .select([...subscriptionColumns, "p.failing_since"])
      .where("s.resident_id", "=", residentId)
      .where("d.revoked_at", "is", null)
      .execute();
    return rows.map(toSubscription);
  }

  async familyLinkSubscriptions(familyLinkId: string) {
    const rows = await this.db
      .selectFrom("push_subscriptions as s")
      .innerJoin("family_links as f", "f.id", "s.family_link_id")
      .select([...subscriptionColumns, "s.failing_since"])
      .where("s.family_link_id", "=", familyLinkId)
      .where("f.revoked_at", "is", null)
      .execute();
    return rows.map(toSubscription);
  }

  async receiptState(residentId: string, seq: number) {
    const row = await this.db
      .selectFrom("log_entries")
      .select("receipt_state")
      .where("resident_id", "=", residentId)
      .where("seq", "=", seq)
      .executeTakeFirst();
    return row?.receipt_state ?? undefined;
  }

  async removeGone(id: string, at: string) {
    await this.db.transaction().execute(async (tx) => {
      const gone = await tx.deleteFrom("push_subscriptions").where("id", "=", id).returning("device_id").executeTakeFirst();
      const deviceId = gone?.device_id;
      if (!deviceId) return;
      // Only if the tablet has not subscribed afresh meanwhile.
      const current = await tx.selectFrom("push_subscriptions").select("id").where("device_id", "=", deviceId).executeTakeFirst();
      if (current) return;
      // Failing since the earlier of a failure already seen and now: the push service has stopped taking them.
      await tx
        .updateTable("push_device_states")
        .set((eb) => ({
          state: "expired",
          updated_at: at,
          failing_since: eb.fn.coalesce("failing_since", eb.val(at)),
          problem: "gone",
        }))
        .where("device_id", "=", deviceId)
        .where("state", "=", "subscribed")
        .execute();
    });
  }

  async markFailing(id: string, failure: { error: string; problem: PushProblem }, at: string) {
    await this.db.transaction().execute(async (tx) => {
      const sub = await tx.selectFrom("push_subscriptions").select("device_id").where("id", "=", id).executeTakeFirst();
      if (!sub) return;
      if (sub.device_id) {
        await tx
          .updateTable("push_device_states")
          .set((eb) => ({ failing_since: eb.fn.coalesce("failing_since", eb.val(at)), problem: failure.problem }))
          .where("device_id", "=", sub.device_id)
          .where("state", "=", "subscribed")
          .execute();
      } else {
        await tx
          .updateTable("push_subscriptions")
          .set((eb) => ({ failing_since: eb.fn.coalesce("failing_since", eb.val(at)), last_error: failure.error }))
          .where("id", "=", id)
          .execute();
      }
    });
  }

  async markWorking(id: string) {
    await this.db.transaction().execute(async (tx) => {
      const sub = await tx
        .updateTable("push_subscriptions")
        .set({ failing_since: null, last_error: null })
        .where("id", "=", id)
        .returning("device_id")
        .executeTakeFirst();
      if (!sub?.device_id) return;
      await tx
        .updateTable("push_device_states")
        .set({ failing_since: null, problem: null })
        .where("device_id", "=", sub.device_id)
        .where("state", "=", "subscribed")
        .execute();
    });
  }

  async tabletPushStatus(residentId?: string) {
    let query = this.db
      .selectFrom("push_device_states as p")
      .innerJoin("devices as d", "d.id", "p.device_id")
      .select(["p.device_id", "p.state", "p.updated_at", "p.failing_since", "p.problem"])
      .where("d.revoked_at", "is", null)
      .orderBy("p.updated_at", "desc");
    if (residentId) query = query.where("d.resident_id", "=", residentId);
    return (await query.execute()).map(
      (r): TabletPushStatus => ({
        deviceId: r.device_id,
        state: r.state as TabletPushState,
        updatedAt: r.updated_at,
        failingSince: r.failing_since,
        problem: r.problem as PushProblem | null,
      }),
    );
  }
}
