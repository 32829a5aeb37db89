import { useEffect, useId, useState } from "react";
import { currentSubscription, turnOff, turnOn } from "./push";
import type { FamilyText } from "./text";

/**
 * "Tell me when Margaret replies or sees my messages": opt-in web push for this phone. Loaded only
 * where the browser can do push (FamilyHome checks), after the conversation is on screen.
 */
export default function PushOptIn({ t, name, token }: { t: FamilyText; name: string; token: string }) {
  // null while the phone's subscription is being looked up: nothing is shown that might flip.
  const [on, setOn] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();

  useEffect(() => {
    let live = true;
    void currentSubscription().then((subscription) => live && setOn(subscription !== null));
    return () => {
      live = false;
    };
  }, []);

  if (on === null) return null;

  async function toggle() {
    setBusy(true);
    setProblem(null);
    if (on) {
      if (await turnOff(token)) setOn(false);
      else setProblem(t.pushFailed);
    } else {
      const result = await turnOn(token);
      if (result === "on") setOn(true);
      else setProblem(result === "blocked" ? t.pushBlocked : t.pushFailed);
    }
    setBusy(false);
  }

  return (
    <section className="push-opt-in">
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-describedby={problem ? problemId : undefined}
        className={on ? undefined : "secondary"}
        disabled={busy}
        onClick={toggle}
      >
        <span aria-hidden="true">{on ? "✓ " : ""}</span>
        {t.pushOptIn(name)}
      </button>
      {on && <p className="hint">{t.pushOnHint}</p>}
      {problem && (
        <p id={problemId} className="problem" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
