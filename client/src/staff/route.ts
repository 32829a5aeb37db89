import { ALERTS, type Alert, LIMITS } from "@letterbox/shared";

/**
 * The console's pages as hash routes (`#/residents/<id>`): no router library, and the server only
 * ever serves /staff. Fragments that are not routes (`#setup=…`, `#invite=…`) are one-time entry
 * links, read before any route.
 */
export type Route =
  | { page: "dashboard"; view?: DashboardView }
  | { page: "addResident" }
  | { page: "archived" }
  | { page: "resident"; id: string }
  | { page: "residentSettings"; id: string }
  | { page: "setUpTablet"; id: string }
  | { page: "wipeTablet"; id: string; deviceId: string }
  | { page: "newFamilyLink"; id: string }
  | { page: "editFamilyLink"; id: string; linkId: string }
  | { page: "revokeFamilyLink"; id: string; linkId: string }
  | { page: "reissueFamilyLink"; id: string; linkId: string }
  | { page: "welcomeLetter"; id: string; linkId: string }
  | { page: "erase"; id: string }
  | { page: "staff" }
  | { page: "invite" }
  | { page: "audit" }
  | { page: "settings" }
  | { page: "notFound" };

/**
 * Which residents the dashboard shows: a name search, one "needs attention" reason, a page (from
 * 1). Kept in the address (`#/?q=jones&reason=tablet_offline&page=2`) so back and forward work.
 */
export type DashboardView = { q?: string; reason?: Alert; page?: number };

const ID = "[0-9a-fA-F-]{36}";

/** What the address asks of the dashboard; values the relay would refuse are left out. */
function dashboardView(query: string): DashboardView {
  const params = new URLSearchParams(query);
  const view: DashboardView = {};
  const q = params.get("q")?.trim().slice(0, LIMITS.nameMax);
  if (q) view.q = q;
  const reason = ALERTS.find((a) => a === params.get("reason"));
  if (reason) view.reason = reason;
  const page = Number(params.get("page"));
  if (Number.isInteger(page) && page > 1 && page <= 100_000) view.page = page;
  return view;
}

const patterns: [RegExp, (m: string[]) => Route][] = [
  [/^residents\/new$/, () => ({ page: "addResident" })],
  [/^residents\/archived$/, () => ({ page: "archived" })],
  [new RegExp(`^residents/(${ID})$`), ([id = ""]) => ({ page: "resident", id })],
  [new RegExp(`^residents/(${ID})/settings$`), ([id = ""]) => ({ page: "residentSettings", id })],
  [new RegExp(`^residents/(${ID})/tablets/new$`), ([id = ""]) => ({ page: "setUpTablet", id })],
  [new RegExp(`^residents/(${ID})/tablets/(${ID})/wipe$`), ([id = "", deviceId = ""]) => ({ page: "wipeTablet", id, deviceId })],
  [new RegExp(`^residents/(${ID})/family-links/new$`), ([id = ""]) => ({ page: "newFamilyLink", id })],
  [
    new RegExp(`^residents/(${ID})/family-links/(${ID})/(edit|revoke|reissue|letter)$`),
    ([id = "", linkId = "", action]) =>
      action === "edit"
        ? { page: "editFamilyLink", id, linkId }
        : action === "revoke"
          ? { page: "revokeFamilyLink", id, linkId }
          : action === "reissue"
            ? { page: "reissueFamilyLink", id, linkId }
            : { page: "welcomeLetter", id, linkId },
  ],
  [new RegExp(`^residents/(${ID})/erase$`), ([id = ""]) => ({ page: "erase", id })],
  [/^staff$/, () => ({ page: "staff" })],
  [/^staff\/invite$/, () => ({ page: "invite" })],
  [/^audit$/, () => ({ page: "audit" })],
  [/^settings$/, () => ({ page: "settings" })],
];

/** `#/residents/<id>` → the resident's page. Anything that is not a route is the dashboard's `#/`. */
export function parseRoute(hash: string): Route {
  const [address = "", query = ""] = hash.split("?", 2);
  const path = address.replace(/^#\/?/, "").replace(/\/+$/, "");
  if (!hash.startsWith("#/") && hash !== "#" && hash !== "") return { page: "dashboard" };
  if (path === "") {
    const view = dashboardView(query);
    return Object.keys(view).length > 0 ? { page: "dashboard", view } : { page: "dashboard" };
  }
  for (const [pattern, make] of patterns) {
    const match = pattern.exec(path);
    if (match) return make(match.slice(1));
  }
  return { page: "notFound" };
}

/** The address of a page, for links: the inverse of parseRoute. */
export function href(route: Route): string {
  switch (route.page) {
    case "dashboard": {
      const { q, reason, page } = route.view ?? {};
      const query = new URLSearchParams();
      if (q) query.set("q", q);
      if (reason) query.set("reason", reason);
      if (page && page > 1) query.set("page", String(page));
      const text = query.toString();
      return text ? `#/?${text}` : "#/";
    }
    case "notFound":
      return "#/";
    case "addResident":
      return "#/residents/new";
    case "archived":
      return "#/residents/archived";
    case "resident":
      return `#/residents/${route.id}`;
    case "residentSettings":
      return `#/residents/${route.id}/settings`;
    case "setUpTablet":
      return `#/residents/${route.id}/tablets/new`;
    case "wipeTablet":
      return `#/residents/${route.id}/tablets/${route.deviceId}/wipe`;
    case "newFamilyLink":
      return `#/residents/${route.id}/family-links/new`;
    case "editFamilyLink":
      return `#/residents/${route.id}/family-links/${route.linkId}/edit`;
    case "revokeFamilyLink":
      return `#/residents/${route.id}/family-links/${route.linkId}/revoke`;
    case "reissueFamilyLink":
      return `#/residents/${route.id}/family-links/${route.linkId}/reissue`;
    case "welcomeLetter":
      return `#/residents/${route.id}/family-links/${route.linkId}/letter`;
    case "erase":
      return `#/residents/${route.id}/erase`;
    case "staff":
      return "#/staff";
    case "invite":
      return "#/staff/invite";
    case "audit":
      return "#/audit";
    case "settings":
      return "#/settings";
  }
}

export type EntryLink = { kind: "setup" | "invite"; token: string };

/** The one-time links the relay hands out: `/staff#setup=<token>` and `/staff#invite=<token>`. */
export function entryLink(hash: string): EntryLink | null {
  if (hash.startsWith("#/")) return null;
  const params = new URLSearchParams(hash.slice(1));
  const setup = params.get("setup");
  if (setup) return { kind: "setup", token: setup };
  const invite = params.get("invite");
  if (invite) return { kind: "invite", token: invite };
  return null;
}
