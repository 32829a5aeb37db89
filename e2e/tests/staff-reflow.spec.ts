import type { Page } from "@playwright/test";
import { SEED_STAFF } from "../support/api";
import { expect, test } from "../support/fixtures";
import { consoleRoutes, SIGNED_OUT_ROUTES, StaffPage } from "../support/staff-page";

// Reflow (WCAG 1.4.10): at 320 CSS px wide (1280 px at 400 % zoom) every page of the console reads
// without scrolling sideways, and its tables become cards rather than columns too narrow for a name.

/** How far the page is wider than the window: 0 when nothing scrolls sideways. */
const sidewaysOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/**
 * The words in table cells that are laid out over more than one line ("Mar/gar/et"). A word is
 * what lies between spaces and hyphens; email and network addresses (`.break-anywhere`) may break.
 */
const wordsBrokenInTables = (page: Page) =>
  page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of Array.from(document.querySelectorAll("table th, table td"))) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest(".break-anywhere, .visually-hidden")) continue;
        for (const word of (node.textContent ?? "").matchAll(/[^\s\-‐–—]+/g)) {
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          const lines = new Set(
            Array.from(range.getClientRects())
              .filter((r) => r.width > 0)
              .map((r) => Math.round(r.top)),
          );
          if (lines.size > 1) broken.push(word[0]);
        }
      }
    }
    return broken;
  });

test("every console page fits 320 px without sideways scrolling or names broken mid-word, and axe finds nothing", async ({
  browser,
  seeded,
}) => {
  // Twenty-one pages, each checked by axe: longer than most tests.
  test.slow();
  const ids = await seeded.householdForEveryPage("Margaret");
  await seeded.resident("Bartholomew Featherstonehaugh", "Bart");
  const staff = await StaffPage.open(browser, seeded.relay.url);
  await staff.page.setViewportSize({ width: 320, height: 640 });

  for (const route of SIGNED_OUT_ROUTES) {
    await staff.load(route);
    expect(await sidewaysOverflow(staff.page), route.name).toBeLessThanOrEqual(0);
    await staff.expectAxeClean();
  }
  await staff.signIn(SEED_STAFF.email, SEED_STAFF.password);
  for (const route of consoleRoutes(ids)) {
    await staff.load(route);
    await expect.poll(() => sidewaysOverflow(staff.page), { message: route.name }).toBeLessThanOrEqual(0);
    expect(await wordsBrokenInTables(staff.page), route.name).toEqual([]);
    await staff.expectAxeClean();
  }
  await staff.close();
});

test("at 320 px each dashboard row is a card: the name, then each cell under its column's name", async ({ browser, seeded }) => {
  await seeded.resident("Margaret Featherstonehaugh", "Peggy");
  const staff = await StaffPage.open(browser, seeded.relay.url);
  await staff.page.setViewportSize({ width: 320, height: 640 });
  await staff.signIn(SEED_STAFF.email, SEED_STAFF.password);
  await staff.search("Featherstonehaugh");
  const row = staff.row("Margaret Featherstonehaugh");
  await expect(row).toBeVisible();

  const name = await row.getByRole("rowheader").boundingBox();
  const tablet = row.getByRole("cell").filter({ hasText: "No tablet" });
  const cell = await tablet.boundingBox();
  // Stacked: the tablet cell sits under the name, as wide as the card.
  expect(cell?.y).toBeGreaterThanOrEqual((name?.y ?? 0) + (name?.height ?? 0) - 1);
  expect(cell?.width).toBeGreaterThanOrEqual((name?.width ?? 0) - 1);
  // Its label is shown by the stylesheet and kept from screen readers, which have the column header.
  expect(await tablet.evaluate((td) => getComputedStyle(td, "::before").content)).toMatch(/attr\(data-label\) \/ ""|"Tablet"/);
  await expect(staff.page.getByRole("columnheader", { name: "Tablet" })).toBeAttached();
  await staff.expectAxeClean();

  // Wide again, the same rows are a table.
  await staff.page.setViewportSize({ width: 1280, height: 900 });
  await expect
    .poll(async () => ((await tablet.boundingBox())?.x ?? 0) - ((await row.getByRole("rowheader").boundingBox())?.x ?? 0))
    .toBeGreaterThan(100);
  await staff.close();
});

test("between the card layout and a wide screen, the console's tables still fit the window", async ({ browser, seeded }) => {
  const ids = await seeded.householdForEveryPage("Gwenllian");
  const staff = await StaffPage.administrator(browser, seeded);
  const tables = consoleRoutes(ids).filter((r) => ["dashboard", "resident", "staff", "audit log"].includes(r.name));
  for (const width of [721, 800, 1024]) {
    await staff.page.setViewportSize({ width, height: 800 });
    for (const route of tables) {
      await staff.load(route);
      await expect.poll(() => sidewaysOverflow(staff.page), { message: `${route.name} at ${width} px` }).toBeLessThanOrEqual(0);
      expect(await wordsBrokenInTables(staff.page), `${route.name} at ${width} px`).toEqual([]);
    }
  }
  await staff.close();
});
