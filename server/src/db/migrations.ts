import { randomUUID } from "node:crypto";
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import { pushMigrations } from "../push/migrations";
import { bigInteger, double, identityPrimaryKey, isPostgres } from "./portable";
import { withoutStatementTimeout } from "./postgres";

/**
 * Numbered migrations, run at start, the same on SQLite and PostgreSQL. Each is written once and
 * never edited after it has shipped: a council's database has already run it. (Where an engine
 * needs other words, db/portable.ts gives SQLite the words it always had; a test holds the SQLite
 * schema to db/sqlite-schema-0011.sql.)
 */
const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("staff")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("staff_sessions")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("staff_id", "text", (c) => c.notNull().references("staff.id").onDelete("cascade"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("staff_setup_tokens")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("residents")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("full_name", "text", (c) => c.notNull())
        .addColumn("preferred_name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("last_seq", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable("family_links")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("label", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("last_used_at", "text")
        .execute();
      await db.schema
        .createTable("devices")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("paired_at", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text")
        .addColumn("revoked_at", "text")
        .execute();
      await db.schema
        .createTable("setup_codes")
        .addColumn("code_hash", "text", (c) => c.primaryKey())
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .execute();
      await db.schema
        .createTable("messages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("family_link_id", "text", (c) => c.notNull().references("family_links.id").onDelete("cascade"))
        .addColumn("sender_name", "text", (c) => c.notNull())
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("sent_at", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("log_entries")
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("message_id", "text")
        .addPrimaryKeyConstraint("log_entries_pk", ["resident_id", "seq"])
        .execute();
      await db.schema.createIndex("messages_family_link").on("messages").columns(["family_link_id", "seq"]).execute();
      await db.schema.createIndex("staff_sessions_staff").on("staff_sessions").column("staff_id").execute();
    },
  },
  "0002_conversation": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable("residents")
        .addColumn("language", "text", (c) => c.notNull().defaultTo("en-GB"))
        .execute();
      // null: the default replies of the resident's language.
      await db.schema.alterTable("residents").addColumn("reply_options", "text").execute();
      await db.schema.alterTable("residents").addColumn("quiet_start", "text").execute();
      await db.schema.alterTable("residents").addColumn("quiet_end", "text").execute();
      await db.schema
        .alterTable("residents")
        .addColumn("text_size", "text", (c) => c.notNull().defaultTo("large"))
        .execute();
      await db.schema
        .alterTable("residents")
        .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("residents")
        .addColumn("family_sees_all", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db
        .updateTable("residents" as never)
        .set({ quiet_start: "21:00", quiet_end: "08:00" } as never)
        .execute();

      await db.schema.alterTable("messages").addColumn("deleted_at", "text").execute();
      await db.schema.alterTable("messages").addColumn("delivered_at", "text").execute();
      await db.schema.alterTable("messages").addColumn("seen_at", "text").execute();

      await db.schema
        .createTable("message_photos")
        .addColumn("message_id", "text", (c) => c.notNull().references("messages.id").onDelete("cascade"))
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("photo_id", "text", (c) => c.notNull())
        .addColumn("width", "integer", (c) => c.notNull())
        .addColumn("height", "integer", (c) => c.notNull())
        .addColumn("caption", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("message_photos_pk", ["message_id", "position"])
        .execute();
      await db.schema.createIndex("message_photos_photo").on("message_photos").column("photo_id").execute();

      await db.schema
        .createTable("photo_uploads")
        .addColumn("photo_id", "text", (c) => c.notNull())
        .addColumn("family_link_id", "text", (c) => c.notNull().references("family_links.id").onDelete("cascade"))
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("width", "integer", (c) => c.notNull())
        .addColumn("height", "integer", (c) => c.notNull())
        .addColumn("uploaded_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("photo_uploads_link").on("photo_uploads").columns(["family_link_id", "uploaded_at"]).execute();
      await db.schema.createIndex("photo_uploads_photo").on("photo_uploads").columns(["photo_id", "family_link_id"]).execute();

      await db.schema
        .createTable("replies")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("in_reply_to", "text", (c) => c.notNull())
        .addColumn("family_link_id", "text", (c) => c.notNull().references("family_links.id").onDelete("cascade"))
        .addColumn("text", "text", (c) => c.notNull())
        .addColumn("sent_at", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .execute();

      await db.schema.alterTable("log_entries").addColumn("reply_id", "text").execute();
      await db.schema.alterTable("log_entries").addColumn("receipt_state", "text").execute();
      await db.schema.createIndex("messages_resident").on("messages").columns(["resident_id", "seq"]).execute();
    },
  },
  "0004_staff": {
    async up(db: Kysely<unknown>) {
      // Accounts made before roles existed were the council's first administrators.
      await db.schema
        .alterTable("staff")
        .addColumn("role", "text", (c) => c.notNull().defaultTo("admin"))
        .execute();
      await db.schema.alterTable("staff").addColumn("disabled_at", "text").execute();
      await db.schema
        .createTable("staff_invites")
        .addColumn("token_hash", "text", (c) => c.primaryKey())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .addColumn("used_at", "text")
        .execute();
      await db.schema
        .createTable("audit_log")
        .addColumn("id", ...identityPrimaryKey(db))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("staff_id", "text")
        .addColumn("staff_name", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("resident_id", "text")
        .addColumn("detail", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();
      await db.schema.alterTable("residents").addColumn("archived_at", "text").execute();
      await db.schema
        .alterTable("residents")
        .addColumn("retention_days", "integer", (c) => c.notNull().defaultTo(365))
        .execute();
      for (const [column, type] of [
        ["app_version", "text"],
        ["push_state", "text"],
        // Bytes: a tablet's quota passes 2 GB.
        ["storage_used", bigInteger(db)],
        ["storage_quota", bigInteger(db)],
        ["storage_persisted", "integer"],
        ["language", "text"],
        ["status_at", "text"],
      ] as const) {
        await db.schema.alterTable("devices").addColumn(column, type).execute();
      }
      await db.schema
        .createTable("org_settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
    },
  },
  "0005_family_display_name": {
    async up(db: Kysely<unknown>) {
      // How the family member chose to be named on the tablet ("Your daughter Sarah"); null: the label staff gave.
      await db.schema.alterTable("family_links").addColumn("display_name", "text").execute();
    },
  },
  "0006_log_identity": {
    async up(db: Kysely<unknown>) {
      // Which log this database holds. Made with the database and changed by a restore, so that a
      // tablet whose cursor came from another copy of the log starts again from the beginning
      // rather than wait for sequence numbers it has already passed.
      await db.schema
        .createTable("log_identity")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("log_id", "text", (c) => c.notNull())
        .execute();
      await db
        .insertInto("log_identity" as never)
        .values({ id: 1, log_id: randomUUID() } as never)
        .execute();
    },
  },
  "0007_photo_uploads": {
    async up(db: Kysely<unknown>) {
      // The daily photo allowance counts uploads here rather than in photo_uploads, whose rows go
      // when a message is deleted or an unsent upload expires: neither may give the allowance back.
      await db.schema
        .createTable("photo_upload_quota")
        .addColumn("family_link_id", "text", (c) => c.notNull().references("family_links.id").onDelete("cascade"))
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("uploaded_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("photo_upload_quota_link")
        .on("photo_upload_quota")
        .columns(["family_link_id", "uploaded_at"])
        .execute();
      await db
        .insertInto("photo_upload_quota" as never)
        .columns(["family_link_id", "resident_id", "uploaded_at"] as never)
        .expression(
          db.selectFrom("photo_uploads" as never).select(["family_link_id", "resident_id", "uploaded_at"] as never) as never,
        )
        .execute();
    },
  },
  "0010_family_relationship": {
    async up(db: Kysely<unknown>) {
      // How the resident knows the person ("daughter"), apart from their name. Links made before
      // keep null: their label may say it already ("Sarah (daughter)"), and guessing a relationship
      // out of a label would put words on the tablet that staff never wrote.
      await db.schema.alterTable("family_links").addColumn("relationship", "text").execute();
      // Kept with each message, as its sender name is: a tablet shows what was true when it was sent.
      await db.schema.alterTable("messages").addColumn("sender_relationship", "text").execute();
    },
  },
  "0011_device_battery": {
    async up(db: Kysely<unknown>) {
      // The tablet's last Battery Status API reading (0 to 1, and 1 when charging); null where its
      // browser has no such API.
      await db.schema.alterTable("devices").addColumn("battery_level", double(db)).execute();
      await db.schema.alterTable("devices").addColumn("battery_charging", "integer").execute();
    },
  },
  "0012_limit_counters": {
    async up(db: Kysely<unknown>) {
      // Wrong-guess and sign-in budgets, in the database so that every relay instance counts the
      // same tries. A counter is gone once it has fully recovered (expires_at), so rows stay few.
      await db.schema
        .createTable("limit_counters")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("limit_counters_expiry").on("limit_counters").column("expires_at").execute();
    },
  },
  "0013_text_compared_by_bytes": {
    async up(db: Kysely<unknown>) {
      // SQLite compares text by its bytes; PostgreSQL by the database's collation, which the
      // operator chose (en_US.UTF-8 sorts "alice" before "Bob" and ignores punctuation at first).
      // Every text column gets the C collation, so names sort, and ids, keys and times compare,
      // alike on both engines whatever the database was created with. Nothing to do on SQLite.
      if (!isPostgres(db)) return;
      const { rows } = await sql<{ table_name: string; column_name: string }>`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND data_type = 'text' AND table_name NOT LIKE 'kysely%'
          AND collation_name IS DISTINCT FROM 'C'
        ORDER BY table_name, ordinal_position`.execute(db);
      const byTable = new Map<string, string[]>();
      for (const r of rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
      for (const [table, columns] of byTable) {
        const changes = columns.map((c) => sql`ALTER COLUMN ${sql.ref(c)} TYPE text COLLATE "C"`);
        await sql`ALTER TABLE ${sql.table(table)} ${sql.join(changes)}`.execute(db);
      }
    },
  },
  "0014_head_notices": {
    async up(db: Kysely<unknown>) {
      // Every relay instance keeps each resident's log head and settings in memory to answer
      // "nothing new" (db/pull-heads.ts). A change to a resident's row (every log entry moves
      // last_seq; settings, archive, erasure) or to the log's identity is told to every instance
      // at the commit that makes it, whichever instance, tool or person wrote it: a notice sent in
      // the writing transaction cannot be lost between the commit and a later statement. The
      // lock updates that change nothing (stores/locks.ts) tell nothing. SQLite, one process, uses
      // triggers of the connection's own (sqlite-heads.ts).
      if (!isPostgres(db)) return;
      await sql`
        CREATE FUNCTION letterbox_head_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_TABLE_NAME = 'log_identity' OR TG_OP = 'TRUNCATE' THEN
            PERFORM pg_notify('letterbox_heads', '*');
          ELSIF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('letterbox_heads', OLD.id);
          ELSE
            PERFORM pg_notify('letterbox_heads', NEW.id);
          END IF;
          RETURN NULL;
        END $$`.execute(db);
      await sql`CREATE TRIGGER residents_head_written AFTER INSERT OR DELETE ON residents
        FOR EACH ROW EXECUTE FUNCTION letterbox_head_changed()`.execute(db);
      await sql`CREATE TRIGGER residents_head_changed AFTER UPDATE ON residents
        FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION letterbox_head_changed()`.execute(db);
      await sql`CREATE TRIGGER log_identity_changed AFTER UPDATE ON log_identity
        FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION letterbox_head_changed()`.execute(db);
      await sql`CREATE TRIGGER residents_truncated AFTER TRUNCATE ON residents
        FOR EACH STATEMENT EXECUTE FUNCTION letterbox_head_changed()`.execute(db);
    },
  },
};

/** Every migration the relay knows, its own and its modules' (push). */
export const allMigrations: Readonly<Record<string, Migration>> = { ...migrations, ...pushMigrations };

export function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  return runMigrations(db, allMigrations);
}

/**
 * Runs what has not run yet, all in one transaction: a failure, or the process being killed, leaves
 * the database as it was (SQLite through db/sqlite.ts's dialect, PostgreSQL by itself). On
 * PostgreSQL, relays starting together take turns through Kysely's advisory lock: the first
 * migrates, the others wait and then find nothing left to do.
 */
export async function runMigrations(db: Kysely<unknown>, list: Readonly<Record<string, Migration>>): Promise<void> {
  if (!isPostgres(db)) return migrate(db, list);
  // Waiting for another relay's migration, or a migration over a large table, may outlast the
  // statement timeout that guards the relay's queries; the relay does not serve until it is done.
  return db.connection().execute((connection) => withoutStatementTimeout(connection, () => migrate(connection, list)));
}

async function migrate(db: Kysely<unknown>, list: Readonly<Record<string, Migration>>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => ({ ...list }) };
  // Modules add migrations of their own (push); a database may have run a later-numbered one first.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    // The cause goes into the message too: the operator reads the first line, and "failed" alone
    // does not say what to do.
    const reason = error instanceof Error ? error.message : error === undefined ? "" : String(error);
    const what = failed ? `Database migration ${failed.migrationName} failed` : "Database migrations could not run";
    throw new Error(`${what}${reason ? `: ${reason}` : ""}. No migration was applied.`, { cause: error });
  }
}
