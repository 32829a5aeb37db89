import type { OrgSettings } from "@letterbox/shared";
import { type FormEvent, useState } from "react";
import { LoadFailed } from "./Failed";
import type { Problem } from "./problems";
import { relay } from "./staff-api";
import { Loading, Page, TextInput } from "./ui";
import { useForm } from "./use-form";
import { useLoad } from "./use-load";

type Key = keyof OrgSettings;

/** Each setting with the words of its question and the range the relay accepts. */
const QUESTIONS: { key: Key; label: string; hint: string; unit: string; min: number; max: number }[] = [
  {
    key: "offlineAlertHours",
    label: "Flag a tablet as offline after (hours)",
    hint: "A tablet that has not reached Letterbox for this long shows on the dashboard. 48 hours is two days.",
    unit: "hours",
    min: 1,
    max: 24 * 30,
  },
  {
    key: "unseenAlertHours",
    label: "Flag unseen messages after (hours)",
    hint: "Messages on the tablet that nobody has looked at for this long.",
    unit: "hours",
    min: 1,
    max: 24 * 30,
  },
  {
    key: "noFamilyMessageAlertDays",
    label: "Prompt staff to contact the family after (days without a family message)",
    hint: "A screen nobody writes to deepens isolation.",
    unit: "days",
    min: 1,
    max: 365,
  },
  {
    key: "auditRetentionDays",
    label: "Keep the audit log for (days)",
    hint: "Older entries are deleted each day.",
    unit: "days",
    min: 30,
    max: 3650,
  },
];

export function OrgSettingsPage() {
  const loaded = useLoad(() => relay.settings(), "");
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  return <SettingsForm settings={loaded.data} />;
}

function SettingsForm({ settings }: { settings: OrgSettings }) {
  const [values, setValues] = useState<Record<Key, string>>(
    () => Object.fromEntries(QUESTIONS.map((q) => [q.key, String(settings[q.key])])) as Record<Key, string>,
  );
  const [saved, setSaved] = useState<OrgSettings>(settings);
  const [done, setDone] = useState<string | null>(null);
  const form = useForm(Object.fromEntries(QUESTIONS.map((q) => [q.key, { id: q.key, label: q.label }])));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const check = () =>
      QUESTIONS.flatMap((q): Problem[] => {
        const text = values[q.key].trim();
        const n = Number(text);
        if (!/^\d+$/.test(text)) return [{ text: `Enter a whole number of ${q.unit}`, fieldId: q.key }];
        if (n < q.min || n > q.max) return [{ text: `Enter between ${q.min} and ${q.max} ${q.unit}`, fieldId: q.key }];
        return [];
      });
    void form.run(check, async () => {
      const patch = Object.fromEntries(
        QUESTIONS.map((q) => [q.key, Number(values[q.key].trim())] as const).filter(([key, n]) => n !== saved[key]),
      ) as Partial<OrgSettings>;
      if (Object.keys(patch).length > 0) setSaved(await relay.updateSettings(patch));
      setDone("Settings saved.");
    });
  };

  return (
    <Page title="Settings" problems={form.problems} done={done}>
      <form onSubmit={submit} noValidate>
        <h2>Dashboard alerts</h2>
        {QUESTIONS.slice(0, 3).map((q) => (
          <Question
            key={q.key}
            q={q}
            value={values[q.key]}
            error={form.errorFor(q.key)}
            onChange={(v) => setValues({ ...values, [q.key]: v })}
          />
        ))}
        <h2>Audit log</h2>
        {QUESTIONS.slice(3).map((q) => (
          <Question
            key={q.key}
            q={q}
            value={values[q.key]}
            error={form.errorFor(q.key)}
            onChange={(v) => setValues({ ...values, [q.key]: v })}
          />
        ))}
        <button type="submit" disabled={form.busy}>
          Save settings
        </button>
      </form>
    </Page>
  );
}

function Question({
  q,
  value,
  error,
  onChange,
}: {
  q: (typeof QUESTIONS)[number];
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <TextInput
      id={q.key}
      label={q.label}
      hint={q.hint}
      inputMode="numeric"
      width="short"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}
