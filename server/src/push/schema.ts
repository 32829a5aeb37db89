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
    /** When sending began to fail for a reason other than "gone"; null while it works. */
    failing_since: string | null;
    last_error: string | null;
  };
  /** What each tablet last said about push (or what the push service said about it), for staff. */
  push_device_states: {
    device_id: string;
    state: string;
    updated_at: string;
  };
};
