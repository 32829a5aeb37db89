import { useEffect, useState } from "react";
import { db, type StoredPhoto } from "../db/db";
import { wantPhotoAgain } from "./photo-store";
import { useSyncHandle } from "./use-sync";
import { useWords } from "./words";

/** An object URL for a Blob, revoked when it is no longer shown. */
function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(blob);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return url;
}

/**
 * One photo from IndexedDB. Until its image is here (or when it was dropped to save space and is
 * being fetched again) a calm placeholder keeps its place; nothing says "error".
 */
export function PhotoImage({
  id,
  stored,
  alt,
  width,
  height,
  className,
}: {
  id: string;
  stored: StoredPhoto | undefined;
  alt: string;
  width: number;
  height: number;
  className?: string;
}) {
  const t = useWords();
  const { syncSoon } = useSyncHandle();
  const url = useObjectUrl(stored?.status === "stored" ? stored.blob : undefined);
  const evicted = stored?.status === "evicted";
  useEffect(() => {
    if (evicted) void wantPhotoAgain(db, id).then((wanted) => wanted && syncSoon());
  }, [evicted, id, syncSoon]);
  if (!url) {
    return (
      <div className={`photo-waiting ${className ?? ""}`} style={{ aspectRatio: `${width} / ${height}` }}>
        <span>{t.photoComing}</span>
      </div>
    );
  }
  return <img className={className} src={url} alt={alt} width={width} height={height} draggable={false} />;
}
