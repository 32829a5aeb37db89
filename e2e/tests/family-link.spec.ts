import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };
// The relay names the council from COUNCIL_NAME ("your council" unless set).
const GONE = "This link no longer works. Please ask your council for a new one.";

test("the token leaves the address bar, and the page opens again from this phone alone", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(page).toHaveURL(/\/family$/);
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(home.familyLink.split("#")[1]);

  await page.goto("/family");
  await expect(page.getByRole("heading", { name: "Messages to Margaret" })).toBeVisible();
  await expect(page.getByText("You are Sarah (daughter)")).toBeVisible();
  await context.close();
});

test("a link revoked while the page is open shows the kind page at once, and again when opened", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await family.write("Typed before the link was revoked");

  await seeded.post(`/residents/${home.residentId}/family-links/${home.linkId}/revoke`);
  await expect(page.getByRole("alert")).toHaveText(GONE);
  await expect(page.getByText("If you have been sent a new link, open that one instead.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Messages to Margaret" })).toBeHidden();
  await expect(page.getByRole("textbox")).toHaveCount(0);
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-link-revoked.png") });

  // Opened again later, from the link or from the home screen: the same kind page, never a blank one.
  const again = await context.newPage();
  await again.goto(home.familyLink);
  await expect(again.getByRole("alert")).toHaveText(GONE);
  await again.goto("/family");
  await expect(again.getByRole("alert")).toHaveText(GONE);
  await expectNoAxeViolations(again);
  await context.close();
});

test("a message waiting to go when the link is revoked is not sent, and the page says why", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await context.setOffline(true);
  await family.write("Written on the train");
  await family.send();
  await expect(family.message("Written on the train").getByText("Waiting for signal")).toBeVisible();

  await seeded.post(`/residents/${home.residentId}/family-links/${home.linkId}/revoke`);
  await context.setOffline(false);
  await expect(page.getByRole("alert")).toHaveText(GONE);
  await context.close();
});

test("an unknown link gets a kind sentence, not a blank page", async ({ browser }) => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto(`/family#${"A".repeat(43)}`);
  await expect(page.getByRole("alert")).toHaveText(
    "This link does not work. Please check you copied all of it, or ask your council for a new one.",
  );
  await expect(page).not.toHaveURL(/#/);
  await expectNoAxeViolations(page);
  await context.close();
});

test("the page without any link asks for the private link", async ({ browser }) => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  await page.goto("/family");
  await expect(page.getByRole("alert")).toHaveText(
    "This page needs the private link you were sent. Please open that link again.",
  );
  await expectNoAxeViolations(page);
  await context.close();
});

test("the page is an installable app for /family", async ({ page, request }) => {
  await page.goto("/family");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/family.webmanifest");
  const manifest = await (await request.get(href ?? "")).json();
  expect(manifest).toMatchObject({ start_url: "/family", scope: "/family", display: "standalone" });
  expect(manifest.icons.length).toBeGreaterThan(0);
});
