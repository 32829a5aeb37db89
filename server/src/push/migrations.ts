import type { Migration } from "kysely";

/** The push module's numbered migrations, run with the rest (db/migrations.ts). */
export const pushMigrations: Record<string, Migration> = {};
