import { expect, type Page } from "@playwright/test";
import { SEED_STAFF } from "../support/api";
import { expectNoAxeViolations, watchForPageProblems } from "../support/checks";
import { test } from "../support/fixtures";
import { StaffPage } from "../support/staff-page";
import { TabletPage } from "../support/tablet-page";

/**
 * The tablet's set-up screen and the console's sign-in page are drawn in the pages' HTML, so they
 * are on screen before the app's JavaScript arrives (shared/src/first-screen.ts); the app then
 * takes over with what was typed. These hold the app's scripts back, as a slow line does, to look
 * at the page before and after.
 */

const morning = new Date("2026-11-28T10:32:00");

/** Holds back the app's scripts until the returned function is called. */
async function holdScripts(page: Page): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\/assets\/.*\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/** The drawn screen has given way to the app's own. */
const tookOver = (page: Page) => expect(page.locator(".first-screen, .first-screen-instead")).toHaveCount(0);

test("a tablet not yet set up shows its set-up screen before the app arrives, and keeps what staff typed", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page } = tablet;
  const problems = await watchForPageProblems(tablet.context);
  const release = await holdScripts(page);
  await page.goto("/tablet", { waitUntil: "commit" });
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("Set-up code").fill(tablet.household.setupCode);
  await page.getByLabel(/Staff PIN/).fill("2468");
  await page.getByLabel(/Staff PIN/).press("ArrowLeft");

  release();
  await tookOver(page);
  await expect(page.getByLabel("Set-up code")).toHaveValue(tablet.household.setupCode);
  await expect(page.getByLabel(/Staff PIN/)).toHaveValue("2468");
  await expect(page.getByLabel(/Staff PIN/)).toBeFocused();
  expect(await page.getByLabel(/Staff PIN/).evaluate((input: HTMLInputElement) => input.selectionStart)).toBe(3);

  await page.getByRole("button", { name: "Set up" }).click();
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  expect(problems).toEqual([]);
  await tablet.close();
});

test("Set up tapped before the app arrives sets the tablet up once it has, with nothing in the address", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page } = tablet;
  const release = await holdScripts(page);
  await page.goto("/tablet", { waitUntil: "commit" });
  await page.getByLabel("Set-up code").fill(tablet.household.setupCode);
  await page.getByLabel(/Staff PIN/).fill("2468");
  await page.getByRole("button", { name: "Set up" }).click();
  await expect(page.locator("form[data-submitted]")).toHaveCount(1);
  expect(new URL(page.url()).search).toBe("");

  release();
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  expect((await tablet.staff.devices(tablet.household.residentId)).length).toBe(1);
  expect(new URL(page.url()).search).toBe("");
  await tablet.close();
});

test("a tablet that is set up never shows the set-up screen, even before the app arrives", async ({
  browser,
  seeded,
  baseURL,
}) => {
  // With its service worker blocked, so that what decides is the tablet's own note that it is set
  // up (a tablet's worker, when it has one, is a second sign).
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "", serviceWorkers: "block" });
  const { page } = tablet;
  const problems = await watchForPageProblems(tablet.context);
  await tablet.pair();

  const release = await holdScripts(page);
  await page.reload({ waitUntil: "commit" });
  await expect(page.locator("#root")).toBeAttached();
  await expect(page.locator("html")).toHaveClass(/first-screen-skip/);
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  release();
  await tookOver(page);
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  expect(problems).toEqual([]);
  await tablet.close();
});

test("an officer who is signed out sees the sign-in page before the console arrives, and signs in with what they typed", async ({
  browser,
  seeded,
}) => {
  const staff = await StaffPage.open(browser, seeded.relay.url);
  const { page } = staff;
  const problems = await watchForPageProblems(staff.context);
  const release = await holdScripts(page);
  await page.goto("/staff", { waitUntil: "commit" });
  await expect(page.getByRole("heading", { name: "Sign in to Letterbox" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("Email address").fill(SEED_STAFF.email);
  await page.getByLabel("Password", { exact: true }).fill(SEED_STAFF.password);
  await page.getByLabel("Password", { exact: true }).press("Enter");
  expect(new URL(page.url()).search).toBe("");

  release();
  await expect(page.getByRole("heading", { name: "Residents" })).toBeVisible();
  expect(new URL(page.url()).search).toBe("");

  // Signed in, the next start shows "Loading…" until the console knows, never the sign-in page.
  const releaseAgain = await holdScripts(page);
  await page.reload({ waitUntil: "commit" });
  await expect(page.getByRole("status")).toHaveText("Loading…");
  await expect(page.getByRole("heading", { name: "Sign in to Letterbox" })).toBeHidden();
  releaseAgain();
  await expect(page.getByRole("heading", { name: "Residents" })).toBeVisible();
  await tookOver(page);

  // Signed out again, the sign-in page is back first.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Letterbox" })).toBeVisible();
  const releaseOnceMore = await holdScripts(page);
  await page.reload({ waitUntil: "commit" });
  await expect(page.getByRole("heading", { name: "Sign in to Letterbox" })).toBeVisible();
  releaseOnceMore();
  await tookOver(page);
  await expect(page.getByLabel("Email address")).toHaveValue("");
  expect(problems).toEqual([]);
  await staff.context.close();
});
