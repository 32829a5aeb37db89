import type { Conversation, ConversationItem, SentMessage } from "@letterbox/shared";

type MessageItem = Extract<ConversationItem, { kind: "message" }>;

/**
 * What this page itself did since it last fetched the conversation: messages the relay accepted
 * that the fetched conversation may not show yet, and messages taken back that it may still show.
 * Both belong to one copy of the relay's log (`logId`).
 */
export type SinceFetch = { logId: string; justSent: readonly SentMessage[]; deleted: ReadonlySet<string> };

export const nothingSince = (logId: string): SinceFetch => ({ logId, justSent: [], deleted: new Set() });

/**
 * A conversation from another copy of the log (the relay was restored from a backup) makes what
 * the page remembered meaningless: a message the old relay accepted and the restored one never had
 * must not stay on screen as "Sent" for ever. The relay's conversation is the whole truth again.
 * Returns `since` itself when nothing changed.
 */
export function sinceFor(since: SinceFetch, conversation: Conversation): SinceFetch {
  return since.logId === conversation.logId ? since : nothingSince(conversation.logId);
}

/** A message just accepted by the relay, shown as "Sent" until the next look at the conversation includes it. */
export const justSentItem = (message: SentMessage): MessageItem => {
  const { seq, ...rest } = message;
  return { kind: "message", seq, message: rest, mine: true, deliveredAt: null, seenAt: null };
};

/** The conversation as the page shows it: what the relay said, with what the page did since. */
export function visibleItems(conversation: Conversation, since: SinceFetch): ConversationItem[] {
  const current = sinceFor(since, conversation);
  const fetched = new Set(conversation.items.flatMap((i) => (i.kind === "message" ? [i.message.id] : [])));
  return [
    ...conversation.items.filter((i) => i.kind !== "message" || !current.deleted.has(i.message.id)),
    ...current.justSent.filter((m) => !fetched.has(m.id) && !current.deleted.has(m.id)).map(justSentItem),
  ];
}
