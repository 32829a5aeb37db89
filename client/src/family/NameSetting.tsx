import type { FamilyMe } from "@letterbox/shared";
import { type FormEvent, useState } from "react";
import { RelayError } from "../api/relay-error";
import { setDisplayName } from "./relay";
import type { FamilyText } from "./text";

/**
 * The family member chooses the name the resident sees ("Sal"). How the resident knows them
 * ("your daughter") is staff's to record on the link, and the tablet adds it after this name.
 */
export function NameSetting({ t, token, me, name }: { t: FamilyText; token: string; me: FamilyMe; name: string }) {
  const [value, setValue] = useState(me.member.displayName ?? me.member.label);
  const [status, setStatus] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setStatus(null);
    setProblem(null);
    try {
      const trimmed = value.trim();
      await setDisplayName(token, trimmed === "" || trimmed === me.member.label ? null : trimmed);
      setStatus(t.nameSaved);
    } catch (err) {
      setProblem(err instanceof RelayError ? err.message : String(err));
    }
  }

  return (
    <details className="name-setting">
      <summary>{t.nameSetting(name)}</summary>
      <form onSubmit={save}>
        <label htmlFor="display-name">{t.nameLabel}</label>
        <p className="hint" id="display-name-hint">
          {t.nameHint(name)}
        </p>
        <input
          id="display-name"
          value={value}
          maxLength={80}
          onChange={(e) => setValue(e.target.value)}
          aria-describedby="display-name-hint"
          autoComplete="name"
        />
        <button type="submit">{t.nameSave}</button>
        <p role="status">{status}</p>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </details>
  );
}
