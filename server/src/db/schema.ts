/** Column types as the query layer sees them; times are ISO-8601 strings in UTC. */
import type { Generated } from "kysely";
import type { PushTables } from "../push/schema";

export interface Database extends PushTables {
  staff: {
    id: string;
    name: string;
    email: string;
    password_hash: string;
    created_at: string;
    role: string;
    disabled_at: string | null;
  };
  staff_invites: {
    token_hash: string;
    role: string;
    created_by: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  audit_log: {
    id: Generated<number>;
    at: string;
    staff_id: string | null;
    staff_name: string;
    action: string;
    resident_id: string | null;
    /** JSON object: ids and counts, never message text. */
    detail: string;
    source: string;
  };
  /** One budget of tries (db/stores/limit-store.ts). */
  limit_counters: {
    key: string;
    /** JSON, in the shape its limiter keeps. */
    value: string;
    expires_at: string;
  };
  org_settings: {
    key: string;
    /** JSON. */
    value: string;
  };
  staff_sessions: {
    token_hash: string;
    staff_id: string;
    created_at: string;
    last_seen_at: string;
  };
  staff_setup_tokens: {
    token_hash: string;
    expires_at: string;
  };
  residents: {
    id: string;
    full_name: string;
    preferred_name: string;
    created_at: string;
    /** The last sequence number handed out in this resident's log. */
    last_seq: number;
    language: string;
    /** JSON array of strings; null means the default replies of the resident's language. */
    reply_options: string | null;
    quiet_start: string | null;
    quiet_end: string | null;
    text_size: string;
    paused: number;
    family_sees_all: number;
    archived_at: string | null;
    retention_days: number;
  };
  family_links: {
    id: string;
    resident_id: string;
    label: string;
    token_hash: string;
    created_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
    display_name: string | null;
    relationship: string | null;
  };
  devices: {
    id: string;
    resident_id: string;
    token_hash: string;
    paired_at: string;
    last_seen_at: string | null;
    revoked_at: string | null;
    app_version: string | null;
    storage_used: number | null;
    storage_quota: number | null;
    storage_persisted: number | null;
    language: string | null;
    status_at: string | null;
    battery_level: number | null;
    battery_charging: number | null;
  };
  setup_codes: {
    code_hash: string;
    resident_id: string;
    created_by: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  messages: {
    id: string;
    resident_id: string;
    family_link_id: string;
    sender_name: string;
    sender_relationship: string | null;
    text: string;
    sent_at: string;
    seq: number;
    deleted_at: string | null;
    delivered_at: string | null;
    seen_at: string | null;
  };
  message_photos: {
    message_id: string;
    position: number;
    photo_id: string;
    width: number;
    height: number;
    caption: string;
  };
  photo_uploads: {
    photo_id: string;
    family_link_id: string;
    resident_id: string;
    width: number;
    height: number;
    uploaded_at: string;
  };
  /** One row per photo a family link uploaded, kept for a day: the daily allowance counts these. */
  photo_upload_quota: {
    family_link_id: string;
    resident_id: string;
    uploaded_at: string;
  };
  replies: {
    id: string;
    resident_id: string;
    in_reply_to: string;
    family_link_id: string;
    text: string;
    sent_at: string;
    seq: number;
  };
  log_entries: {
    resident_id: string;
    seq: number;
    kind: string;
    at: string;
    message_id: string | null;
    reply_id: string | null;
    receipt_state: string | null;
  };
  /** One row: which log this database holds (see db/backup.ts). */
  log_identity: {
    id: number;
    log_id: string;
  };
}
