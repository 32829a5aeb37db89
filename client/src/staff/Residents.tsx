import type { CreatedFamilyLink, Resident, SetupCode } from "@letterbox/shared";
import { useCallback, useEffect, useState } from "react";
import { api, call } from "../api/client";
import { Problem } from "./Problem";
import { field, useSubmit } from "./use-form";

export function Residents() {
  const [residents, setResidents] = useState<Resident[] | null>(null);
  const reload = useCallback(async () => {
    setResidents((await call<{ residents: Resident[] }>(api.staff.residents.$get())).residents);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const { busy, problem, onSubmit } = useSubmit(async (data) => {
    await call(
      api.staff.residents.$post({ json: { fullName: field(data, "fullName"), preferredName: field(data, "preferredName") } }),
    );
    await reload();
  });

  return (
    <main>
      <h1>Residents</h1>
      {residents?.length === 0 && <p>No residents yet. Add the first one below.</p>}
      {residents?.map((r) => (
        <ResidentCard key={r.id} resident={r} />
      ))}
      <h2>Add a resident</h2>
      <form onSubmit={onSubmit}>
        <label htmlFor="fullName">Full name</label>
        <input id="fullName" name="fullName" autoComplete="off" required />
        <label htmlFor="preferredName">Preferred name</label>
        <p className="hint" id="preferredName-hint">
          What family call them on the tablet, for example “Margaret” or “Nan”.
        </p>
        <input id="preferredName" name="preferredName" autoComplete="off" aria-describedby="preferredName-hint" required />
        <Problem id="add-resident-problem" text={problem} />
        <button type="submit" disabled={busy}>
          Add resident
        </button>
      </form>
    </main>
  );
}

function ResidentCard({ resident }: { resident: Resident }) {
  const [link, setLink] = useState<CreatedFamilyLink | null>(null);
  const [setupCode, setSetupCode] = useState<SetupCode | null>(null);
  const param = { residentId: resident.id };
  const labelId = `label-${resident.id}`;

  const linkForm = useSubmit(async (data) => {
    const res = await call<{ link: CreatedFamilyLink }>(
      api.staff.residents[":residentId"]["family-links"].$post({ param, json: { label: field(data, "label") } }),
    );
    setLink(res.link);
  });
  const codeForm = useSubmit(async () => {
    const res = await call<{ setupCode: SetupCode }>(api.staff.residents[":residentId"]["setup-codes"].$post({ param }));
    setSetupCode(res.setupCode);
  });

  return (
    <section className="card" aria-labelledby={`resident-${resident.id}`}>
      <h2 id={`resident-${resident.id}`}>
        {resident.fullName} <span className="meta">({resident.preferredName})</span>
      </h2>

      <form onSubmit={linkForm.onSubmit}>
        <label htmlFor={labelId}>Family member</label>
        <p className="hint" id={`${labelId}-hint`}>
          Who the link is for, as {resident.preferredName} will see it, for example “Sarah (daughter)”.
        </p>
        <input id={labelId} name="label" autoComplete="off" aria-describedby={`${labelId}-hint`} required />
        <Problem id={`${labelId}-problem`} text={linkForm.problem} />
        <button type="submit" disabled={linkForm.busy}>
          Create family link
        </button>
      </form>
      {link && (
        <div>
          <label htmlFor={`link-${resident.id}`}>Private link for {link.label}</label>
          <p className="hint">Give this link only to {link.label}. It is shown once; make a new one if it is lost.</p>
          <input id={`link-${resident.id}`} readOnly value={link.url} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" className="secondary" onClick={() => void navigator.clipboard?.writeText(link.url)}>
            Copy link
          </button>
        </div>
      )}

      <form onSubmit={codeForm.onSubmit}>
        <button type="submit" disabled={codeForm.busy}>
          Set up a tablet
        </button>
        <Problem id={`code-${resident.id}-problem`} text={codeForm.problem} />
      </form>
      {setupCode && (
        <div>
          <p>
            On the tablet, open the Letterbox tablet app and type this code. It works once, until{" "}
            {new Date(setupCode.expiresAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}.
          </p>
          <output className="code" aria-label="Set-up code">
            {setupCode.code}
          </output>
        </div>
      )}
    </section>
  );
}
