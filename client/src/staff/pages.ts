import { ALERTS, type Alert, LIMITS } from "@letterbox/shared";
import type { ComponentType } from "react";
import { lazyNamed } from "../kit/lazy-named";

/**
 * Every page of the staff console, in one table: its address, the component that draws it (fetched
 * on first use, so the first load holds only the sign-in pages), whether only administrators may
 * open it, and which item of the console's menu it sits under. A `:name` in a path is an id, and
 * reaches the component as the prop of that name; route.ts reads and writes addresses from this
 * table, and the types of routes and links come from it, so a missing or misnamed id does not compile.
 */
export const PAGES = {
  dashboard: page(
    "",
    lazyNamed(() => import("./Dashboard"), "Dashboard"),
    { query: dashboardQuery() },
  ),
  addResident: page(
    "residents/new",
    lazyNamed(() => import("./ResidentPage"), "AddResident"),
  ),
  archived: page(
    "residents/archived",
    lazyNamed(() => import("./Dashboard"), "Archived"),
  ),
  resident: page(
    "residents/:id",
    lazyNamed(() => import("./ResidentPage"), "ResidentPage"),
  ),
  residentSettings: page(
    "residents/:id/settings",
    lazyNamed(() => import("./ResidentSettings"), "ResidentSettings"),
  ),
  setUpTablet: page(
    "residents/:id/tablets/new",
    lazyNamed(() => import("./TabletPages"), "SetUpTablet"),
  ),
  wipeTablet: page(
    "residents/:id/tablets/:deviceId/wipe",
    lazyNamed(() => import("./TabletPages"), "WipeTablet"),
  ),
  newFamilyLink: page(
    "residents/:id/family-links/new",
    lazyNamed(() => import("./FamilyLinkPages"), "NewFamilyLink"),
  ),
  editFamilyLink: page(
    "residents/:id/family-links/:linkId/edit",
    lazyNamed(() => import("./FamilyLinkPages"), "EditFamilyLink"),
  ),
  revokeFamilyLink: page(
    "residents/:id/family-links/:linkId/revoke",
    lazyNamed(() => import("./FamilyLinkPages"), "RevokeFamilyLink"),
  ),
  reissueFamilyLink: page(
    "residents/:id/family-links/:linkId/reissue",
    lazyNamed(() => import("./FamilyLinkPages"), "ReissueFamilyLink"),
  ),
  welcomeLetter: page(
    "residents/:id/family-links/:linkId/letter",
    lazyNamed(() => import("./WelcomeLetter"), "WelcomeLetter"),
  ),
  erase: page(
    "residents/:id/erase",
    lazyNamed(() => import("./ErasePage"), "ErasePage"),
  ),
  staff: page(
    "staff",
    lazyNamed(() => import("./StaffPages"), "StaffList"),
    { admin: true, section: "staff" },
  ),
  invite: page(
    "staff/invite",
    lazyNamed(() => import("./StaffPages"), "InvitePage"),
    { admin: true, section: "staff" },
  ),
  audit: page(
    "audit",
    lazyNamed(() => import("./AuditLog"), "AuditLog"),
    { admin: true, section: "audit" },
  ),
  settings: page(
    "settings",
    lazyNamed(() => import("./OrgSettingsPage"), "OrgSettingsPage"),
    {
      admin: true,
      section: "settings",
    },
  ),
};

/** The console's menu items; a page is under one of them (residents unless the table says). */
export type Section = "residents" | "staff" | "audit" | "settings";

/** `"residents/:id/tablets/:deviceId/wipe"` → `{ id: string; deviceId: string }`. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<Rest>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : unknown;

/** A page's state kept in the address's query (`?q=jones&page=2`): read leaves out what is not valid. */
export type Query<V> = {
  read(params: URLSearchParams): V | undefined;
  write(view: V): URLSearchParams;
};

/** The prop a page with a query gets: its view, absent when the address has none. */
export type ViewProps<V> = [V] extends [never] ? unknown : { view?: V };

export type PageEntry<P extends string = string, V = never> = {
  path: P;
  component: ComponentType<ParamsOf<P> & ViewProps<V>>;
  admin: boolean;
  section: Section;
  query?: Query<V>;
};

/** One row of the table; the component must take the path's ids (and the query's view) as props. */
function page<P extends string, V = never>(
  path: P,
  component: ComponentType<ParamsOf<P> & ViewProps<V>>,
  options: { admin?: boolean; section?: Section; query?: Query<V> } = {},
): PageEntry<P, V> {
  return { path, component, admin: options.admin ?? false, section: options.section ?? "residents", query: options.query };
}

/**
 * Which residents the dashboard shows: a name search, one "needs attention" reason, a page (from
 * 1). Kept in the address (`#/?q=jones&reason=tablet_offline&page=2`) so back and forward work.
 */
export type DashboardView = { q?: string; reason?: Alert; page?: number };

function dashboardQuery(): Query<DashboardView> {
  return {
    // Values the relay would refuse are left out.
    read(params) {
      const view: DashboardView = {};
      const q = params.get("q")?.trim().slice(0, LIMITS.nameMax);
      if (q) view.q = q;
      const reason = ALERTS.find((a) => a === params.get("reason"));
      if (reason) view.reason = reason;
      const page = Number(params.get("page"));
      if (Number.isInteger(page) && page > 1 && page <= 100_000) view.page = page;
      return Object.keys(view).length > 0 ? view : undefined;
    },
    write({ q, reason, page }) {
      const query = new URLSearchParams();
      if (q) query.set("q", q);
      if (reason) query.set("reason", reason);
      if (page && page > 1) query.set("page", String(page));
      return query;
    },
  };
}
