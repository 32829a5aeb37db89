import { useLiveQuery } from "dexie-react-hooks";
import { db } from "../db/db";
import { useNow } from "../kit/use-now";
import { clockTime, dayAndDate } from "../kit/when";
import { useWords } from "./words";

/** Always on top: the time, the day and the date in words, and a gentle count of what is new. */
export function ClockBar({ showUnread = false }: { showUnread?: boolean }) {
  const t = useWords();
  const now = useNow();
  const unread = useLiveQuery(() => (showUnread ? db.messages.where("unreadSeq").above(0).count() : 0), [showUnread]) ?? 0;
  return (
    <header className="clock-bar">
      <time className="clock-time" dateTime={now.toISOString()}>
        {clockTime(now)}
      </time>
      <span className="clock-date">{dayAndDate(now, t)}</span>
      {unread > 0 && <p className="unread-pill">{t.newMessages(unread)}</p>}
    </header>
  );
}
