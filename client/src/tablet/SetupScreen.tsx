import { type FormEvent, useState } from "react";
import { ApiError } from "../api/client";
import { db } from "../db/db";
import { tabletText as t } from "../i18n/tablet-en-GB";
import { pairTablet } from "./relay";

/** Staff (not the resident) use this once: type the code from the console and the tablet becomes the resident's. */
export function SetupScreen() {
  const [code, setCode] = useState(() => new URLSearchParams(location.hash.slice(1)).get("setup") ?? "");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const paired = await pairTablet(code);
      await db.state.put({
        key: "tablet",
        deviceToken: paired.deviceToken,
        residentId: paired.resident.id,
        preferredName: paired.resident.preferredName,
        cursor: 0,
        lastSyncedAt: null,
      });
      // Ask once, while staff are holding the tablet, so saved messages are never evicted.
      await navigator.storage?.persist?.().catch(() => false);
      history.replaceState(null, "", location.pathname);
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : "That did not work. Please try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="setup">
      <h1>{t.setupTitle}</h1>
      <p>{t.setupHint}</p>
      <form onSubmit={submit} className="setup-form">
        <label htmlFor="setup-code">{t.setupCodeLabel}</label>
        <input
          id="setup-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          aria-describedby={problem ? "setup-problem" : undefined}
          required
        />
        <button type="submit" disabled={busy}>
          {busy ? t.settingUp : t.setupButton}
        </button>
        {problem && (
          <p id="setup-problem" role="alert" className="setup-problem">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}
