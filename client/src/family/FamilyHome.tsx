import type { Conversation, FamilyMe } from "@letterbox/shared";
import { lazy, Suspense, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { RelayError } from "../api/relay-error";
import { useNow } from "../kit/use-now";
import { Composer } from "./Composer";
import { ConversationList } from "./Conversation";
import { NameSetting } from "./NameSetting";
import type { OutboxEvent } from "./outbox";
import { tabletNotice } from "./status";
import type { FamilyText } from "./text";
import { useConversation } from "./use-conversation";
import { outbox, useOnline, useOutbox } from "./use-outbox";
import { nothingSince, type SinceFetch, sinceFor, visibleItems } from "./view";

// Only where the browser can do web push, and after the conversation: not on the page's first load.
const canPush = "serviceWorker" in navigator && "PushManager" in globalThis && "Notification" in globalThis;
const PushOptIn = lazy(() => import("./PushOptIn"));

/** "Messages to Margaret": the conversation, how far each message has got, and the composer. */
export function FamilyHome({
  t,
  token,
  me,
  initial,
  onDeadLink,
}: {
  t: FamilyText;
  token: string;
  me: FamilyMe;
  initial: Conversation;
  onDeadLink: (err: RelayError) => void;
}) {
  const name = me.resident.preferredName;
  const now = useNow(15_000);
  const online = useOnline();
  const { conversation, unreachable, refresh } = useConversation(token, initial, onDeadLink);
  // Sent, but not yet in the conversation we last fetched; and deleted, but maybe still in it.
  const [since, setSince] = useState<SinceFetch>(() => nothingSince(initial.logId));
  const current = sinceFor(since, conversation);
  if (current !== since) setSince(current);
  const [announcement, setAnnouncement] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);

  const onOutboxEvent = useCallback(
    (event: OutboxEvent) => {
      if (event.token !== token) return;
      if (event.kind === "dead-link") onDeadLink(event.error);
      else {
        setSince((s) => ({ ...s, justSent: [...s.justSent.filter((m) => m.id !== event.message.id), event.message] }));
        void refresh();
      }
    },
    [token, onDeadLink, refresh],
  );
  const { entries, snapshot } = useOutbox(token, onOutboxEvent);

  const items = visibleItems(conversation, current);
  const shown = new Set(items.flatMap((i) => (i.kind === "message" ? [i.message.id] : [])));
  const pending = entries.filter((e) => !shown.has(e.id));
  const notice = tabletNotice(t, name, conversation.tablet, now);

  // Follow the conversation to its newest message, as a chat does, unless the reader has scrolled
  // up from it. Into view, not the page to its foot: what comes below the conversation (the
  // composer, the offer of notifications) is no reason to scroll the heading off when the newest
  // message is already in sight. Where the composer sticks, the page's scroll padding keeps the
  // message clear of it.
  const count = items.length + pending.length;
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  useEffect(() => {
    const onScroll = () => {
      const newest = list.current?.lastElementChild;
      following.current = !newest || newest.getBoundingClientRect().top < window.innerHeight;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the number of messages changes.
  useLayoutEffect(() => {
    if (following.current) list.current?.lastElementChild?.scrollIntoView({ block: "nearest" });
  }, [count]);

  useEffect(() => {
    document.title = `${t.title(name)} — ${t.appName}`;
  }, [t, name]);

  return (
    <>
      <header className="family-header">
        <h1 ref={heading} tabIndex={-1}>
          {t.title(name)}
        </h1>
        <p>{t.youAre(me.member.label)}</p>
        <NameSetting t={t} token={token} me={me} name={name} />
      </header>
      <main className="family">
        {(notice || !online || unreachable) && (
          <div className="notices" role="status">
            {notice && <p className="notice">{notice}</p>}
            {(!online || unreachable) && <p className="notice offline">{t.youAreOffline}</p>}
          </div>
        )}
        {count === 0 && <p className="hint empty">{t.empty(name)}</p>}
        <ConversationList
          ref={list}
          shared={{ t, name, token, now }}
          items={items}
          pending={pending}
          snapshot={snapshot}
          online={online}
          onDeleted={(id) => {
            setSince((s) => ({ ...s, deleted: new Set(s.deleted).add(id) }));
            setAnnouncement(t.deleted);
            heading.current?.focus();
            void refresh();
          }}
        />
        <p className="visually-hidden" role="status">
          {announcement}
        </p>
        <Composer
          t={t}
          name={name}
          token={token}
          online={online}
          onQueued={() => {
            following.current = true;
            setAnnouncement("");
            void outbox.flush({ now: true });
          }}
        />
        {canPush && (
          <Suspense fallback={null}>
            <PushOptIn t={t} name={name} token={token} />
          </Suspense>
        )}
      </main>
    </>
  );
}
