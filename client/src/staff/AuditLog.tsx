import { actionWords, detailWords } from "./audit-words";
import { LoadFailed } from "./Failed";
import { dateTime } from "./format";
import { href } from "./route";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";
import { useLoad } from "./use-load";

/** Who did what, when and from where: newest first. The CSV holds every entry, with ids. */
export function AuditLog() {
  const loaded = useLoad(async () => {
    const [entries, residents, settings] = await Promise.all([relay.audit(), relay.residents(), relay.settings()]);
    return { entries, names: new Map(residents.map((r) => [r.id, r.fullName])), keptDays: settings.auditRetentionDays };
  }, "");
  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { entries, names, keptDays } = loaded.data;
  return (
    <Page title="Audit log">
      <p>
        Every action by staff, newest first. Entries are kept for {keptDays} days (change this in{" "}
        <a href={href({ page: "settings" })}>settings</a>). Downloading the log is itself recorded.
      </p>
      <p>
        <a className="button button-secondary" href={relay.auditCsvUrl} download>
          Download CSV
        </a>
      </p>
      {entries.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <table className="table table-small table-cards">
          <caption className="visually-hidden">Audit log entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Resident</th>
              <th scope="col">Details</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              // Entries have no id of their own; their order is fixed for one load.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above.
              <tr key={i}>
                <td data-label="When">{dateTime(e.at)}</td>
                <td data-label="Who">{e.staffName}</td>
                <td data-label="What">{actionWords(e.action)}</td>
                <td data-label="Resident">
                  {e.residentId === null ? (
                    ""
                  ) : names.has(e.residentId) ? (
                    <a href={href({ page: "resident", id: e.residentId })}>{names.get(e.residentId)}</a>
                  ) : (
                    <span className="meta">Erased resident</span>
                  )}
                </td>
                <td data-label="Details">{detailWords(e)}</td>
                <td data-label="From" className="meta break-anywhere">
                  {e.source}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
