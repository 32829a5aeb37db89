import { type DashboardRow, LIMITS } from "@letterbox/shared";
import { type FormEvent, useEffect } from "react";
import { useNow } from "../kit/use-now";
import { ALERT_TONE, alertText, FILTER_REASONS, REASON_WORDS } from "./alerts";
import { LoadFailed } from "./Failed";
import { ago, date, plural } from "./format";
import { pageLinks, shownRange } from "./pagination";
import { type DashboardView, href } from "./route";
import { navigate } from "./session";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";
import { useLoad } from "./use-load";

/** The dashboard refreshes itself this often, so a screen left open stays true. */
const REFRESH_MS = 60_000;

/**
 * The landing page: the residents, those who need attention first (the relay sorts them and sends
 * one page), found by name or by what needs attention.
 */
export function Dashboard({ view = {} }: { view?: DashboardView }) {
  const loaded = useLoad(() => relay.dashboard(view), "");
  const now = useNow(REFRESH_MS);
  const reload = loaded.state === "ready" ? loaded.reload : null;
  useEffect(() => {
    if (!reload) return;
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  if (loaded.state === "loading") return <Loading />;
  if (loaded.state === "failed") return <LoadFailed error={loaded.error} retry={loaded.retry} />;
  const { rows, residents, needingAttention, matching, page, pageSize } = loaded.data;
  const searching = Boolean(view.q || view.reason);

  return (
    <Page title="Residents">
      <p>
        <a className="button" href={href({ page: "addResident" })}>
          Add a resident
        </a>
      </p>
      {residents === 0 ? (
        <p>No residents yet. Add the first one to set up their tablet and family links.</p>
      ) : (
        <>
          <p>
            {needingAttention === 0
              ? "Nothing needs attention."
              : `${plural(needingAttention, { one: "resident needs", other: "residents need" })} attention. They are listed first.`}
          </p>
          <SearchForm view={view} />
          {matching === 0 ? (
            <p>
              No residents match your search. <a href={href({ page: "dashboard" })}>Show all residents</a>
            </p>
          ) : (
            <>
              <p>
                {shownRange(page, pageSize, rows.length, matching)}
                {searching && (
                  <>
                    {" "}
                    matching your search. <a href={href({ page: "dashboard" })}>Show all residents</a>
                  </>
                )}
              </p>
              <table className="table table-cards">
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
              <Pagination view={view} page={page} pages={Math.ceil(matching / pageSize)} />
            </>
          )}
        </>
      )}
      <p>
        <a href={href({ page: "archived" })}>Archived residents</a>
      </p>
    </Page>
  );
}

/** A name and a reason; searching starts again at page 1. */
function SearchForm({ view }: { view: DashboardView }) {
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const reason = FILTER_REASONS.find((r) => r === form.get("reason"));
    navigate({ page: "dashboard", view: { q: String(form.get("q") ?? "").trim(), ...(reason ? { reason } : {}) } });
  };
  return (
    <search className="search-panel" aria-label="Find residents">
      <form onSubmit={search}>
        <div className="search-fields">
          <div className="form-group">
            <label htmlFor="search-name">Name</label>
            <input id="search-name" name="q" type="search" defaultValue={view.q ?? ""} maxLength={LIMITS.nameMax} />
          </div>
          <div className="form-group">
            <label htmlFor="search-reason">Needs attention</label>
            <select id="search-reason" name="reason" defaultValue={view.reason ?? ""}>
              <option value="">Any reason, or none</option>
              {FILTER_REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {REASON_WORDS[reason]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">Search</button>
        </div>
      </form>
    </search>
  );
}

/** Previous, the page numbers around this one, next: plain links, so back and forward work. */
function Pagination({ view, page, pages }: { view: DashboardView; page: number; pages: number }) {
  if (pages <= 1) return null;
  const to = (n: number) => href({ page: "dashboard", view: { ...view, page: n } });
  return (
    <nav className="pagination" aria-label="Pages of residents">
      {page > 1 && (
        <a className="pagination-step" href={to(page - 1)} rel="prev">
          Previous<span className="visually-hidden"> page</span>
        </a>
      )}
      <ul className="pagination-list">
        {pageLinks(page, pages).map((n, i) =>
          n === null ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: a gap has no number of its own; its place is fixed for one render.
            <li key={`gap-${i}`} className="pagination-gap">
              …
            </li>
          ) : (
            <li key={n}>
              <a href={to(n)} aria-label={`Page ${n}`} aria-current={n === page ? "page" : undefined}>
                {n}
              </a>
            </li>
          ),
        )}
      </ul>
      {page < pages && (
        <a className="pagination-step" href={to(page + 1)} rel="next">
          Next<span className="visually-hidden"> page</span>
        </a>
      )}
    </nav>
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
      <td data-label="Needs attention">
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
      <td data-label="Tablet">
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
      <td data-label="Messages">
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
