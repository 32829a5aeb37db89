import { FIRST_SCREEN_KEYS, type StaffMember } from "@letterbox/shared";
import { type ComponentType, type ReactNode, Suspense, useCallback, useEffect, useState } from "react";
import { drawnScreenShown, rememberForFirstScreen, useTakeOverDrawnScreen } from "../kit/first-screen";
import { NeedsAdmin, NotFound } from "./Failed";
import { PAGES, type Section } from "./pages";
import { entryLink, href, type Route } from "./route";
import { AcceptInvite, FirstAccount, SignIn } from "./SignIn";
import { SessionContext, useRoute } from "./session";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";

export function App() {
  const [entry, setEntry] = useState(() => entryLink(location.hash));
  // Signed out, as far as this browser knows, when the sign-in page drawn in the HTML is showing:
  // it stays while the relay is asked, and gives way to the dashboard if the relay says otherwise.
  const [staff, setStaff] = useState<StaffMember | null | undefined>(() => (drawnScreenShown() ? null : undefined));
  useTakeOverDrawnScreen();
  const route = useRoute();

  // A set-up or invitation link pasted into a tab already on the console changes only the fragment.
  useEffect(() => {
    const changed = () => {
      const link = entryLink(location.hash);
      if (link) setEntry(link);
    };
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);

  useEffect(() => {
    relay
      .session()
      .then((session) => setStaff(session.signedIn ? session.staff : null))
      .catch(() => setStaff(null));
  }, []);

  useEffect(() => {
    if (staff !== undefined) rememberForFirstScreen(FIRST_SCREEN_KEYS.staffSignedIn, staff !== null);
  }, [staff]);

  const signedIn = (member: StaffMember) => {
    // The one-time link is spent: keep it out of the history, and open the dashboard.
    if (entryLink(location.hash)) history.replaceState(null, "", `${location.pathname}#/`);
    setEntry(null);
    setStaff(member);
  };
  const signedOut = useCallback(() => setStaff(null), []);
  const signOut = () => {
    relay
      .logout()
      .catch(() => {})
      .finally(() => {
        history.replaceState(null, "", `${location.pathname}#/`);
        setStaff(null);
      });
  };

  if (staff === undefined) {
    return (
      <Shell>
        <Loading />
      </Shell>
    );
  }
  if (staff === null) {
    return (
      <Shell>
        {entry?.kind === "setup" ? (
          <FirstAccount token={entry.token} onDone={signedIn} />
        ) : entry?.kind === "invite" ? (
          <AcceptInvite token={entry.token} onDone={signedIn} />
        ) : (
          <SignIn onDone={signedIn} />
        )}
      </Shell>
    );
  }
  return (
    <SessionContext.Provider value={{ staff, signedOut }}>
      <Shell staff={staff} route={route} onSignOut={signOut}>
        {entry ? (
          <AlreadySignedIn
            staff={staff}
            onSignOut={signOut}
            onDismiss={() => {
              history.replaceState(null, "", `${location.pathname}#/`);
              setEntry(null);
            }}
          />
        ) : (
          <Suspense fallback={<Loading />}>
            <Pages route={route} staff={staff} />
          </Suspense>
        )}
      </Shell>
    </SessionContext.Provider>
  );
}

/** The page the address names, from the table in pages.ts; its ids (and the dashboard's view) are its props. */
function Pages({ route, staff }: { route: Route; staff: StaffMember }) {
  if (route.page === "notFound") return <NotFound />;
  const entry = PAGES[route.page];
  if (entry.admin && staff.role !== "admin") return <NeedsAdmin />;
  // The table's rows check each component takes its path's ids; here they are one union.
  const Component = entry.component as ComponentType<Omit<Route, "page">>;
  const { page: _, ...props } = route;
  // Another address is a new page (a new search, another resident): it loads afresh and its heading takes focus.
  return <Component key={href(route)} {...props} />;
}

const SECTIONS: { section: Section; href: string; text: string; admin: boolean }[] = [
  { section: "residents", href: href({ page: "dashboard" }), text: "Residents", admin: false },
  { section: "staff", href: href({ page: "staff" }), text: "Staff", admin: true },
  { section: "audit", href: href({ page: "audit" }), text: "Audit log", admin: true },
  { section: "settings", href: href({ page: "settings" }), text: "Settings", admin: true },
];

export function Shell({
  staff,
  route,
  onSignOut,
  children,
}: {
  staff?: StaffMember;
  route?: Route;
  onSignOut?: () => void;
  children: ReactNode;
}) {
  const section = route && route.page !== "notFound" ? PAGES[route.page].section : null;
  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: following "#main" would replace the page's hash route, so the click moves focus itself. */}
      <a
        href="#main"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="staff-header">
        <a className="service-name" href="#/">
          Letterbox <span className="service-sub">staff console</span>
        </a>
        {staff && (
          <div className="account">
            <span>
              {staff.name} <span className="role">({staff.role === "admin" ? "administrator" : "officer"})</span>
            </span>
            <button type="button" className="header-button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {staff && (
        <nav className="staff-nav" aria-label="Console">
          <ul>
            {SECTIONS.filter((s) => !s.admin || staff.role === "admin").map((s) => {
              const current = s.section === section;
              return (
                <li key={s.href}>
                  <a href={s.href} aria-current={current ? "page" : undefined}>
                    {s.text}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A set-up or invitation link opened in a browser that is already signed in. */
function AlreadySignedIn({ staff, onSignOut, onDismiss }: { staff: StaffMember; onSignOut: () => void; onDismiss: () => void }) {
  return (
    <Page title="You are already signed in">
      <p>
        You are signed in as {staff.name}. This link is for creating a new staff account. To use it, sign out first: the form to
        create the account opens next.
      </p>
      <button type="button" onClick={onSignOut}>
        Sign out and continue
      </button>
      <p>
        <button type="button" className="link-button" onClick={onDismiss}>
          Go to the dashboard instead
        </button>
      </p>
    </Page>
  );
}
