import type { DashboardRow, Device, FamilyLink, Resident } from "@letterbox/shared";
import { type FormEvent, useState } from "react";
import { useNow } from "../kit/use-now";
import { ALERT_TONE, alertText } from "./alerts";
import { LoadFailed } from "./Failed";
import { date, dateTime, LANGUAGE_NAMES } from "./format";
import { isSignedOut, type Problem, problemsFrom } from "./problems";
import { href } from "./route";
import { navigate, useSession } from "./session";
import { relay } from "./staff-api";
import { TabletHealth } from "./TabletPages";
import { Banner, Loading, Page, SummaryList, TextInput } from "./ui";
import { field, useForm } from "./use-form";
import { useLoad } from "./use-load";

export function AddResident() {
  const form = useForm({
    fullName: { id: "fullName", label: "Full name" },
    preferredName: { id: "preferredName", label: "Preferred name" },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const fullName = field(data, "fullName").trim();
    const preferredName = field(data, "preferredName").trim();
    void form.run(
      () => [
        ...(fullName ? [] : [{ text: "Enter the resident’s full name", fieldId: "fullName" }]),
        ...(preferredName ? [] : [{ text: "Enter the name the tablet calls them by", fieldId: "preferredName" }]),
      ],
      async () => {
        const resident = await relay.createResident(fullName, preferredName);
        navigate({ page: "resident", id: resident.id }, `${resident.fullName} has been added.`);
      },
    );
  };
  return (
    <Page title="Add a resident" back={{ href: "#/", text: "Back to residents" }} problems={form.problems}>
      <form onSubmit={submit} noValidate>
        <TextInput id="fullName" label="Full name" autoComplete="off" spellCheck={false} error={form.errorFor("fullName")} />
        <TextInput
          id="preferredName"
          label="Preferred name"
          hint="What family call them. The tablet uses this name, for example “Margaret” or “Nan”."
          autoComplete="off"
          spellCheck={false}
          error={form.errorFor("preferredName")}
        />
        <button type="submit" disabled={form.busy}>
          Add resident
        </button>
      </form>
    </Page>
  );
}

type ResidentData = { resident: Resident; devices: Device[]; links: FamilyLink[]; alerts: DashboardRow | undefined };

async function loadResident(id: string): Promise<ResidentData> {
  const [resident, devices, links, row] = await Promise.all([
    relay.resident(id),
    relay.devices(id),
    relay.familyLinks(id),
    relay.dashboardRow(id),
  ]);
  return { resident, devices, links, alerts: row ?? undefined };
}

/** Everything about one resident: their tablet, family links, settings, and the data-protection duties. */
export function ResidentPage({ id }: { id: string }) {
  const loaded = useLoad(() => loadResident(id), id);
  const now = useNow();
  const { signedOut } = useSession();
  const [done, setDone] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);

  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { resident, devices, links, alerts } = loaded.data;
  const s = resident.settings;
  const name = resident.preferredName;
  const tablets = devices.filter((d) => d.wipedAt === null);
  const wiped = devices.filter((d) => d.wipedAt !== null);

  /** Pause and archive happen here, with a confirmation above the heading. */
  const act = async (action: () => Promise<unknown>, confirmation: string) => {
    setBusy(true);
    setProblems([]);
    setDone(null);
    try {
      await action();
      await loaded.reload();
      setDone(confirmation);
    } catch (err) {
      if (isSignedOut(err)) signedOut();
      else setProblems(problemsFrom(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page
      title={resident.fullName}
      caption="Resident"
      back={{ href: "#/", text: "Back to residents" }}
      problems={problems}
      done={done}
    >
      {resident.archivedAt && (
        <Banner tone="important">
          Archived on {date(resident.archivedAt)}. {resident.fullName} is not on the dashboard.
        </Banner>
      )}
      {s.paused && (
        <Banner tone="important">
          Messages are paused. {name}’s tablet shows a calm screen; family are told “Messages are paused for now” and can still
          send.
        </Banner>
      )}
      {alerts && alerts.alerts.length > 0 && (
        <ul className="tags" aria-label="Needs attention">
          {alerts.alerts.map((a) => (
            <li key={a} className={`tag tag-${ALERT_TONE[a]}`}>
              {alertText(a, alerts, now)}
            </li>
          ))}
        </ul>
      )}

      <h2>Tablet</h2>
      {tablets.length === 0 && <p>No tablet is set up for {name}.</p>}
      {tablets.map((d) => (
        <section key={d.id} className="tablet" aria-labelledby={`tablet-${d.id}`}>
          <h3 id={`tablet-${d.id}`}>Tablet set up on {dateTime(d.pairedAt)}</h3>
          <TabletHealth device={d} now={now} />
          <p>
            <a className="button button-warning" href={href({ page: "wipeTablet", id, deviceId: d.id })}>
              Wipe and unpair<span className="visually-hidden"> the tablet set up on {dateTime(d.pairedAt)}</span>
            </a>
          </p>
        </section>
      ))}
      <p>
        <a className={tablets.length === 0 ? "button" : "button button-secondary"} href={href({ page: "setUpTablet", id })}>
          {tablets.length === 0 ? "Set up a tablet" : "Set up another tablet"}
        </a>
      </p>
      {wiped.length > 0 && (
        <p className="meta">
          Earlier tablets: {wiped.map((d) => `set up ${date(d.pairedAt)}, wiped ${date(d.wipedAt ?? d.pairedAt)}`).join("; ")}.
        </p>
      )}

      <h2>Family links</h2>
      <FamilyLinksTable residentId={id} links={links} />
      <p>
        <a className="button" href={href({ page: "newFamilyLink", id })}>
          Create a family link
        </a>
      </p>

      <h2>Details and tablet settings</h2>
      <SummaryList
        label="Details and tablet settings"
        rows={[
          { key: "Full name", value: resident.fullName },
          { key: "Preferred name", value: resident.preferredName },
          { key: "Language", value: <span lang={s.language}>{LANGUAGE_NAMES[s.language]}</span> },
          {
            key: "Reply buttons",
            value:
              s.replyOptions.length === 0 ? (
                "None"
              ) : (
                <ul className="list" lang={s.language}>
                  {s.replyOptions.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              ),
          },
          { key: "Quiet hours", value: s.quietHours ? `${s.quietHours.start} to ${s.quietHours.end}` : "Off" },
          { key: "Text size", value: s.textSize.charAt(0).toUpperCase() + s.textSize.slice(1) },
          {
            key: "Family see each other’s messages",
            value: resident.familySeesAll ? "Yes" : "No, each sees only their own messages and the replies to them",
          },
          { key: "Keep messages for", value: `${resident.retentionDays} days` },
        ]}
      />
      <p>
        <a href={href({ page: "residentSettings", id })}>Change details and tablet settings</a>
      </p>

      <h2>{s.paused ? "Messages are paused" : "Pause messages"}</h2>
      <p>
        {s.paused
          ? `Resume when ${name} is ready: messages family sent while paused appear on the tablet.`
          : `For a hospital stay or a bereavement. ${name}’s tablet shows a calm screen, and family are told “Messages are paused for now”. They can still send; the messages wait until you resume.`}
      </p>
      <button
        type="button"
        className="button-secondary"
        disabled={busy}
        onClick={() =>
          void act(
            () => relay.updateResident(id, { paused: !s.paused }),
            s.paused ? `Messages to ${name} have resumed.` : `Messages to ${name} are paused.`,
          )
        }
      >
        {s.paused ? "Resume messages" : "Pause messages"}
      </button>

      <h2>Data protection</h2>
      <h3>Subject access</h3>
      <p>
        <a href={relay.exportUrl(id)} download>
          Download everything we hold about {resident.fullName}
        </a>
      </p>
      <p className="hint">
        A zip file with the messages, replies and photos, family links and tablet records. The download is recorded in the audit
        log.
      </p>
      <h3>{resident.archivedAt ? "Archived" : "Archive"}</h3>
      <p>
        {resident.archivedAt
          ? `Bring ${resident.fullName} back to the dashboard.`
          : `Takes ${resident.fullName} off the dashboard, for example when they have moved away. Nothing is deleted.`}
      </p>
      <button
        type="button"
        className="button-secondary"
        disabled={busy}
        onClick={() =>
          void act(
            () => (resident.archivedAt ? relay.unarchive(id) : relay.archive(id)),
            resident.archivedAt ? `${resident.fullName} is back on the dashboard.` : `${resident.fullName} has been archived.`,
          )
        }
      >
        {resident.archivedAt ? "Bring back from the archive" : "Archive this resident"}
      </button>
      <h3>Erasure</h3>
      <p>Deletes the resident and everything held about them, for good.</p>
      <p>
        <a className="button button-warning" href={href({ page: "erase", id })}>
          Erase this resident
        </a>
      </p>
    </Page>
  );
}

function FamilyLinksTable({ residentId, links }: { residentId: string; links: FamilyLink[] }) {
  if (links.length === 0) return <p>No family links yet.</p>;
  const sorted = [...links].sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null));
  return (
    <table className="table table-cards">
      <caption className="visually-hidden">Family links</caption>
      <thead>
        <tr>
          <th scope="col">Who</th>
          <th scope="col">Made</th>
          <th scope="col">Last used</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((l) => (
          <tr key={l.id}>
            <th scope="row">
              {l.label}
              {l.relationship && <span className="meta block">{l.relationship}</span>}
              {l.revokedAt && <span className="tag tag-info block-tag">Revoked {date(l.revokedAt)}</span>}
            </th>
            <td data-label="Made">{date(l.createdAt)}</td>
            <td data-label="Last used">{l.lastUsedAt ? dateTime(l.lastUsedAt) : "Not used yet"}</td>
            <td className="actions">
              <a href={href({ page: "editFamilyLink", id: residentId, linkId: l.id })}>
                Change<span className="visually-hidden"> the name or relationship for {l.label}</span>
              </a>
              <a href={href({ page: "reissueFamilyLink", id: residentId, linkId: l.id })}>
                Re-issue<span className="visually-hidden"> the link for {l.label}</span>
              </a>
              {!l.revokedAt && (
                <a href={href({ page: "revokeFamilyLink", id: residentId, linkId: l.id })}>
                  Revoke<span className="visually-hidden"> the link for {l.label}</span>
                </a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
