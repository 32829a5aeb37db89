import { lazy, Suspense, useEffect, useRef, useState } from "react";
import type { StoredMessage } from "../db/db";
import { useNow } from "../kit/use-now";
import { sentInWords } from "../kit/when";
import { MessageText } from "./MessageText";
import { OfflineNote } from "./OfflineNote";
import { PhotoGrid } from "./PhotoGrid";
import { Replies } from "./Replies";
import type { ScreenModel } from "./screen-model";
import { canSpeak, speak } from "./speech";
import { useWords } from "./words";

// Full screen is a tap away, not part of the first screen: its code loads on demand (and is warmed
// once the first message is up).
const loadViewer = () => import("./PhotoViewer");
const PhotoViewer = lazy(loadViewer);

type Props = {
  model: ScreenModel & { message: StoredMessage };
  replyOptions: string[];
  onMove: (messageId: string) => void;
};

/** A clear sideways swipe over the message moves like the buttons; the buttons are all that is ever needed. */
const SWIPE_PX = 120;

function useSwipe(onLeft: () => void, onRight: () => void) {
  const start = useRef<{ x: number; y: number } | null>(null);
  const swiped = useRef(false);
  return {
    onPointerDown: (e: React.PointerEvent) => {
      start.current = { x: e.clientX, y: e.clientY };
      swiped.current = false;
    },
    onPointerUp: (e: React.PointerEvent) => {
      const from = start.current;
      start.current = null;
      if (!from) return;
      const dx = e.clientX - from.x;
      const dy = e.clientY - from.y;
      if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < 2 * Math.abs(dy)) return;
      swiped.current = true;
      if (dx < 0) onLeft();
      else onRight();
    },
    onPointerCancel: () => {
      start.current = null;
    },
    // A swipe that ends on a photo must not also open it.
    onClickCapture: (e: React.MouseEvent) => {
      if (!swiped.current) return;
      swiped.current = false;
      e.stopPropagation();
      e.preventDefault();
    },
  };
}

/** Drawn, not an emoji: tablets without an emoji font would show an empty box. */
function SpeakerIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M3 9v6h4l5 4V5L7 9H3z" fill="currentColor" />
      <path
        d="M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function MessageView({ model, replyOptions, onMove }: Props) {
  const t = useWords();
  const now = useNow();
  const { message } = model;
  const [viewing, setViewing] = useState<number | null>(null);
  const [reading, setReading] = useState(false);
  const stopReading = useRef<() => void>(() => {});

  // Moving to another message closes the photo and stops the voice.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on a new message only.
  useEffect(() => {
    setViewing(null);
    return () => stopReading.current();
  }, [message.id]);

  useEffect(() => {
    const idle = (globalThis as { requestIdleCallback?: (f: () => void) => void }).requestIdleCallback ?? setTimeout;
    idle(() => void loadViewer());
  }, []);

  const hasPhotos = message.photos.length > 0;
  const spoken = [t.from(message.senderName, message.senderRelationship), message.text, ...message.photos.map((p) => p.caption)]
    .filter(Boolean)
    .join(". ");
  const toggleReading = () => {
    if (reading) {
      stopReading.current();
      return;
    }
    setReading(true);
    stopReading.current = speak(spoken, t.lang, () => setReading(false));
  };
  const replied = model.replies.map((r) => r.text);
  const swipe = useSwipe(
    () => model.laterId && onMove(model.laterId),
    () => model.earlierId && onMove(model.earlierId),
  );

  return (
    <main className={`messages${hasPhotos ? " with-photos" : ""}${message.text ? "" : " photos-only"}`}>
      <OfflineNote />
      <article className="message" aria-labelledby="message-from" {...swipe}>
        {hasPhotos && <PhotoGrid message={message} stored={model.photos} onOpen={setViewing} />}
        <div className="message-body">
          <h1 id="message-from" className="message-from">
            {t.from(message.senderName, message.senderRelationship)}
          </h1>
          <p className="message-when">{sentInWords(new Date(message.sentAt), now, t)}</p>
          {replied.length > 0 && (
            <p className="message-replied">
              <span aria-hidden="true">✓ </span>
              {t.youReplied(replied.join(" · "))}
            </p>
          )}
          {message.text && <MessageText key={message.id} text={message.text} />}
        </div>
      </article>
      {/* Across the screen under the message, not in the text's column: there they took the rows
          the text needed at the larger text sizes. */}
      <Replies message={message} options={replyOptions} replied={replied} />
      <div className="message-actions">
        <nav className="message-nav" aria-label={t.messageCount(model.position, model.total)}>
          <button
            type="button"
            className="nav-earlier"
            onClick={() => model.earlierId && onMove(model.earlierId)}
            disabled={!model.earlierId}
          >
            <span aria-hidden="true">◀ </span>
            {t.earlier}
          </button>
          <button
            type="button"
            className="nav-later"
            onClick={() => model.laterId && onMove(model.laterId)}
            disabled={!model.laterId}
          >
            {t.later}
            <span aria-hidden="true"> ▶</span>
          </button>
        </nav>
        {canSpeak() && (
          <button type="button" className="read-aloud" onClick={toggleReading} aria-pressed={reading}>
            <SpeakerIcon />
            {reading ? t.stopReading : t.readToMe}
          </button>
        )}
      </div>
      {viewing !== null && (
        <Suspense fallback={null}>
          <PhotoViewer message={message} stored={model.photos} start={viewing} onClose={() => setViewing(null)} />
        </Suspense>
      )}
    </main>
  );
}
