import type { StaffMember } from "@letterbox/shared";
import { type ReactNode, Suspense, useCallback, useEffect, useState } from "react";
import { lazyNamed } from "../kit/lazy-named";
import { NeedsAdmin, NotFound } from "./Failed";
import { entryLink, href, type Route } from "./route";
import { AcceptInvite, FirstAccount, SignIn } from "./SignIn";
import { SessionContext, useRoute } from "./session";
import { relay } from "./staff-api";
import { Loading, Page } from "./ui";

// The first load draws the sign-in page; the console's pages (and zod, which some of their forms
// use through @letterbox/shared) are fetched once someone is signed in, each page on its own.
const Dashboard = lazyNamed(() => import("./Dashboard"), "Dashboard");
const Archived = lazyNamed(() => import("./Dashboard"), "Archived");
const AddResident = lazyNamed(() => import("./ResidentPage"), "AddResident");
const ResidentPage = lazyNamed(() => import("./ResidentPage"), "ResidentPage");
const ResidentSettings = lazyNamed(() => import("./ResidentSettings"), "ResidentSettings");
const SetUpTablet = lazyNamed(() => import("./TabletPages"), "SetUpTablet");
const WipeTablet = lazyNamed(() => import("./TabletPages"), "WipeTablet");
const NewFamilyLink = lazyNamed(() => import("./FamilyLinkPages"), "NewFamilyLink");
const RevokeFamilyLink = lazyNamed(() => import("./FamilyLinkPages"), "RevokeFamilyLink");
const ReissueFamilyLink = lazyNamed(() => import("./FamilyLinkPages"), "ReissueFamilyLink");
const EditFamilyLink = lazyNamed(() => import("./FamilyLinkPages"), "EditFamilyLink");
const WelcomeLetter = lazyNamed(() => import("./WelcomeLetter"), "WelcomeLetter");
const ErasePage = lazyNamed(() => import("./ErasePage"), "ErasePage");
const StaffList = lazyNamed(() => import("./StaffPages"), "StaffList");
const InvitePage = lazyNamed(() => import("./StaffPages"), "InvitePage");
const AuditLog = lazyNamed(() => import("./AuditLog"), "AuditLog");
const OrgSettingsPage = lazyNamed(() => import("./OrgSettingsPage"), "OrgSettingsPage");

export function App() {
  const [entry, setEntry] = useState(() => entryLink(location.hash));
  const [staff, setStaff] = useState<StaffMember | null | undefined>(undefined);
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

function Pages({ route, staff }: { route: Route; staff: StaffMember }) {
  const admin = staff.role === "admin";
  switch (route.page) {
    case "dashboard":
      // A new search or page is a new page: it loads afresh and its heading takes focus.
      return <Dashboard key={href(route)} view={route.view ?? {}} />;
    case "archived":
      return <Archived />;
    case "addResident":
      return <AddResident />;
    case "resident":
      return <ResidentPage key={route.id} id={route.id} />;
    case "residentSettings":
      return <ResidentSettings key={route.id} id={route.id} />;
    case "setUpTablet":
      return <SetUpTablet key={route.id} id={route.id} />;
    case "wipeTablet":
      return <WipeTablet key={route.deviceId} id={route.id} deviceId={route.deviceId} />;
    case "newFamilyLink":
      return <NewFamilyLink key={route.id} id={route.id} />;
    case "editFamilyLink":
      return <EditFamilyLink key={route.linkId} id={route.id} linkId={route.linkId} />;
    case "revokeFamilyLink":
      return <RevokeFamilyLink key={route.linkId} id={route.id} linkId={route.linkId} />;
    case "reissueFamilyLink":
      return <ReissueFamilyLink key={route.linkId} id={route.id} linkId={route.linkId} />;
    case "welcomeLetter":
      return <WelcomeLetter key={route.linkId} id={route.id} linkId={route.linkId} />;
    case "erase":
      return <ErasePage key={route.id} id={route.id} />;
    case "staff":
      return admin ? <StaffList /> : <NeedsAdmin />;
    case "invite":
      return admin ? <InvitePage /> : <NeedsAdmin />;
    case "audit":
      return admin ? <AuditLog /> : <NeedsAdmin />;
    case "settings":
      return admin ? <OrgSettingsPage /> : <NeedsAdmin />;
    case "notFound":
      return <NotFound />;
  }
}

const SECTIONS = [
  { href: "#/", text: "Residents", pages: ["dashboard", "archived", "addResident"], admin: false },
  { href: "#/staff", text: "Staff", pages: ["staff", "invite"], admin: true },
  { href: "#/audit", text: "Audit log", pages: ["audit"], admin: true },
  { href: "#/settings", text: "Settings", pages: ["settings"], admin: true },
];

function Shell({
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
  const inResident = route && "id" in route;
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
              const current = route && (s.pages.includes(route.page) || (s.href === "#/" && inResident));
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
