import { useLiveQuery } from "dexie-react-hooks";
import { db } from "../db/db";
import { useNow } from "../kit/use-now";
import { sinceInWords } from "../kit/when";
import { useSyncHandle } from "./use-sync";
import { useWords } from "./words";

/** Offline is normal for a tablet: said calmly, once, never as an error. */
export function OfflineNote() {
  const t = useWords();
  const { connection } = useSyncHandle();
  const now = useNow();
  const lastSyncedAt = useLiveQuery(async () => (await db.state.get("tablet"))?.lastSyncedAt ?? null);
  if (connection !== "offline") return null;
  return (
    <p className="offline-note" role="status">
      {t.savedOnly}
      {lastSyncedAt ? ` — ${t.lastUpdated(sinceInWords(new Date(lastSyncedAt), now, t))}` : ""}
    </p>
  );
}
