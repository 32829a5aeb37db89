import { useLiveQuery } from "dexie-react-hooks";
import { db } from "../db/db";
import { clockTime, nightDate } from "../kit/when";
import { useWords } from "./words";

/** Quiet hours: a dim clock, no chime. Messages still arrive and wait for the morning. */
export function NightClock({ now, onShow }: { now: Date; onShow: () => void }) {
  const t = useWords();
  const counts = useLiveQuery(async () => ({
    unread: await db.messages.where("unreadSeq").above(0).count(),
    total: await db.messages.count(),
  }));
  return (
    <main className="night">
      <h1 className="night-time">
        <time dateTime={now.toISOString()}>{clockTime(now)}</time>
      </h1>
      <p className="night-date">{nightDate(now, t)}</p>
      {Boolean(counts?.unread) && <p className="night-waiting">{t.nightWaiting(counts?.unread ?? 0)}</p>}
      {Boolean(counts?.total) && (
        <button type="button" className="night-show" onClick={onShow}>
          {t.showMessages}
        </button>
      )}
    </main>
  );
}
