import { useLiveQuery } from "dexie-react-hooks";
import { useEffect, useState } from "react";
import { db, type StoredMessage } from "../db/db";
import { shortName } from "./names";
import { queueReply } from "./outbox";
import { replyNote, replyNoteText, replyProgress } from "./reply-note";
import { useSyncHandle } from "./use-sync";
import { useWords } from "./words";

/** How long "Sent to Sarah" stays up once the relay has the reply. */
const SENT_NOTE_MS = 6_000;

/**
 * One-tap replies chosen by staff. The tap is answered at once with what is true: "Saved — it will
 * go to Sarah soon" while the reply waits in the outbox, "Sent to Sarah" once the relay has it. The
 * note sits under the buttons, in the page's flow, so it never covers the words being read.
 */
export function Replies({ message, options, replied }: { message: StoredMessage; options: string[]; replied: string[] }) {
  const t = useWords();
  const { syncSoon } = useSyncHandle();
  const [tapped, setTapped] = useState<{ id: string; at: number } | null>(null);
  const [fresh, setFresh] = useState(false);
  const name = shortName(message.senderName);
  const tappedId = tapped?.id;
  const progress = useLiveQuery(
    async () => (tappedId ? replyProgress(await db.outbox.get(tappedId)) : "unknown"),
    [tappedId],
    "unknown",
  );

  // "Sent" is fresh for a while after the tap or after the reply left the outbox, whichever is later.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new tap or a change of progress restarts it.
  useEffect(() => {
    if (!tapped) return;
    setFresh(true);
    const timer = setTimeout(() => setFresh(false), SENT_NOTE_MS);
    return () => clearTimeout(timer);
  }, [tapped, progress]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new message starts without the note.
  useEffect(() => setTapped(null), [message.id]);

  if (options.length === 0) return null;
  const tap = async (text: string) => {
    const row = await queueReply(db, { inReplyTo: message.id, text });
    setTapped({ id: row.id, at: Date.now() });
    syncSoon();
  };
  const note = tapped ? replyNote(progress, fresh) : null;
  return (
    <fieldset className="replies">
      <legend className="visually-hidden">{t.replyTo(name)}</legend>
      {options.map((option) => (
        <button key={option} type="button" className="reply" onClick={() => void tap(option)}>
          {replied.includes(option) && <span aria-hidden="true">✓ </span>}
          {option}
        </button>
      ))}
      {note && (
        <p className="reply-note" role="status">
          {note === "sent" && <span aria-hidden="true">✓ </span>}
          {replyNoteText(t, note, name)}
        </p>
      )}
    </fieldset>
  );
}
