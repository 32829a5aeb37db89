import { type Kysely, type Migration, sql } from "kysely";

/** The push module's numbered migrations, run with the rest (db/migrations.ts). */
export const pushMigrations: Record<string, Migration> = {
  "0003_push": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("push_vapid_keys")
        .addColumn("id", "integer", (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn("public_key", "text", (c) => c.notNull())
        .addColumn("private_key", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("push_subscriptions")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("endpoint", "text", (c) => c.notNull().unique())
        .addColumn("p256dh", "text", (c) => c.notNull())
        .addColumn("auth", "text", (c) => c.notNull())
        // The owner's resident, so that a new message finds its tablets' subscriptions by index.
        .addColumn("resident_id", "text", (c) => c.notNull().references("residents.id").onDelete("cascade"))
        .addColumn("device_id", "text", (c) => c.references("devices.id").onDelete("cascade"))
        .addColumn("family_link_id", "text", (c) => c.references("family_links.id").onDelete("cascade"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("failing_since", "text")
        .addColumn("last_error", "text")
        .addCheckConstraint("push_subscriptions_one_owner", sql`(device_id IS NULL) <> (family_link_id IS NULL)`)
        .execute();
      // One subscription per tablet and per family link: subscribing again replaces it.
      await db.schema.createIndex("push_subscriptions_device").on("push_subscriptions").column("device_id").unique().execute();
      await db.schema
        .createIndex("push_subscriptions_family_link")
        .on("push_subscriptions")
        .column("family_link_id")
        .unique()
        .execute();
      await db.schema.createIndex("push_subscriptions_resident").on("push_subscriptions").column("resident_id").execute();
      await db.schema
        .createTable("push_device_states")
        .addColumn("device_id", "text", (c) => c.primaryKey().references("devices.id").onDelete("cascade"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  },
  /**
   * A tablet's push state in one place: how sending to it fails moves from its subscription row
   * (which a 404/410 deletes, taking the failure with it) to push_device_states, next to what the
   * tablet said. The copy the tablet's status report kept in devices.push_state goes: staff read
   * push state from here alone.
   */
  "0009_push_state": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("push_device_states").addColumn("failing_since", "text").execute();
      await db.schema.alterTable("push_device_states").addColumn("problem", "text").execute();
      await sql`
        UPDATE push_device_states SET
          failing_since = s.failing_since,
          problem = CASE
            WHEN s.last_error IN ('http_401', 'http_403') THEN 'refused_key'
            WHEN s.last_error = 'http_429' THEN 'rate_limited'
            WHEN s.last_error LIKE 'http_5__' THEN 'service_error'
            WHEN s.last_error LIKE 'http_4__' THEN 'refused_push'
            ELSE 'unreachable'
          END
        FROM push_subscriptions AS s
        WHERE s.device_id = push_device_states.device_id AND s.failing_since IS NOT NULL`.execute(db);
      await sql`UPDATE push_device_states SET failing_since = updated_at, problem = 'gone' WHERE state = 'expired'`.execute(db);
      await sql`UPDATE push_subscriptions SET failing_since = NULL, last_error = NULL WHERE device_id IS NOT NULL`.execute(db);
      await db.schema.alterTable("devices").dropColumn("push_state").execute();
    },
  },
};
