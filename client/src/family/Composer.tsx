import type { LIMITS } from "@letterbox/shared";
import { type FormEvent, useId, useRef, useState } from "react";
import { LocalPicture } from "./Photos";
import { shrinkPhoto } from "./shrink";
import { useStickToFoot } from "./stick-to-foot";
import type { FamilyText } from "./text";
import { outbox } from "./use-outbox";

// The contract's limits, checked against it by the type checker (a runtime import would bring zod).
const PHOTOS_MAX: (typeof LIMITS)["photosPerMessageMax"] = 10;
const TEXT_MAX: (typeof LIMITS)["messageTextMax"] = 2000;
const CAPTION_MAX: (typeof LIMITS)["captionMax"] = 200;

type DraftPhoto = {
  key: number;
  /** Shrinking starts the moment a photo is chosen, so it is usually done before Send is pressed. */
  ready: Promise<Blob>;
  shrunk: Blob | null;
  caption: string;
};

/**
 * Text and up to ten photos, each with an optional caption. Pressing Send puts the message in the
 * outbox on this phone at once; it goes from there, now or when there is signal.
 */
export function Composer({
  t,
  name,
  token,
  online,
  onQueued,
}: {
  t: FamilyText;
  name: string;
  token: string;
  online: boolean;
  onQueued: () => void;
}) {
  const [text, setText] = useState("");
  const [photos, setPhotos] = useState<DraftPhoto[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [queued, setQueued] = useState(false);
  const [preparing, setPreparing] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const nextKey = useRef(0);
  const ids = useId();
  const form = useRef<HTMLFormElement>(null);
  const sticks = useStickToFoot(form);

  function choose(files: FileList | null) {
    if (!files) return;
    const room = PHOTOS_MAX - photos.length;
    const chosen = [...files].slice(0, Math.max(0, room));
    setNote(files.length > room ? t.tooManyPhotos(PHOTOS_MAX) : null);
    setProblem(null);
    const drafts = chosen.map((file): DraftPhoto => {
      const key = nextKey.current++;
      const ready = shrinkPhoto(file);
      void ready.then((blob) => setPhotos((all) => all.map((p) => (p.key === key ? { ...p, shrunk: blob } : p))));
      return { key, ready, shrunk: null, caption: "" };
    });
    setPhotos((all) => [...all, ...drafts]);
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    const body = text.trim();
    if (!body && photos.length === 0) {
      setProblem(t.nothingToSend);
      return;
    }
    setProblem(null);
    setPreparing(true);
    try {
      const blobs = await Promise.all(photos.map((p) => p.ready));
      await outbox.add({
        token,
        text: body,
        photos: blobs.map((blob, i) => ({ blob, caption: photos[i]?.caption.trim() ?? "" })),
      });
    } catch {
      setProblem(t.couldNotKeep);
      return;
    } finally {
      setPreparing(false);
    }
    setText("");
    setPhotos([]);
    setNote(null);
    setQueued(true);
    onQueued();
  }

  const problemId = `${ids}-problem`;
  return (
    <form
      ref={form}
      className={sticks ? "composer sticks" : "composer"}
      onSubmit={send}
      aria-label={t.messageLabel(name)}
      noValidate
    >
      {photos.length > 0 && (
        <>
          <p className="hint" id={`${ids}-count`}>
            {t.photoCount(photos.length, PHOTOS_MAX)}
          </p>
          <ol className="drafts" aria-labelledby={`${ids}-count`}>
            {photos.map((photo, i) => (
              <li key={photo.key} className="draft">
                {photo.shrunk ? (
                  <LocalPicture blob={photo.shrunk} alt={t.photoDraft(i + 1)} />
                ) : (
                  <span className="picture loading" role="img" aria-label={t.gettingReady} />
                )}
                <div className="caption">
                  <label htmlFor={`${ids}-caption-${photo.key}`}>{t.captionLabel(i + 1)}</label>
                  <textarea
                    id={`${ids}-caption-${photo.key}`}
                    ref={fitToWords}
                    rows={1}
                    maxLength={CAPTION_MAX}
                    placeholder={t.captionPlaceholder}
                    value={photo.caption}
                    disabled={preparing}
                    onChange={(e) => {
                      const caption = e.target.value;
                      fitToWords(e.target);
                      setPhotos((all) => all.map((p) => (p.key === photo.key ? { ...p, caption } : p)));
                    }}
                  />
                </div>
                <button
                  type="button"
                  className="quiet"
                  aria-label={t.removePhoto(i + 1)}
                  disabled={preparing}
                  onClick={() => setPhotos((all) => all.filter((p) => p.key !== photo.key))}
                >
                  {t.remove}
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
      {(note || (queued && !online)) && (
        <p className="hint" role="status">
          {note ?? t.queued}
        </p>
      )}
      {problem && (
        <p className="problem" id={problemId} role="alert">
          {problem}
        </p>
      )}
      <label htmlFor={`${ids}-text`} className="visually-hidden">
        {t.messageLabel(name)}
      </label>
      <textarea
        id={`${ids}-text`}
        rows={2}
        placeholder={t.placeholder(name)}
        maxLength={TEXT_MAX}
        value={text}
        disabled={preparing}
        aria-describedby={problem ? problemId : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="compose-row">
        <button
          type="button"
          className="secondary"
          disabled={preparing || photos.length >= PHOTOS_MAX}
          onClick={() => fileInput.current?.click()}
        >
          <span className="visually-hidden">{t.addPhotosHidden}</span>
          <span aria-hidden="true">+ </span>
          {t.photos}
        </button>
        {/* No `capture`: the phone offers the camera and the photo library both. */}
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          multiple
          // Out of sight but not display:none, which some mobile browsers will not open from a script.
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            choose(e.target.files);
            e.target.value = ""; // the same photo can be chosen again after removing it
          }}
        />
        <button type="submit" disabled={preparing}>
          {preparing ? t.gettingReady : t.send}
        </button>
      </div>
    </form>
  );
}

const sizesItself = typeof CSS !== "undefined" && CSS.supports("field-sizing", "content");

/** A caption box as tall as its words, where the browser does not do it (`field-sizing` in family.css). */
function fitToWords(box: HTMLTextAreaElement | null) {
  if (!box || sizesItself) return;
  box.style.height = "auto";
  box.style.height = `${box.scrollHeight + box.offsetHeight - box.clientHeight}px`;
}
