import type { Conversation, FamilyMe } from "@letterbox/shared";
import { getConversation, getMe } from "./relay";

/** What the page's first screen needs from the relay, asked for one token. */
export type FirstAnswers = { token: string; me: Promise<FamilyMe>; conversation: Promise<Conversation> };

/**
 * Asks for both at once. entry.ts does it as the page starts, so the answers come while the app
 * itself is still downloading rather than after it has started.
 */
export function askFirst(token: string): FirstAnswers {
  const answers = { token, me: getMe(token), conversation: getConversation(token) };
  // Whoever takes the answers handles a failure; until then it is not an unhandled rejection.
  answers.me.catch(() => {});
  answers.conversation.catch(() => {});
  return answers;
}

export type Opened =
  | { kind: "no-link" }
  | { kind: "ready"; token: string; me: FamilyMe; conversation: Conversation }
  | { kind: "failed"; error: unknown };

type OpeningDeps = {
  remember: (token: string) => Promise<void>;
  stored: () => Promise<string | null>;
  ask: (token: string) => FirstAnswers;
};

/**
 * Opens the conversation with the token from the address (kept on the phone for next time) or the
 * one kept from before (the page opened from the home screen). Answers already asked for that
 * token are taken as they are, not asked for again.
 */
export async function openConversation(
  fromAddress: string | null,
  early: FirstAnswers | undefined,
  { remember, stored, ask }: OpeningDeps,
): Promise<Opened> {
  let token = fromAddress;
  try {
    // Kept meanwhile: nothing on the first screen waits for the phone's storage.
    if (token) remember(token).catch(() => {});
    else token = await stored();
  } catch {
    // Storage refused (some private windows): the page works until it is closed.
  }
  if (!token) return { kind: "no-link" };
  const answers = early?.token === token ? early : ask(token);
  try {
    const [me, conversation] = await Promise.all([answers.me, answers.conversation]);
    return { kind: "ready", token, me, conversation };
  } catch (error) {
    return { kind: "failed", error };
  }
}
