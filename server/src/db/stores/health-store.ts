import { type Kysely, type Migration, Migrator, sql } from "kysely";
import { allMigrations } from "../migrations";
import type { Database } from "../schema";

/** What the readiness check (services/readiness.ts) asks of the database. */
export interface HealthStore {
  /** Resolves when the database answers a query; throws when it cannot be reached. */
  ping(): Promise<void>;
  /** The migrations this relay knows that the database has not run, by name. */
  pendingMigrations(): Promise<string[]>;
}

export class KyselyHealthStore implements HealthStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly migrations: Readonly<Record<string, Migration>> = allMigrations,
  ) {}

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async pendingMigrations(): Promise<string[]> {
    // Kysely's own reading of its migration table, as runMigrations uses it; it takes no lock.
    const migrations = { ...this.migrations };
    const migrator = new Migrator({
      db: this.db as Kysely<unknown>,
      provider: { getMigrations: async () => migrations },
      allowUnorderedMigrations: true,
    });
    return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
  }
}
