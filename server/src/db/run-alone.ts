import { type Kysely, sql } from "kysely";
import type { DatabaseConfig } from "../config";
import type { Database } from "./schema";

/**
 * Runs a periodic job (daily retention, say) unless another relay instance on the same database is
 * running the job of that name right now, in which case it answers "busy" and does nothing: the
 * job runs on one instance at a time. PostgreSQL's session advisory lock is held on one pooled
 * connection for the job's length and goes with that connection if the instance dies. On SQLite
 * there is one relay per database file, so the job just runs.
 */
export async function runAlone(
  db: Kysely<Database>,
  engine: DatabaseConfig["engine"],
  name: string,
  job: () => Promise<unknown>,
): Promise<"ran" | "busy"> {
  if (engine === "sqlite") {
    await job();
    return "ran";
  }
  return db.connection().execute(async (connection) => {
    const lock = sql`hashtext(${`letterbox:${name}`})`;
    const { rows } = await sql<{ got: boolean }>`SELECT pg_try_advisory_lock(${lock}) AS got`.execute(connection);
    if (!rows[0]?.got) return "busy";
    try {
      await job();
      return "ran";
    } finally {
      await sql`SELECT pg_advisory_unlock(${lock})`.execute(connection);
    }
  });
}
