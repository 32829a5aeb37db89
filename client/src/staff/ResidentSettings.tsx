import { LIMITS, type Resident, TEXT_SIZES } from "@letterbox/shared";
import { type FormEvent, useState } from "react";
import { LoadFailed } from "./Failed";
import { LANGUAGE_NAMES } from "./format";
import { checkResidentForm, formFromResident, RETENTION, type ResidentForm, residentPatch, type TextSize } from "./resident-form";
import { href } from "./route";
import { navigate } from "./session";
import { relay } from "./staff-api";
import { Loading, Page, Radios, TextInput } from "./ui";
import { useForm } from "./use-form";
import { useLoad } from "./use-load";

export function ResidentSettings({ id }: { id: string }) {
  const loaded = useLoad(() => relay.resident(id), id);
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  return <SettingsForm resident={loaded.data} />;
}

const TEXT_SIZE_WORDS: Record<TextSize, string> = { large: "Large", larger: "Larger", largest: "Largest" };

function SettingsForm({ resident }: { resident: Resident }) {
  const [f, setF] = useState<ResidentForm>(() => formFromResident(resident));
  const set = <K extends keyof ResidentForm>(key: K, value: ResidentForm[K]) => setF((old) => ({ ...old, [key]: value }));
  const form = useForm({
    fullName: { id: "fullName", label: "Full name" },
    preferredName: { id: "preferredName", label: "Preferred name" },
    language: { id: "language", label: "Language" },
    replyOptions: { id: "reply-0", label: "Reply buttons" },
    quietHours: { id: "quietStart", label: "Quiet hours" },
    textSize: { id: "textSize", label: "Text size" },
    familySeesAll: { id: "familySeesAll", label: "Family see each other’s messages" },
    retentionDays: { id: "retentionDays", label: "Keep messages for" },
  });
  const back = { href: href({ page: "resident", id: resident.id }), text: `Back to ${resident.fullName}` };
  const name = f.preferredName.trim() || resident.preferredName;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void form.run(
      () => checkResidentForm(f),
      async () => {
        const patch = residentPatch(resident, f);
        if (Object.keys(patch).length > 0) await relay.updateResident(resident.id, patch);
        navigate({ page: "resident", id: resident.id }, "Details and tablet settings saved.");
      },
    );
  };

  return (
    <Page title="Details and tablet settings" caption={resident.fullName} back={back} problems={form.problems}>
      <form onSubmit={submit} noValidate>
        <h2>Details</h2>
        <TextInput
          id="fullName"
          label="Full name"
          autoComplete="off"
          spellCheck={false}
          value={f.fullName}
          onChange={(e) => set("fullName", e.target.value)}
          error={form.errorFor("fullName")}
        />
        <TextInput
          id="preferredName"
          label="Preferred name"
          hint="What family call them. The tablet uses this name."
          autoComplete="off"
          spellCheck={false}
          value={f.preferredName}
          onChange={(e) => set("preferredName", e.target.value)}
          error={form.errorFor("preferredName")}
        />

        <h2>Tablet</h2>
        <Radios
          id="language"
          name="language"
          legend="Language on the tablet"
          choices={[
            { value: "en-GB", label: LANGUAGE_NAMES["en-GB"] },
            { value: "cy", label: <span lang="cy">Cymraeg</span>, hint: "Welsh" },
          ]}
          value={f.language}
          onChange={(v) => set("language", v)}
          error={form.errorFor("language")}
        />

        <div className={`form-group${form.errorFor("reply-0") ? " form-group-error" : ""}`}>
          <fieldset aria-describedby="replies-hint">
            <legend>Reply buttons</legend>
            <div id="replies-hint" className="hint">
              Up to {LIMITS.replyOptionsMax} short replies {name} can send with one tap, for example “Please ring me”. Leave a box
              empty to remove that button.
            </div>
            {f.replies.map((reply, i) => {
              const replyId = `reply-${i}`;
              const error = form.errorFor(replyId);
              return (
                <div key={replyId} className="reply-field">
                  <label htmlFor={replyId} className="label-light">
                    Reply button {i + 1}
                  </label>
                  {error && (
                    <p id={`${replyId}-error`} className="error-message">
                      <span className="visually-hidden">Error:</span> {error}
                    </p>
                  )}
                  <input
                    id={replyId}
                    lang={f.language}
                    value={reply}
                    autoComplete="off"
                    className={error ? "input-error" : undefined}
                    aria-describedby={error ? `${replyId}-error` : undefined}
                    onChange={(e) =>
                      set(
                        "replies",
                        f.replies.map((r, j) => (j === i ? e.target.value : r)),
                      )
                    }
                  />
                </div>
              );
            })}
          </fieldset>
        </div>

        <Radios
          id="quietHours"
          name="quietHours"
          legend="Quiet hours"
          hint="The screen dims to a night clock and does not chime. Messages still arrive."
          choices={[
            { value: "on", label: "On" },
            { value: "off", label: "Off" },
          ]}
          value={f.quietHours ? "on" : "off"}
          onChange={(v) => set("quietHours", v === "on")}
          reveal={{
            on: (
              <div className="time-pair">
                <TextInput
                  id="quietStart"
                  label="From"
                  type="time"
                  width="short"
                  value={f.quietStart}
                  onChange={(e) => set("quietStart", e.target.value)}
                  error={form.errorFor("quietStart")}
                />
                <TextInput
                  id="quietEnd"
                  label="Until"
                  type="time"
                  width="short"
                  value={f.quietEnd}
                  onChange={(e) => set("quietEnd", e.target.value)}
                  error={form.errorFor("quietEnd")}
                />
              </div>
            ),
          }}
        />

        <Radios
          id="textSize"
          name="textSize"
          legend="Text size"
          choices={TEXT_SIZES.map((size) => ({ value: size, label: TEXT_SIZE_WORDS[size] }))}
          value={f.textSize}
          onChange={(v) => set("textSize", v)}
          error={form.errorFor("textSize")}
        />

        <h2>Family and privacy</h2>
        <Radios
          id="familySeesAll"
          name="familySeesAll"
          legend="Can family members see each other’s messages?"
          choices={[
            { value: "no", label: "No", hint: `Each sees only their own messages and ${name}’s replies to them.` },
            { value: "yes", label: "Yes", hint: `Everyone with a link sees every message to ${name}.` },
          ]}
          value={f.familySeesAll ? "yes" : "no"}
          onChange={(v) => set("familySeesAll", v === "yes")}
          error={form.errorFor("familySeesAll")}
        />
        <TextInput
          id="retentionDays"
          label="Keep messages and photos for (days)"
          hint={`Older ones are deleted from the relay, the tablet and family phones. Between ${RETENTION.min} and ${RETENTION.max} days.`}
          inputMode="numeric"
          width="short"
          value={f.retentionDays}
          onChange={(e) => set("retentionDays", e.target.value)}
          error={form.errorFor("retentionDays")}
        />

        <div className="button-group">
          <button type="submit" disabled={form.busy}>
            Save
          </button>
          <a href={back.href}>Cancel</a>
        </div>
      </form>
    </Page>
  );
}
