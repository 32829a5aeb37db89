/** Tables of the push module, part of the relay's Database type (db/schema.ts). */
export type PushTables = {
  /** One row: the relay's VAPID key pair, made at first start. Subscriptions are bound to it. */
  push_vapid_keys: {
    id: number;
    /** Uncompressed P-256 point, base64url. */
    public_key: string;
    /** The 32-byte private scalar, base64url. */
    private_key: string;
    created_at: string;
  };
  /** A browser's push subscription, owned by one tablet or one family link (never both). */
  push_subscriptions: {
    id: string;
    endpoint: string;
    p256dh: string;
    auth: string;
    resident_id: string;
    device_id: string | null;
    family_link_id: string | null;
    created_at: string;
    /**
     * A family member's subscription only: when sending began to fail for a reason other than
     * "gone"; null while it works. A tablet's is kept with its push state (push_device_states).
     */
    failing_since: string | null;
    last_error: string | null;
  };
  /**
   * A tablet's push state, the one place staff read it from: what the tablet last said about push
   * (its subscription, or why it has none) and what the push service answered since.
   */
  push_device_states: {
    device_id: string;
    /** "subscribed", a reason the tablet gave (PushUnavailableReason), or "expired" (pruned on 404/410). */
    state: string;
    updated_at: string;
    /** When pushes to the tablet began to fail (or its subscription was pruned); null while they work. */
    failing_since: string | null;
    /** Why (PushProblem); null while pushes work. */
    problem: string | null;
  };
};
