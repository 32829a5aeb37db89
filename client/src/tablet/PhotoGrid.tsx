import type { StoredMessage, StoredPhoto } from "../db/db";
import { shortName } from "./names";
import { PhotoImage } from "./PhotoImage";
import { useWords } from "./words";

/** Up to four photos large on the message; more than four show three and a tile to see the rest. */
const MOST_SHOWN = 4;

export function PhotoGrid({
  message,
  stored,
  onOpen,
}: {
  message: StoredMessage;
  stored: (StoredPhoto | undefined)[];
  onOpen: (index: number) => void;
}) {
  const t = useWords();
  const photos = message.photos;
  const shown = photos.length > MOST_SHOWN ? photos.slice(0, MOST_SHOWN - 1) : photos;
  const rest = photos.length - shown.length;
  const name = shortName(message.senderName);
  return (
    <div className={`photos photos-${Math.min(photos.length, MOST_SHOWN)}`}>
      {shown.map((photo, i) => {
        const alt = t.photoAlt(i + 1, photos.length, name);
        return (
          <figure key={photo.id} className="photo">
            <button type="button" className="photo-button" onClick={() => onOpen(i)} aria-label={`${alt}. ${t.showLarge}`}>
              <PhotoImage
                id={photo.id}
                stored={stored[i]}
                alt={alt}
                width={photo.width}
                height={photo.height}
                className="photo-image"
              />
            </button>
            {photo.caption && <figcaption className="photo-caption">{photo.caption}</figcaption>}
          </figure>
        );
      })}
      {rest > 0 && (
        <button type="button" className="photo-more" onClick={() => onOpen(shown.length)}>
          {t.morePhotos(rest)}
        </button>
      )}
    </div>
  );
}
