import { describe, expect, it } from "vitest";
import { entryLink, href, parseRoute, type Route } from "./route";

const ID = "0193a6b2-7c1d-7e2f-8a3b-4c5d6e7f8a9b";
const LINK = "0193a6b2-7c1d-7e2f-8a3b-000000000001";

describe("hash routes", () => {
  const every: Route[] = [
    { page: "dashboard" },
    { page: "dashboard", view: { q: "Siân O’Brien & co", reason: "tablet_offline", page: 3 } },
    { page: "dashboard", view: { reason: "paused" } },
    { page: "addResident" },
    { page: "archived" },
    { page: "resident", id: ID },
    { page: "residentSettings", id: ID },
    { page: "setUpTablet", id: ID },
    { page: "wipeTablet", id: ID, deviceId: LINK },
    { page: "newFamilyLink", id: ID },
    { page: "editFamilyLink", id: ID, linkId: LINK },
    { page: "revokeFamilyLink", id: ID, linkId: LINK },
    { page: "reissueFamilyLink", id: ID, linkId: LINK },
    { page: "welcomeLetter", id: ID, linkId: LINK },
    { page: "erase", id: ID },
    { page: "staff" },
    { page: "invite" },
    { page: "audit" },
    { page: "settings" },
  ];

  it.each(every)("reads back the address it makes for $page", (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it("opens the dashboard with no fragment, and for fragments that are not routes", () => {
    expect(parseRoute("")).toEqual({ page: "dashboard" });
    expect(parseRoute("#")).toEqual({ page: "dashboard" });
    expect(parseRoute("#main")).toEqual({ page: "dashboard" });
    expect(parseRoute(`#/residents/${ID}/`)).toEqual({ page: "resident", id: ID });
  });

  it("keeps the dashboard's search, reason and page in the address, leaving out what the relay would refuse", () => {
    expect(href({ page: "dashboard", view: { q: "jones", page: 2 } })).toBe("#/?q=jones&page=2");
    expect(href({ page: "dashboard", view: { q: "", page: 1 } })).toBe("#/");
    expect(parseRoute("#/?q=+mary+ann+&reason=no_family_message&page=12")).toEqual({
      page: "dashboard",
      view: { q: "mary ann", reason: "no_family_message", page: 12 },
    });
    expect(parseRoute("#/?q=%20&reason=lonely&page=0")).toEqual({ page: "dashboard" });
    expect(parseRoute("#/?page=1.5")).toEqual({ page: "dashboard" });
    expect(parseRoute("#/?page=two")).toEqual({ page: "dashboard" });
    expect(parseRoute(`#/?q=${"a".repeat(200)}`)).toEqual({ page: "dashboard", view: { q: "a".repeat(80) } });
  });

  it("makes a link only with the ids its page's path names (checked by pnpm typecheck)", () => {
    // Never called: the compiler's refusals are the test.
    const wrong = () => [
      // @ts-expect-error a resident's page needs the resident's id
      href({ page: "resident" }),
      // @ts-expect-error a wipe page's second id is deviceId
      href({ page: "wipeTablet", id: ID, linkId: LINK }),
      // @ts-expect-error the staff list has no id
      href({ page: "staff", id: ID }),
      // @ts-expect-error no such page
      href({ page: "residents" }),
    ];
    expect(wrong).toBeTypeOf("function");
    expect(href({ page: "wipeTablet", id: ID, deviceId: LINK })).toBe(`#/residents/${ID}/tablets/${LINK}/wipe`);
  });

  it("says when an address is not a page", () => {
    expect(parseRoute("#/residents/not-an-id")).toEqual({ page: "notFound" });
    expect(parseRoute(`#/residents/${ID}/nothing`)).toEqual({ page: "notFound" });
  });
});

describe("one-time entry links", () => {
  it("reads the set-up and invitation tokens, and nothing from a route", () => {
    expect(entryLink("#setup=abc_DEF-123")).toEqual({ kind: "setup", token: "abc_DEF-123" });
    expect(entryLink("#invite=xyz")).toEqual({ kind: "invite", token: "xyz" });
    expect(entryLink("#/staff")).toBeNull();
    expect(entryLink("")).toBeNull();
  });
});
