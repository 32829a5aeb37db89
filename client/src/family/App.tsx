import type { Conversation, FamilyMe } from "@letterbox/shared";
import { useCallback, useEffect, useState } from "react";
import type { RelayError } from "../api/relay-error";
import { FamilyHome } from "./FamilyHome";
import { getConversation, getMe } from "./relay";
import { type FamilyText, isDeadLink, problemSentence } from "./text";
import { rememberToken, storedToken } from "./token";

type Page =
  | { kind: "opening" }
  | { kind: "no-link" }
  /** Revoked or never valid: a kind page, and nothing more is asked of the relay. */
  | { kind: "dead-link"; sentence: string }
  | { kind: "unreachable"; sentence: string }
  | { kind: "ready"; token: string; me: FamilyMe; conversation: Conversation };

export function App({ t, fromAddress }: { t: FamilyText; fromAddress: string | null }) {
  const [page, setPage] = useState<Page>({ kind: "opening" });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is how "Try again" reruns it.
  useEffect(() => {
    let live = true;
    void (async () => {
      let token = fromAddress;
      try {
        if (token) await rememberToken(token);
        else token = await storedToken();
      } catch {
        // Storage refused (some private windows): the page works until it is closed.
      }
      if (!live) return;
      if (!token) {
        setPage({ kind: "no-link" });
        return;
      }
      try {
        const [me, conversation] = await Promise.all([getMe(token), getConversation(token)]);
        if (live) setPage({ kind: "ready", token, me, conversation });
      } catch (err) {
        if (!live) return;
        setPage({ kind: isDeadLink(err) ? "dead-link" : "unreachable", sentence: problemSentence(t, err) });
      }
    })();
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
    case "opening":
      return (
        <main className="family" aria-busy="true">
          <p className="hint">{t.opening}</p>
        </main>
      );
    case "ready":
      return <FamilyHome t={t} token={page.token} me={page.me} initial={page.conversation} onDeadLink={onDeadLink} />;
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
