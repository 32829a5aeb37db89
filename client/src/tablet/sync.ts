import type { SyncPage } from "@letterbox/shared";
import type { LetterboxDb, TabletState } from "../db/db";

/** How the sync engine reaches the relay; a plain function so the service worker and tests can supply their own. */
export type PullLog = (deviceToken: string, after: number) => Promise<SyncPage>;

/** Pages are pulled until the relay says there is no more, so a tablet back after a week catches up in one go. */
const MAX_PAGES_PER_SYNC = 100;

/**
 * Applies one page of log entries. Idempotent: an entry at or below the cursor, or one seen
 * before, changes nothing, so retries, duplicates and reordered pages are harmless.
 */
export async function applyPage(db: LetterboxDb, page: SyncPage): Promise<number> {
  return db.transaction("rw", db.messages, db.state, async () => {
    const state = await db.state.get("tablet");
    if (!state) return 0;
    const fresh = page.entries.filter((e) => e.seq > state.cursor);
    for (const entry of fresh) {
      if (entry.kind === "message") await db.messages.put({ ...entry.message, seq: entry.seq });
    }
    const cursor = Math.max(state.cursor, page.cursor);
    await db.state.update("tablet", { cursor });
    return fresh.length;
  });
}

/** Pulls everything after the stored cursor and applies it. Returns how many entries were new. */
export async function syncNow(db: LetterboxDb, pull: PullLog, now: () => Date = () => new Date()): Promise<number> {
  let applied = 0;
  for (let i = 0; i < MAX_PAGES_PER_SYNC; i++) {
    const state: TabletState | undefined = await db.state.get("tablet");
    if (!state) return applied;
    const page = await pull(state.deviceToken, state.cursor);
    applied += await applyPage(db, page);
    if (!page.hasMore) break;
  }
  await db.state.update("tablet", { lastSyncedAt: now().toISOString() });
  return applied;
}
