import type { ConversationItem } from "@letterbox/shared";
import { type Ref, useId, useRef, useState } from "react";
import type { OutboxEntry } from "../db/family-db";
import type { OutboxSnapshot } from "./outbox";
import { LocalPicture, SentPhotos } from "./Photos";
import { deleteMessage } from "./relay";
import { deliverySteps, shortTime } from "./status";
import { type FamilyText, problemSentence, sentence } from "./text";
import { outbox } from "./use-outbox";

type MessageItem = Extract<ConversationItem, { kind: "message" }>;
type ReplyItem = Extract<ConversationItem, { kind: "reply" }>;

type Shared = { t: FamilyText; name: string; token: string; now: Date };

export function ConversationList({
  ref,
  shared,
  items,
  pending,
  snapshot,
  online,
  onDeleted,
}: {
  ref?: Ref<HTMLOListElement>;
  shared: Shared;
  items: ConversationItem[];
  pending: OutboxEntry[];
  snapshot: OutboxSnapshot;
  online: boolean;
  onDeleted: (id: string) => void;
}) {
  const { t, name } = shared;
  const messages = new Map(items.flatMap((i) => (i.kind === "message" ? [[i.message.id, i] as const] : [])));
  return (
    <ol ref={ref} className="conversation" aria-label={t.conversation(name)}>
      {items.map((item) =>
        item.kind === "reply" ? (
          <Reply key={`r-${item.reply.id}`} shared={shared} item={item} answered={messages.get(item.reply.inReplyTo)} />
        ) : item.mine ? (
          <Mine key={item.message.id} shared={shared} item={item} onDeleted={onDeleted} />
        ) : (
          <Theirs key={item.message.id} shared={shared} item={item} />
        ),
      )}
      {pending.map((entry) => (
        <Pending key={entry.id} shared={shared} entry={entry} snapshot={snapshot} online={online} />
      ))}
    </ol>
  );
}

function Text({ text, id }: { text: string; id?: string }) {
  return text ? (
    <p className="text" id={id}>
      {text}
    </p>
  ) : null;
}

function Mine({ shared, item, onDeleted }: { shared: Shared; item: MessageItem; onDeleted: (id: string) => void }) {
  const { t, name, token, now } = shared;
  const { steps, seen } = deliverySteps(t, name, item, now);
  const textId = useId();
  const [stage, setStage] = useState<"idle" | "confirm" | "deleting">("idle");
  const [problem, setProblem] = useState<string | null>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);

  async function remove() {
    setStage("deleting");
    setProblem(null);
    try {
      await deleteMessage(token, item.message.id);
      onDeleted(item.message.id);
    } catch (err) {
      setProblem(problemSentence(t, err));
      setStage("confirm");
    }
  }

  return (
    <li className="bubble mine">
      {item.message.photos.length > 0 && <SentPhotos token={token} photos={item.message.photos} altFor={t.photoAlt} />}
      <Text text={item.message.text} id={textId} />
      <p className="steps">
        {steps.map((step, i) => {
          const last = i === steps.length - 1;
          return (
            <span key={step} className={seen && last ? "seen" : undefined}>
              {i > 0 && " · "}
              {step}
              {seen && last && <span aria-hidden="true"> ✓✓</span>}
            </span>
          );
        })}
      </p>
      {stage === "idle" ? (
        <button
          type="button"
          className="quiet"
          ref={deleteButton}
          aria-describedby={item.message.text ? textId : undefined}
          onClick={() => setStage("confirm")}
        >
          {t.delete}
        </button>
      ) : (
        // biome-ignore lint/a11y/useSemanticElements: a <fieldset> would add a form where nothing is typed.
        <div className="confirm" role="group" aria-label={t.delete}>
          <p>{t.confirmDelete(name)}</p>
          {problem && (
            <p className="problem" role="alert">
              {problem}
            </p>
          )}
          <div className="actions">
            {/* biome-ignore lint/a11y/noAutofocus: the question just appeared where the button was; focus follows it. */}
            <button type="button" className="danger" autoFocus disabled={stage === "deleting"} onClick={remove}>
              {t.yesDelete}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={stage === "deleting"}
              onClick={() => {
                setStage("idle");
                setProblem(null);
                requestAnimationFrame(() => deleteButton.current?.focus());
              }}
            >
              {t.keep}
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

function Theirs({ shared, item }: { shared: Shared; item: MessageItem }) {
  const { t, token, now } = shared;
  return (
    <li className="bubble theirs">
      <p className="who">{item.message.senderName}</p>
      {item.message.photos.length > 0 && <SentPhotos token={token} photos={item.message.photos} altFor={t.photoAlt} />}
      <Text text={item.message.text} />
      <p className="meta">{shortTime(t, new Date(item.message.sentAt), now)}</p>
    </li>
  );
}

function Reply({ shared, item, answered }: { shared: Shared; item: ReplyItem; answered: MessageItem | undefined }) {
  const { t, name, now } = shared;
  const who = !item.toMe && answered && !answered.mine ? t.repliedTo(name, answered.message.senderName) : t.replied(name);
  return (
    <li className="bubble reply">
      <p className="who">{who}</p>
      <Text text={item.reply.text} />
      <p className="meta">{shortTime(t, new Date(item.reply.sentAt), now)}</p>
    </li>
  );
}

/** A message still on this phone: sending (with each photo's progress), waiting for signal, or refused. */
function Pending({
  shared,
  entry,
  snapshot,
  online,
}: {
  shared: Shared;
  entry: OutboxEntry;
  snapshot: OutboxSnapshot;
  online: boolean;
}) {
  const { t } = shared;
  const sending = snapshot.sending === entry.id;
  const progress = snapshot.progress[entry.id];
  const waiting = !sending && (!online || snapshot.noSignal);
  const problem = entry.problem;
  const count = entry.photos.length;
  return (
    <li className="bubble mine pending">
      {count > 0 && (
        <ul className={`photos photos-${Math.min(count, 2)}`}>
          {entry.photos.map((photo, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the photos of a written message never change order.
            <li key={i}>
              <figure>
                <LocalPicture blob={photo.blob} alt={t.photoAlt(i + 1, count)} />
                {photo.caption && <figcaption>{photo.caption}</figcaption>}
                {!problem && sending && (
                  <progress max={1} value={progress?.[i] ?? 0} aria-label={t.photoProgress(i + 1, count)} />
                )}
                {problem && problem.photo === i && (
                  <p className="problem" role="alert">
                    {sentence(t, problem)}
                  </p>
                )}
              </figure>
            </li>
          ))}
        </ul>
      )}
      <Text text={entry.text} />
      {problem ? (
        <>
          <p className="steps">{t.notSent}</p>
          {problem.photo === null && (
            <p className="problem" role="alert">
              {sentence(t, problem)}
            </p>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => void outbox.retry(entry.id)}>
              {t.sendAgain}
            </button>
            <button type="button" className="quiet" onClick={() => void outbox.remove(entry.id)}>
              {t.dontSend}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="steps">{waiting ? t.waitingForSignal : t.sending}</p>
          {waiting && (
            <button type="button" className="quiet" onClick={() => void outbox.remove(entry.id)}>
              {t.dontSend}
            </button>
          )}
        </>
      )}
    </li>
  );
}
