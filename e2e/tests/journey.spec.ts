import { expect, test } from "@playwright/test";
import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { StaffPage } from "../support/staff-page";
import { TabletScreen } from "../support/tablet-page";

const officer = { name: "Priya Shah", email: "priya.shah@council.example", password: "kettle harbour violet 42" };
// Fixed for the tablet's clock face; the relay keeps real time.
const tabletNow = new Date("2026-11-28T10:32:00");

test("staff pairs a tablet, family sends, the tablet shows it, also offline", async ({ browser }) => {
  // 1–2. The officer creates the first account, a resident, a family link and a set-up code.
  const staffContext = await browser.newContext();
  const staff = new StaffPage(staffContext, await staffContext.newPage());
  const setupLink = process.env.LETTERBOX_SETUP_LINK;
  if (!setupLink) throw new Error("global setup did not provide the staff set-up link");
  await staff.createFirstAccount(setupLink, officer);
  await staff.addResident("Margaret Jones", "Margaret");
  const familyLink = await staff.createFamilyLink("Margaret Jones", "Sarah (daughter)");
  expect(familyLink).toMatch(/^http:\/\/localhost:\d+\/family#[A-Za-z0-9_-]{43}$/);
  const code = await staff.setUpTablet("Margaret Jones");
  await expectNoAxeViolations(staff.page);

  // 3. The tablet is set up with the code and from then on opens straight to Margaret's messages.
  const tabletContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const tabletPage = await tabletContext.newPage();
  await tabletPage.clock.setFixedTime(tabletNow);
  const tablet = new TabletScreen(tabletPage);
  await tablet.open();
  await expect(tabletPage.getByText("Saturday 28 November")).toBeVisible();
  await expectNoAxeViolations(tabletPage);
  await tablet.enterSetupCode(code);
  await expect(tabletPage.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await tabletPage.reload();
  await expect(tabletPage.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await expectNoAxeViolations(tabletPage);

  // 4. Sarah opens her link on a phone and sends a text.
  const familyContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const familyPage = await familyContext.newPage();
  await familyPage.goto(familyLink);
  await expect(familyPage.getByRole("heading", { name: "Messages to Margaret" })).toBeVisible();
  await expect(familyPage).not.toHaveURL(/#/);
  const family = new FamilyPage(familyPage);
  await family.write("Hello Mum! We moved in yesterday. Love you ♥");
  await family.send();
  await expect(family.conversation.getByText("Hello Mum! We moved in yesterday. Love you ♥")).toBeVisible();
  await expectNoAxeViolations(familyPage);

  // 5. The tablet shows it in large type within a few seconds, without anyone touching it.
  await expect(tablet.messageText("Hello Mum! We moved in yesterday. Love you ♥")).toBeVisible();
  await expect(tabletPage.getByRole("heading", { name: "From Sarah (daughter)" })).toBeVisible();
  const fontSize = await tablet.messageText("Hello Mum!").evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
  expect(fontSize).toBeGreaterThanOrEqual(28);
  await expectNoAxeViolations(tabletPage);
  await tabletPage.screenshot({ path: test.info().outputPath("tablet-message.png") });
  await familyPage.screenshot({ path: test.info().outputPath("family-sent.png") });

  // 6. No network, reload: the app and the message come from the service worker and IndexedDB.
  await tablet.waitForOfflineReady();
  await tabletContext.setOffline(true);
  await tabletPage.reload();
  await expect(tablet.messageText("Hello Mum! We moved in yesterday. Love you ♥")).toBeVisible();
  await expect(tabletPage.getByRole("status")).toContainText("Showing saved messages");
  await expectNoAxeViolations(tabletPage);
  await tabletPage.screenshot({ path: test.info().outputPath("tablet-offline.png") });

  await Promise.all([staffContext.close(), tabletContext.close(), familyContext.close()]);
});

test("a wrong set-up code is explained and the tablet stays unpaired", async ({ page }) => {
  const tablet = new TabletScreen(page);
  await tablet.open();
  await tablet.enterSetupCode("ABCD2345");
  await expect(page.getByRole("alert")).toContainText("That set-up code is not right");
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
});

test("a link without its token gets a sentence, not a blank page", async ({ page }) => {
  await page.goto("/family#not-a-real-token");
  await expect(page.getByRole("alert")).toContainText("This link does not work");
  await expectNoAxeViolations(page);
});
