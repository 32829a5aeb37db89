import type { FamilyMe, SentMessage } from "@letterbox/shared";
import { LIMITS } from "@letterbox/shared";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { uuidv7 } from "uuidv7";
import { ApiError, api, bearer, call } from "../api/client";

const TOKEN_KEY = "letterbox.family.token";

/**
 * The link's token arrives in the fragment (never sent to the server or in a Referer). Keep it in
 * this browser's storage and take it out of the address bar.
 */
function takeToken(): string | null {
  const fromHash = location.hash.slice(1);
  if (fromHash) {
    localStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, "", location.pathname);
  }
  return localStorage.getItem(TOKEN_KEY);
}

type Page = { kind: "loading" } | { kind: "broken"; message: string } | { kind: "ready"; me: FamilyMe };

export function App() {
  const [token] = useState(takeToken);
  const [page, setPage] = useState<Page>({ kind: "loading" });
  const [messages, setMessages] = useState<SentMessage[]>([]);

  const load = useCallback(async () => {
    if (!token) {
      setPage({ kind: "broken", message: "This page needs the private link you were sent. Please open that link again." });
      return;
    }
    try {
      const me = await call<FamilyMe>(api.family.me.$get({}, bearer(token)));
      const list = await call<{ messages: SentMessage[] }>(api.family.messages.$get({}, bearer(token)));
      setPage({ kind: "ready", me });
      setMessages(list.messages);
    } catch (err) {
      setPage({ kind: "broken", message: err instanceof ApiError ? err.message : "Something went wrong. Please try again." });
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);

  if (page.kind === "loading") return <main aria-busy="true" />;
  if (page.kind === "broken" || !token) {
    return (
      <main>
        <h1>Letterbox</h1>
        <p className="problem" role="alert">
          {page.kind === "broken" ? page.message : ""}
        </p>
      </main>
    );
  }
  const name = page.me.resident.preferredName;
  return (
    <main>
      <h1>Messages to {name}</h1>
      <p className="hint">You are sending as {page.me.member.label}.</p>
      <ul className="plain" aria-label="Your messages">
        {messages.map((m) => (
          <li key={m.id} className="card">
            <p>{m.text}</p>
            <p className="meta">
              Sent {new Date(m.sentAt).toLocaleString("en-GB", { weekday: "long", hour: "2-digit", minute: "2-digit" })}
            </p>
          </li>
        ))}
      </ul>
      <Composer token={token} name={name} onSent={(m) => setMessages((all) => [...all.filter((x) => x.id !== m.id), m])} />
    </main>
  );
}

function Composer({ token, name, onSent }: { token: string; name: string; onSent: (m: SentMessage) => void }) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  // One id per message written, kept across retries so the relay stores it once.
  const [id, setId] = useState(uuidv7);

  async function send(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const { message } = await call<{ message: SentMessage }>(api.family.messages.$post({ json: { id, text } }, bearer(token)));
      onSent(message);
      setText("");
      setId(uuidv7());
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : "Your message was not sent. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={send}>
      <label htmlFor="message-text">Your message to {name}</label>
      <textarea
        id="message-text"
        value={text}
        maxLength={LIMITS.messageTextMax}
        onChange={(e) => setText(e.target.value)}
        aria-describedby={problem ? "send-problem" : undefined}
        required
      />
      {problem && (
        <p id="send-problem" className="problem" role="alert">
          {problem}
        </p>
      )}
      <button type="submit" disabled={busy || text.trim() === ""}>
        {busy ? "Sending…" : "Send"}
      </button>
    </form>
  );
}
