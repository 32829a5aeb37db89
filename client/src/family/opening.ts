import { type Conversation, type FamilyMe, FIRST_SCREEN_ASKED } from "@letterbox/shared";
import { conversationFrom, getConversation, getMe, meFrom } from "./relay";

/** What the page's first screen needs from the relay, asked for one token. */
export type FirstAnswers = { token: string; me: Promise<FamilyMe>; conversation: Promise<Conversation> };

/** What the first-screen script in the page's head asked (shared/src/first-screen.ts), as it left it. */
type AskedInHead = { token: string; me: Promise<Response>; conversation: Promise<Response> };

/**
 * The answers the page's head already asked for this token, taken once: asking again (the page
 * retrying once there is signal) asks the relay again. Read as the typed client reads its own.
 */
function askedInHead(token: string): FirstAnswers | undefined {
  const store = globalThis as unknown as Record<string, AskedInHead | undefined>;
  const asked = store[FIRST_SCREEN_ASKED];
  delete store[FIRST_SCREEN_ASKED];
  if (asked?.token !== token) return undefined;
  return {
    token,
    me: meFrom(asked.me),
    conversation: conversationFrom(asked.conversation),
  };
}

/**
 * Asks for both at once, or takes what the page's head asked already. entry.ts does it as the page
 * starts, so the answers come while the app itself is still downloading rather than after it has
 * started.
 */
export function askFirst(token: string): FirstAnswers {
  const answers = askedInHead(token) ?? { token, me: getMe(token), conversation: getConversation(token) };
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
