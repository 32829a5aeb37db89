import type { ResidentSettings } from "@letterbox/shared";
import { useLiveQuery } from "dexie-react-hooks";
import { useEffect, useRef, useState } from "react";
import { db } from "../db/db";
import { idleFor } from "./activity";
import { MessageView } from "./MessageView";
import { OfflineNote } from "./OfflineNote";
import { markSeen } from "./receipts";
import { readScreen, type ScreenModel } from "./screen-model";
import { useSyncHandle } from "./use-sync";
import { useWords } from "./words";

/** On screen this long, a message counts as seen. */
export const SEEN_AFTER_MS = 4_000;
/** Left alone this long, the screen goes back to what is new (or the newest). */
const IDLE_RETURN_MS = 5 * 60_000;

/**
 * One message at a time. It starts on the oldest unread message; a message being read stays put
 * until it has been seen, and a new one opens itself only then (or when the resident is looking at
 * an older one). After a while untouched, the screen returns to what is new.
 */
export function MessageScreen({
  settings,
  initial,
  looking = true,
}: {
  settings: ResidentSettings | null;
  initial?: ScreenModel;
  /** False while something covers the message (the staff corner): it is not being seen then. */
  looking?: boolean;
}) {
  const t = useWords();
  const { syncSoon } = useSyncHandle();
  const [wanted, setWanted] = useState<string | null>(null);
  // The answer carries the question: while a new one is read, the hook still holds the last answer.
  const live = useLiveQuery(
    async () => ({ asked: wanted, model: await readScreen(db, wanted) }),
    [wanted],
    initial && { asked: null, model: initial },
  );
  const model: ScreenModel | undefined = live?.model;
  const message = model?.message ?? null;
  const unseen = message?.unreadSeq !== undefined;

  // Hold on to the message shown, so that it does not change under the resident when it is seen;
  // if it has been taken back, hold on to whatever shows instead.
  useEffect(() => {
    if (!live || live.asked !== wanted) return;
    const shown = live.model.message?.id ?? null;
    if (shown !== wanted) setWanted(shown);
  }, [live, wanted]);

  // A new message opens itself, unless the one on screen has not been seen yet.
  const newest = model?.newestUnreadSeq;
  const knownNewest = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (newest === undefined) return;
    const before = knownNewest.current;
    knownNewest.current = newest;
    if (before !== undefined && newest > before && !unseen && model?.oldestUnreadId) setWanted(model.oldestUnreadId);
  }, [newest, unseen, model?.oldestUnreadId]);

  // Seen: on screen for a few seconds while the page is visible.
  const visible = usePageVisible();
  const messageId = message?.id;
  useEffect(() => {
    if (!messageId || !unseen || !visible || !looking) return;
    const timer = setTimeout(() => {
      void markSeen(db, messageId).then((changed) => changed && syncSoon());
    }, SEEN_AFTER_MS);
    return () => clearTimeout(timer);
  }, [messageId, unseen, visible, looking, syncSoon]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (idleFor(IDLE_RETURN_MS) && !unseen) setWanted(null);
    }, 30_000);
    return () => clearInterval(timer);
  }, [unseen]);

  if (!model) return <main className="messages" />;
  if (!model.message) {
    return (
      <main className="messages empty">
        <OfflineNote />
        <svg className="empty-picture" viewBox="0 0 120 90" aria-hidden="true" focusable="false">
          <rect x="6" y="10" width="108" height="72" rx="10" fill="#f6d55c" stroke="#1a1a1a" strokeWidth="4" />
          <path d="M10 16 60 54 110 16" fill="none" stroke="#1a1a1a" strokeWidth="4" strokeLinejoin="round" />
          <path d="M60 40c-6-9-18-4-12 5l12 11 12-11c6-9-6-14-12-5z" fill="#c8553f" />
        </svg>
        <h1>{t.emptyTitle}</h1>
        <p>{t.emptyBody}</p>
      </main>
    );
  }
  return (
    <MessageView
      model={{ ...model, message: model.message }}
      replyOptions={settings?.replyOptions ?? []}
      onMove={(id) => setWanted(id)}
    />
  );
}

function usePageVisible() {
  const [visible, setVisible] = useState(() => document.visibilityState === "visible");
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  return visible;
}
