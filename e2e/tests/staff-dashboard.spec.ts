import type { Response } from "@playwright/test";
import { SEED_STAFF, type StaffApi, TabletApi } from "../support/api";
import { expect, test } from "../support/fixtures";
import { StaffPage } from "../support/staff-page";

// A council with hundreds of residents: the dashboard finds them by name and by what needs
// attention, one page at a time, in the order of need, and back and forward retrace the search.

const FIRST = ["Aled", "Bethan", "Ceri", "Dafydd", "Eirlys", "Ffion", "Gwilym", "Heulwen", "Iolo", "Lowri"];
const LAST = [
  "Bevan",
  "Cadwaladr",
  "Davies",
  "Evans",
  "Griffiths",
  "Howells",
  "Jenkins",
  "Lloyd",
  "Morgan",
  "Owen",
  "Parry",
  "Rees",
  "Thomas",
  "Vaughan",
  "Williams",
  "Yorath",
  "Price",
  "Hughes",
  "Powell",
  "Roberts",
  "Watkins",
  "Bowen",
  "Morris",
  "Pugh",
  "Wynne",
  "Jones",
];

/**
 * 260 residents of Tregaron (their surnames say so): the 26 Lowris are paused, and two whose
 * tablets cannot take push come first. Erased when the test is done, so other specs on this relay
 * see their own residents on page 1.
 */
async function tregaron(seeded: StaffApi) {
  const names = FIRST.flatMap((first) => LAST.map((last) => `${first} Tregaron-${last}`));
  const ids: string[] = [];
  for (let i = 0; i < names.length; i += 20) {
    ids.push(...(await Promise.all(names.slice(i, i + 20).map((n) => seeded.resident(n, n.split(" ")[0] ?? "")))));
  }
  for (const [i, name] of names.entries()) {
    if (name.startsWith("Lowri")) await seeded.patch(`/residents/${ids[i]}`, { paused: true });
  }
  for (const name of ["Iolo Tregaron-Bevan", "Ceri Tregaron-Yorath"]) {
    const tablet = await TabletApi.pair(seeded.relay.url, await seeded.setupCode(ids[names.indexOf(name)] ?? ""));
    await tablet.report({ pushState: "permission_denied", storagePersisted: true });
    await tablet.dispose();
  }
  return {
    names,
    erase: async () => {
      for (const id of ids) expect((await seeded.api.delete(`/api/staff/residents/${id}`)).status()).toBe(200);
    },
  };
}

/** The rows the console downloaded for one dashboard page. */
const rowsIn = async (res: Response) => ((await res.json()) as { rows: unknown[] }).rows.length;
const dashboardResponse = (res: Response) => new URL(res.url()).pathname === "/api/staff/dashboard";

