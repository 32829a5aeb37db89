import type { Conversation, FamilyMe } from "@letterbox/shared";
import { useCallback, useEffect, useState } from "react";
import type { RelayError } from "../api/relay-error";
import { afterFirstPaint } from "../kit/after-first-paint";
import { useTakeOverDrawnScreen } from "../kit/first-screen";
import { FamilyHome } from "./FamilyHome";
import { askFirst, type Opened, openConversation } from "./opening";
import { type FamilyText, isDeadLink, problemSentence } from "./text";
import { rememberToken, storedToken } from "./token";

type Page =
  | { kind: "no-link" }
  /** Revoked or never valid: a kind page, and nothing more is asked of the relay. */
  | { kind: "dead-link"; sentence: string }
  | { kind: "unreachable"; sentence: string }
  | { kind: "ready"; token: string; me: FamilyMe; conversation: Conversation };

const pageFor = (t: FamilyText, opened: Opened): Page =>
  opened.kind !== "failed"
    ? opened
    : { kind: isDeadLink(opened.error) ? "dead-link" : "unreachable", sentence: problemSentence(t, opened.error) };

/**
 * The family page, drawn once the conversation is open (`first`, opened by main.tsx): until then
 * the page's own HTML shows the composer under "Opening your messages…", so React draws the page
 * once, not twice.
 */
export function App({ t, fromAddress, first }: { t: FamilyText; fromAddress: string | null; first: Opened }) {
  const [page, setPage] = useState<Page>(() => pageFor(t, first));
  const [attempt, setAttempt] = useState(0);
  // The page's HTML drew the composer (family/index.html): what was typed in it moves to the app's.
  useTakeOverDrawnScreen();

  // Once the page is painted, not before: each loads scripts that would hold up that first paint.
  useEffect(() => {
    void afterFirstPaint().then(() => {
      // Kept on the phone, so that the page opens from the home screen next time.
      if (fromAddress) rememberToken(fromAddress).catch(() => {}); // refused (some private windows): works until closed
      // The worker lets the page open with no signal (an installed app), and carries opt-in push.
      // Installing it fetches every file it keeps, which must not slow the first screen either.
      if (import.meta.env.PROD) void import("./push").then(({ registerFamilyWorker }) => registerFamilyWorker());
    });
  }, [fromAddress]);

  useEffect(() => {
    if (attempt === 0) return; // the first try is `first`
    let live = true;
    void openConversation(fromAddress, undefined, { stored: storedToken, ask: askFirst }).then(
      (opened) => live && setPage(pageFor(t, opened)),
    );
    return () => {
      live = false;
    };
  }, [attempt, fromAddress, t]);

  // No signal when the page opened: try again by itself when the phone says it is back.
  useEffect(() => {
    if (page.kind !== "unreachable") return;
    const again = () => setAttempt((n) => n + 1);
    window.addEventListener("online", again);
    return () => window.removeEventListener("online", again);
  }, [page.kind]);

  const onDeadLink = useCallback((err: RelayError) => setPage({ kind: "dead-link", sentence: problemSentence(t, err) }), [t]);

  switch (page.kind) {
    case "ready":
      return (
        <FamilyHome key={page.token} t={t} token={page.token} me={page.me} initial={page.conversation} onDeadLink={onDeadLink} />
      );
    case "no-link":
      return <Kind t={t} sentence={t.noToken} />;
    case "dead-link":
      return <Kind t={t} sentence={page.sentence} hint={t.newLinkHint} />;
    case "unreachable":
      return <Kind t={t} sentence={page.sentence} retry={() => setAttempt((n) => n + 1)} />;
  }
}

/** A page for when there is nothing to show: one plain sentence, and what to do. Never blank. */
function Kind({ t, sentence, hint, retry }: { t: FamilyText; sentence: string; hint?: string; retry?: () => void }) {
  useEffect(() => {
    document.title = t.appName;
  }, [t]);
  return (
    <main className="family kind">
      <h1>{t.appName}</h1>
      <p className="kind-sentence" role="alert">
        {sentence}
      </p>
      {hint && <p>{hint}</p>}
      {retry && (
        <button type="button" onClick={retry}>
          {t.tryAgain}
        </button>
      )}
    </main>
  );
}
