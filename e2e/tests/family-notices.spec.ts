import { TabletApi } from "../support/api";
import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Today on this machine's clock at hh:mm (the relay keeps real time; only the page's clock is fixed). */
const today = (h: number, m: number) => {
  const d = new Date();
  d.setHours(h, m, 0, 0);
  return d;
};

test("in quiet hours the page says plainly when Margaret will see it", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: { start: "21:00", end: "08:00" } });
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext({ ...phone, locale: "en-GB" });
  const page = await context.newPage();
  await page.clock.setFixedTime(today(22, 15));
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(page.getByRole("status").filter({ hasText: "resting" })).toHaveText(
    "Margaret’s tablet is resting until 8:00 — Margaret will see this in the morning.",
  );
  await family.write("Sleep well Mum");
  await family.send();
  await expect(family.message("Sleep well Mum").getByText(/^Sent/)).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-quiet-hours.png") });

  // In the day there is nothing to say.
  await page.clock.setFixedTime(today(10, 0));
  await page.reload();
  await expect(page.getByRole("heading", { name: "Messages to Margaret" })).toBeVisible();
  await expect(page.getByText("resting until")).toBeHidden();
  await tablet.dispose();
  await context.close();
});

test("when staff pause messages the open page says so, and stops saying so when they resume", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext({ ...phone, locale: "en-GB" });
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(page.getByText("Messages are paused for now.")).toBeHidden();

  await seeded.patch(`/residents/${home.residentId}`, { paused: true });
  await expect(page.getByText("Messages are paused for now.")).toBeVisible();
  await expectNoAxeViolations(page);
  await seeded.patch(`/residents/${home.residentId}`, { paused: false });
  await expect(page.getByText("Messages are paused for now.")).toBeHidden();
  await tablet.dispose();
  await context.close();
});

test("a tablet not yet set up, or silent for hours, is named as such", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const context = await browser.newContext({ ...phone, locale: "en-GB" });
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(page.getByText("Margaret’s tablet is not set up yet — Margaret will see your messages once it is.")).toBeVisible();

  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  await expect(page.getByText("not set up yet")).toBeHidden();
  // Three hours on, with no word from the tablet.
  await page.clock.setFixedTime(new Date(Date.now() + 3 * 3_600_000));
  await page.reload();
  await expect(
    page.getByText(/^Margaret’s tablet has not been online since .+ — Margaret will see this when it is back online\.$/),
  ).toBeVisible();
  await expectNoAxeViolations(page);
  await tablet.dispose();
  await context.close();
});

test("a phone set to Welsh gets the page in Welsh", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: { start: "21:00", end: "08:00" } });
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext({ ...phone, locale: "cy-GB" });
  const page = await context.newPage();
  await page.clock.setFixedTime(today(22, 15));
  await page.goto(home.familyLink);
  await expect(page.getByRole("heading", { name: "Negeseuon i Margaret" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "cy");
  await expect(page.getByText("Mae tabled Margaret yn gorffwys tan 8:00 — bydd Margaret yn gweld hyn yn y bore.")).toBeVisible();
  await page.getByRole("textbox", { name: "Eich neges i Margaret" }).fill("Nos da Mam");
  await page.getByRole("button", { name: "Anfon", exact: true }).click();
  const bubble = page.getByRole("list", { name: "Sgwrs gyda Margaret" }).getByRole("listitem").filter({ hasText: "Nos da Mam" });
  await expect(bubble.getByText(/^Anfonwyd \d\d:\d\d$/)).toBeVisible();
  const [message] = await tablet.messages();
  await tablet.receipt(message?.id ?? "", "seen");
  await expect(bubble.getByText(/Gwelwyd \d\d:\d\d/)).toBeVisible();
  await expect(bubble.getByRole("button", { name: "Dileu" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-welsh.png") });
  await tablet.dispose();
  await context.close();
});
