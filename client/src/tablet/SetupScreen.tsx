import { type FormEvent, useState } from "react";
import { db } from "../db/db";
import { PairingProblem, pair } from "./pairing";
import { PIN_PATTERN } from "./staff-pin";
import { useWords } from "./words";

/** Staff (not the resident) use this once: the code from the console and a PIN for the staff corner. */
export function SetupScreen() {
  const t = useWords();
  const [code, setCode] = useState(() => new URLSearchParams(location.hash.slice(1)).get("setup") ?? "");
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    // Staff hold the tablet now, and this is their tap: the one moment the tablet asks to show
    // notifications (web push needs it). Asked while pairing runs; never asked again.
    const permission = PIN_PATTERN.test(pin) ? askForNotifications() : undefined;
    try {
      await pair(db, code, pin);
      history.replaceState(null, "", location.pathname);
      void import("./push").then(({ subscribeTablet, pageEnv }) => subscribeTablet(db, pageEnv(), permission));
    } catch (err) {
      const kind = err instanceof PairingProblem ? err.kind : "unknown";
      setProblem(
        kind === "pin"
          ? t.setupPinProblem
          : kind === "relay" && err instanceof Error && err.message
            ? err.message
            : t.setupFailed,
      );
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
        <label htmlFor="setup-pin">{t.setupPinLabel}</label>
        <input
          id="setup-pin"
          type="password"
          inputMode="numeric"
          pattern="[0-9]*"
          value={pin}
          onChange={(e) => setPin(e.target.value.replace(/\D/g, ""))}
          autoComplete="off"
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

/** Only where push could follow: a kiosk browser without PushManager is not asked for nothing. */
function askForNotifications(): Promise<NotificationPermission | undefined> {
  const notification = globalThis.Notification;
  if (!("PushManager" in globalThis) || notification?.permission !== "default") return Promise.resolve(notification?.permission);
  return notification.requestPermission().catch(() => notification.permission);
}
