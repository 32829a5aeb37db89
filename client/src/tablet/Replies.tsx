import { useEffect, useState } from "react";
import { db, type StoredMessage } from "../db/db";
import { shortName } from "./names";
import { queueReply } from "./outbox";
import { useSyncHandle } from "./use-sync";
import { useWords } from "./words";

/** How long "Sent to Sarah" stays up. */
const SENT_NOTE_MS = 6_000;

/**
 * One-tap replies chosen by staff. The tap is answered at once ("Sent to Sarah"): the reply is in
 * the outbox, and the outbox will deliver it whenever the relay can be reached.
 */
export function Replies({ message, options, replied }: { message: StoredMessage; options: string[]; replied: string[] }) {
  const t = useWords();
  const { syncSoon } = useSyncHandle();
  const [sentNote, setSentNote] = useState(false);
  const name = shortName(message.senderName);

  useEffect(() => {
    if (!sentNote) return;
    const timer = setTimeout(() => setSentNote(false), SENT_NOTE_MS);
    return () => clearTimeout(timer);
  }, [sentNote]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new message starts without the note.
  useEffect(() => setSentNote(false), [message.id]);

  if (options.length === 0) return null;
  const tap = async (text: string) => {
    setSentNote(true);
    await queueReply(db, { inReplyTo: message.id, text });
    syncSoon();
  };
  return (
    <fieldset className="replies">
      <legend className="visually-hidden">{t.replyTo(name)}</legend>
      {options.map((option) => (
        <button key={option} type="button" className="reply" onClick={() => void tap(option)}>
          {replied.includes(option) && <span aria-hidden="true">✓ </span>}
          {option}
        </button>
      ))}
      {sentNote && (
        <p className="sent-note" role="status">
          <span aria-hidden="true">✓ </span>
          {t.sentTo(name)}
        </p>
      )}
    </fieldset>
  );
}
