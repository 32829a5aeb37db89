import type { DashboardRow } from "@letterbox/shared";
import { useEffect } from "react";
import { useNow } from "../kit/use-now";
import { ALERT_TONE, alertText } from "./alerts";
import { LoadFailed } from "./Failed";
import { ago, date, plural } from "./format";
import { href } from "./route";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";
import { useLoad } from "./use-load";

/** The dashboard refreshes itself this often, so a screen left open stays true. */
const REFRESH_MS = 60_000;

/** The landing page: every resident, those who need attention first (the relay sorts them). */
export function Dashboard() {
  const loaded = useLoad(() => relay.dashboard(), "");
  const now = useNow(REFRESH_MS);
  const reload = loaded.state === "ready" ? loaded.reload : null;
  useEffect(() => {
    if (!reload) return;
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { rows } = loaded.data;
  const needing = rows.filter((r) => r.alerts.some((a) => a !== "paused")).length;

  return (
    <Page title="Residents">
      <p>
        <a className="button" href={href({ page: "addResident" })}>
          Add a resident
        </a>
      </p>
      {rows.length === 0 ? (
        <p>No residents yet. Add the first one to set up their tablet and family links.</p>
      ) : (
        <>
          <p>
            {needing === 0
              ? "Nothing needs attention."
              : `${plural(needing, "resident needs", "residents need")} attention. They are listed first.`}
          </p>
          <table className="table">
            <caption className="visually-hidden">Residents, those who need attention first</caption>
            <thead>
              <tr>
                <th scope="col">Resident</th>
                <th scope="col">Needs attention</th>
                <th scope="col">Tablet</th>
                <th scope="col">Messages</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ResidentRow key={row.resident.id} row={row} now={now} />
              ))}
            </tbody>
          </table>
        </>
      )}
      <p>
        <a href={href({ page: "archived" })}>Archived residents</a>
      </p>
    </Page>
  );
}

function ResidentRow({ row, now }: { row: DashboardRow; now: Date }) {
  const { resident, tablet } = row;
  const noTablet = row.alerts.includes("tablet_never_set_up");
  return (
    <tr>
      <th scope="row">
        <a href={href({ page: "resident", id: resident.id })}>{resident.fullName}</a>
        {resident.preferredName !== resident.fullName && <span className="meta block">Known as {resident.preferredName}</span>}
      </th>
      <td>
        {row.alerts.length === 0 ? (
          <span className="meta">Nothing</span>
        ) : (
          <ul className="tags">
            {row.alerts.map((alert) => (
              <li key={alert} className={`tag tag-${ALERT_TONE[alert]}`}>
                {alertText(alert, row, now)}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>
        {noTablet ? (
          <span className="meta">No tablet</span>
        ) : (
          <>
            <span className="block">
              {/* The row does not say whether a tablet is paired, only when one was last seen. */}
              {tablet.online
                ? "Online now"
                : tablet.lastSeenAt
                  ? `Last seen ${ago(tablet.lastSeenAt, now)}`
                  : "No tablet seen yet"}
            </span>
            {tablet.appVersion && <span className="meta block">Version {tablet.appVersion}</span>}
          </>
        )}
      </td>
      <td>
        <span className="block">{row.unseenCount === 0 ? "None unseen" : `${row.unseenCount} unseen`}</span>
        <span className="meta block">
          {row.lastSeenMessageAt ? `Last one seen ${ago(row.lastSeenMessageAt, now)}` : "No message seen yet"}
        </span>
        <span className="meta block">
          {row.lastFamilyMessageAt ? `Family wrote ${ago(row.lastFamilyMessageAt, now)}` : "No family message yet"}
        </span>
      </td>
    </tr>
  );
}

/** Archived residents are off the dashboard; their records are kept until erased. */
export function Archived() {
  const loaded = useLoad(() => relay.residents(), "");
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const archived = loaded.data.filter((r) => r.archivedAt !== null);
  return (
    <Page title="Archived residents" back={{ href: "#/", text: "Back to residents" }}>
      <p>Archived residents are not on the dashboard. Their records are kept until you erase them.</p>
      {archived.length === 0 ? (
        <p>No residents are archived.</p>
      ) : (
        <ul className="list">
          {archived.map((r) => (
            <li key={r.id}>
              <a href={href({ page: "resident", id: r.id })}>{r.fullName}</a>{" "}
              <span className="meta">archived on {date(r.archivedAt ?? r.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
