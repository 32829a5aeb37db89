import { plural } from "./format";

/**
 * Which page numbers the dashboard links to: the first and the last, the current page and its
 * neighbours; `null` is a gap ("…"). A gap never hides a single page: that page is shown instead.
 */
export function pageLinks(page: number, pages: number): (number | null)[] {
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const links: (number | null)[] = [];
  for (const n of shown) {
    const previous = links.at(-1);
    if (typeof previous === "number" && n - previous === 2) links.push(n - 1);
    else if (typeof previous === "number" && n - previous > 2) links.push(null);
    links.push(n);
  }
  return links;
}

/** "Showing 26–50 of 312 residents": which of the matching residents this page holds. */
export function shownRange(page: number, pageSize: number, onPage: number, matching: number): string {
  const first = (page - 1) * pageSize + 1;
  const last = first + onPage - 1;
  const of = plural(matching, { one: "resident", other: "residents" });
  return first === last ? `Showing ${first} of ${of}` : `Showing ${first}–${last} of ${of}`;
}
