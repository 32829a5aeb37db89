import { PAGES, type PageEntry, type ParamsOf, type Query, type ViewProps } from "./pages";

export type { DashboardView } from "./pages";

/**
 * The console's pages as hash routes (`#/residents/<id>`), read and written from the table in
 * pages.ts: no router library, and the server only ever serves /staff. Fragments that are not
 * routes (`#setup=…`, `#invite=…`) are one-time entry links, read before any route.
 */
type Pages = typeof PAGES;
export type PageName = keyof Pages;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RouteTo<K extends PageName> = Simplify<
  { page: K } & (Pages[K] extends PageEntry<infer P, infer V> ? ParamsOf<P> & ViewProps<V> : never)
>;

/** A page and its ids, e.g. `{ page: "resident", id }`; "notFound" is any address that is not a page. */
export type Route = { [K in PageName]: RouteTo<K> }[PageName] | { page: "notFound" };

const ID = "[0-9a-fA-F-]{36}";

/** What reading and writing addresses needs of a row. */
type Entry = { path: string; query?: Query<unknown> };
const entries = Object.entries(PAGES) as [PageName, Entry][];

/** Each page's path as a pattern, with the names of its ids in order. */
const patterns = entries.map(([name, entry]) => ({
  name,
  entry,
  names: [...entry.path.matchAll(/:(\w+)/g)].map((m) => m[1] ?? ""),
  pattern: new RegExp(`^${entry.path.replace(/:\w+/g, `(${ID})`)}$`),
}));

/** `#/residents/<id>` → the resident's page. Anything that is not a route is the dashboard's `#/`. */
export function parseRoute(hash: string): Route {
  if (!hash.startsWith("#/") && hash !== "#" && hash !== "") return { page: "dashboard" };
  const [address = "", query = ""] = hash.split("?", 2);
  const path = address.replace(/^#\/?/, "").replace(/\/+$/, "");
  for (const { name, entry, names, pattern } of patterns) {
    const match = pattern.exec(path);
    if (!match) continue;
    const route: Record<string, unknown> = { page: name };
    names.forEach((param, i) => {
      route[param] = match[i + 1];
    });
    const view = entry.query?.read(new URLSearchParams(query));
    if (view !== undefined) route.view = view;
    return route as Route;
  }
  return { page: "notFound" };
}

/** The address of a page, for links: the inverse of parseRoute. */
export function href(route: Route): string {
  if (route.page === "notFound") return "#/";
  const entry: Entry = PAGES[route.page];
  const params = route as Record<string, unknown>;
  const path = entry.path.replace(/:(\w+)/g, (_, param: string) => String(params[param]));
  const query = entry.query && "view" in route && route.view ? entry.query.write(route.view).toString() : "";
  return `#/${path}${query ? `?${query}` : ""}`;
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
