import type { Photo } from "@letterbox/shared";
import { useEffect, useState } from "react";
import { thumbnailUrl } from "./relay";

/** Thumbnails are content-addressed, so one fetched is good for the life of the page. */
const thumbnails = new Map<string, Promise<string>>();

function thumbnail(token: string, id: string): Promise<string> {
  let url = thumbnails.get(id);
  if (!url) {
    url = thumbnailUrl(token, id);
    thumbnails.set(id, url);
    url.catch(() => thumbnails.delete(id)); // not there yet, or no signal: the next render asks again
  }
  return url;
}

/** An object URL for a Blob, released when no longer shown. */
export function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return;
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made);
      setUrl(null);
    };
  }, [blob]);
  return url;
}

/** One picture: keeps its shape while it loads so the conversation does not jump. */
export function Picture({ src, alt, width, height }: { src: string | null; alt: string; width?: number; height?: number }) {
  const style = width && height ? { aspectRatio: `${width} / ${height}` } : undefined;
  if (!src) return <span className="picture loading" role="img" aria-label={alt} style={style} />;
  return <img className="picture" src={src} alt={alt} style={style} />;
}

/** A sent message's photos from the relay (thumbnails), each with its caption. */
export function SentPhotos({
  token,
  photos,
  altFor,
}: {
  token: string;
  photos: Photo[];
  altFor: (n: number, of: number) => string;
}) {
  return (
    <ul className={`photos photos-${Math.min(photos.length, 2)}`}>
      {photos.map((photo, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the same photo (same content, same id) may be in a message twice.
        <li key={`${photo.id}-${i}`}>
          <figure>
            <RelayPicture token={token} photo={photo} alt={altFor(i + 1, photos.length)} />
            {photo.caption && <figcaption>{photo.caption}</figcaption>}
          </figure>
        </li>
      ))}
    </ul>
  );
}

function RelayPicture({ token, photo, alt }: { token: string; photo: Photo; alt: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    thumbnail(token, photo.id).then(
      (url) => live && setSrc(url),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [token, photo.id]);
  return <Picture src={src} alt={alt} width={photo.width} height={photo.height} />;
}

/** A photo still on this phone (in the outbox or the composer). */
export function LocalPicture({ blob, alt }: { blob: Blob; alt: string }) {
  const src = useObjectUrl(blob);
  return <Picture src={src} alt={alt} />;
}
