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
  stored: () => Promise<string | null>;
  ask: (token: string) => FirstAnswers;
};

/**
 * Opens the conversation with the token from the address or, with none there (the page opened
 * from the home screen), the one kept on the phone. Answers already asked for that token are taken
 * as they are, not asked for again. Keeping the address's token on the phone is the app's to do,
 * once the conversation is on screen: the phone's storage is no part of the first screen.
 */
export async function openConversation(
  fromAddress: string | null,
  early: FirstAnswers | undefined,
  { stored, ask }: OpeningDeps,
): Promise<Opened> {
  let token = fromAddress;
  if (!token) {
    try {
      token = await stored();
    } catch {
      // Storage refused (some private windows): there is no link to open.
    }
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
