import { useLiveQuery } from "dexie-react-hooks";
import { useEffect, useState } from "react";
import { db } from "../db/db";
import { tabletText as t } from "../i18n/tablet-en-GB";
import { useNow } from "../kit/use-now";
import { clockTime, sentInWords } from "../kit/when";
import type { Connection } from "./use-sync";

/** One message at a time, full screen, with big Earlier / Later buttons. */
export function MessageScreen({ connection, lastSyncedAt }: { connection: Connection; lastSyncedAt: string | null }) {
  const messages = useLiveQuery(() => db.messages.orderBy("seq").toArray(), []);
  const now = useNow(60_000);
  const [index, setIndex] = useState<number | null>(null);
  const count = messages?.length ?? 0;

  // A new message opens itself: when the list grows, show the newest.
  useEffect(() => {
    if (count > 0) setIndex(count - 1);
  }, [count]);

  const shown = index === null ? undefined : messages?.[Math.min(index, count - 1)];
  const position = shown && messages ? messages.indexOf(shown) : -1;

  return (
    <main className="messages">
      {connection === "offline" && (
        <p className="offline-note" role="status">
          {t.savedOnly}
          {lastSyncedAt ? ` — ${t.lastUpdated(clockTime(new Date(lastSyncedAt)))}` : ""}
        </p>
      )}
      {messages && count === 0 && (
        <section className="empty">
          <h1>{t.emptyTitle}</h1>
          <p>{t.emptyBody}</p>
        </section>
      )}
      {shown && (
        <article className="message" aria-label={t.messageCount(position + 1, count)}>
          <h1 className="message-from">{t.from(shown.senderName)}</h1>
          <p className="message-when">{sentInWords(new Date(shown.sentAt), now)}</p>
          <p className="message-text">{shown.text}</p>
        </article>
      )}
      {count > 1 && (
        <nav className="message-nav" aria-label={t.messageCount(position + 1, count)}>
          <button type="button" onClick={() => setIndex(position - 1)} disabled={position <= 0}>
            <span aria-hidden="true">◀ </span>
            {t.earlier}
          </button>
          <button type="button" onClick={() => setIndex(position + 1)} disabled={position >= count - 1}>
            {t.later}
            <span aria-hidden="true"> ▶</span>
          </button>
        </nav>
      )}
    </main>
  );
}