test("an officer finds residents among hundreds by name and need, a page at a time, and back and forward retrace it", async ({
  browser,
  seeded,
}) => {
  // Seeding 260 residents through the API takes a while on a busy machine.
  test.slow();
  const town = await tregaron(seeded);
  try {
    const staff = await StaffPage.open(browser, seeded.relay.url);
    await staff.signIn(SEED_STAFF.email, SEED_STAFF.password);
    await expect(staff.shownRange()).toHaveText(/^Showing 1–25 of \d+ residents$/);

    // The reasons to filter by are every alert the relay has, the urgent ones first.
    await expect(staff.page.getByLabel("Needs attention").getByRole("option")).toContainText([
      "Any reason, or none",
      "Tablet offline",
      "Messages unseen",
      "Battery low and not charging",
      "Push not working",
      "No family message",
      "Paused",
      "Tablet not set up yet",
    ]);

    const searched = staff.page.waitForResponse(dashboardResponse);
    await staff.search("tregaron");
    const res = await searched;
    expect(new URL(res.url()).searchParams.get("q")).toBe("tregaron");
    expect(await rowsIn(res)).toBe(25);
    await expect(staff.heading("Residents")).toBeFocused();
    await expect(staff.shownRange()).toHaveText("Showing 1–25 of 260 residents matching your search. Show all residents");
    // Most need first: the two whose push fails, then those whose tablet is not set up, by name.
    expect((await staff.dashboardOrder()).slice(0, 4)).toEqual([
      "Ceri Tregaron-Yorath",
      "Iolo Tregaron-Bevan",
      "Aled Tregaron-Bevan",
      "Aled Tregaron-Bowen",
    ]);
    await expect(staff.page.getByRole("table", { name: /Residents/ }).getByRole("rowheader")).toHaveCount(25);
    await expect(staff.pagination().getByRole("listitem")).toHaveText(["1", "2", "…", "11"]);
    await expect(staff.pagination().getByRole("link", { name: "Page 1", exact: true })).toHaveAttribute("aria-current", "page");
    await expect(staff.pagination().getByRole("link", { name: "Previous page" })).toHaveCount(0);
    await staff.expectAxeClean();

    await staff.pagination().getByRole("link", { name: "Next page" }).click();
    await expect(staff.shownRange()).toHaveText(/^Showing 26–50 of 260 residents/);
    expect(staff.page.url()).toContain("#/?q=tregaron&page=2");
    await expect(staff.page.getByLabel("Name")).toHaveValue("tregaron");
    const page2 = await staff.dashboardOrder();
    expect(page2).toEqual([...page2].sort((a, b) => a.localeCompare(b)));

    await staff.pagination().getByRole("link", { name: "Page 11" }).click();
    await expect(staff.shownRange()).toHaveText(/^Showing 251–260 of 260 residents/);
    // Paused is the least need: the paused Lowris are last.
    const lowris = town.names.filter((n) => n.startsWith("Lowri")).sort((a, b) => a.localeCompare(b));
    expect(await staff.dashboardOrder()).toEqual(lowris.slice(-10));
    await expect(staff.pagination().getByRole("link", { name: "Previous page" })).toBeVisible();
    await expect(staff.pagination().getByRole("link", { name: "Next page" })).toHaveCount(0);
    await staff.expectAxeClean();

    await staff.page.goBack();
    await expect(staff.shownRange()).toHaveText(/^Showing 26–50 of 260 residents/);
    expect(await staff.dashboardOrder()).toEqual(page2);
    await staff.page.goBack();
    await expect(staff.shownRange()).toHaveText(/^Showing 1–25 of 260 residents/);
    await staff.page.goForward();
    await expect(staff.shownRange()).toHaveText(/^Showing 26–50 of 260 residents/);

    // A reason as well: a new search starts at page 1.
    await staff.search("tregaron", "Push not working");
    await expect(staff.shownRange()).toHaveText(/^Showing 1–2 of 2 residents/);
    expect(await staff.dashboardOrder()).toEqual(["Ceri Tregaron-Yorath", "Iolo Tregaron-Bevan"]);
    await expect(staff.row("Ceri Tregaron-Yorath").getByRole("listitem")).toHaveText(["Push not working"]);
    await expect(staff.pagination()).toHaveCount(0);
    expect(staff.page.url()).toContain("#/?q=tregaron&reason=push_failing");
    await staff.expectAxeClean();

    await staff.search("tregaron", "Paused");
    await expect(staff.shownRange()).toHaveText(/^Showing 1–25 of 26 residents/);
    expect(await staff.dashboardOrder()).toEqual(lowris.slice(0, 25));
    await expect(staff.page.getByLabel("Needs attention")).toHaveValue("paused");

    await staff.search("Tregaron-Nobody");
    await expect(staff.page.getByText("No residents match your search.")).toBeVisible();
    await staff.expectAxeClean();
    await staff.link("Show all residents").click();
    await expect(staff.shownRange()).toHaveText(/^Showing 1–25 of \d+ residents$/);
    await expect(staff.page.getByLabel("Name")).toHaveValue("");

    // An address the relay would refuse opens the first page rather than an error.
    await staff.page.goto("/staff#/?q=tregaron&page=abc&reason=lonely");
    await expect(staff.shownRange()).toHaveText(/^Showing 1–25 of 260 residents/);
    await staff.close();
  } finally {
    await town.erase();
  }
});
