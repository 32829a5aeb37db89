import { useEffect, useRef, useState } from "react";
import type { StoredMessage, StoredPhoto } from "../db/db";
import { shortName } from "./names";
import { PhotoImage } from "./PhotoImage";
import { useWords } from "./words";

/** One photo filling the screen, with its caption. A tap anywhere on it goes back. */
export default function PhotoViewer({
  message,
  stored,
  start,
  onClose,
}: {
  message: StoredMessage;
  stored: (StoredPhoto | undefined)[];
  start: number;
  onClose: () => void;
}) {
  const t = useWords();
  const [index, setIndex] = useState(start);
  const back = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(typeof document === "undefined" ? null : document.activeElement);
  const photos = message.photos;
  const photo = photos[index];
  const count = photos.length;

  useEffect(() => {
    back.current?.focus();
    const returnTo = opener.current;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (returnTo instanceof HTMLElement) returnTo.focus();
    };
  }, [onClose]);

  if (!photo) return null;
  const alt = t.photoAlt(index + 1, count, shortName(message.senderName));
  return (
    <div className="viewer" role="dialog" aria-modal="true" aria-label={alt}>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the "Back to the message" button does the same for keys. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: tapping the photo itself is the gesture people try first. */}
      <div className="viewer-photo" onClick={onClose}>
        <PhotoImage
          key={photo.id}
          id={photo.id}
          stored={stored[index]}
          alt={alt}
          width={photo.width}
          height={photo.height}
          className="viewer-image"
        />
      </div>
      {photo.caption && <p className="viewer-caption">{photo.caption}</p>}
      <div className="viewer-actions">
        {count > 1 && (
          <button type="button" onClick={() => setIndex((index - 1 + count) % count)}>
            <span aria-hidden="true">◀ </span>
            {t.previousPhoto}
          </button>
        )}
        <button type="button" ref={back} className="viewer-back" onClick={onClose}>
          {t.backToMessage}
        </button>
        {count > 1 && (
          <button type="button" onClick={() => setIndex((index + 1) % count)}>
            {t.nextPhoto}
            <span aria-hidden="true"> ▶</span>
          </button>
        )}
      </div>
    </div>
  );
}
