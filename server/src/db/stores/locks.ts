import type { Transaction } from "kysely";
import type { Database } from "../schema";

/**
 * Row locks that make a check-then-write safe when several relay instances (or pooled connections)
 * write at once. Each is an update that changes nothing: on PostgreSQL it takes the row's lock until
 * the commit, so a second transaction asking for the same lock waits and then reads what the first
 * wrote (READ COMMITTED takes a fresh snapshot per statement); on SQLite it takes the database's
 * write lock, which one writer holds at a time anyway. Portable, with no dialect SQL.
 *
 * Take the lock FIRST in the transaction, before the read it protects, and several of one kind
 * in a fixed order (lockResidentLogs sorts), so two transactions cannot deadlock.
 */

/** The resident's log: its sequence numbers and every entry appended under them. */
export async function lockResidentLog(tx: Transaction<Database>, residentId: string): Promise<void> {
  await tx
    .updateTable("residents")
    .set((eb) => ({ last_seq: eb.ref("last_seq") }))
    .where("id", "=", residentId)
    .execute();
}

/** Several residents' logs, in one order whoever asks. */
export async function lockResidentLogs(tx: Transaction<Database>, residentIds: Iterable<string>): Promise<void> {
  for (const id of [...new Set(residentIds)].sort()) await lockResidentLog(tx, id);
}

/**
 * What happens once per database (the first staff account, its set-up link): the singleton
 * log_identity row, which migration 0006 makes with every database and nothing deletes.
 */
export async function lockDatabaseWide(tx: Transaction<Database>): Promise<void> {
  await tx
    .updateTable("log_identity")
    .set((eb) => ({ log_id: eb.ref("log_id") }))
    .where("id", "=", 1)
    .execute();
}

/** A tablet: its push subscription. */
export async function lockDevice(tx: Transaction<Database>, deviceId: string): Promise<void> {
  await tx
    .updateTable("devices")
    .set((eb) => ({ last_seen_at: eb.ref("last_seen_at") }))
    .where("id", "=", deviceId)
    .execute();
}

/** A family link: its push subscription. */
export async function lockFamilyLink(tx: Transaction<Database>, familyLinkId: string): Promise<void> {
  await tx
    .updateTable("family_links")
    .set((eb) => ({ last_used_at: eb.ref("last_used_at") }))
    .where("id", "=", familyLinkId)
    .execute();
}
