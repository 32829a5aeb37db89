import { TabletApi } from "../support/api";
import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };

test("a family member chooses how their name shows, and the tablet gets it with the next message", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const home = await seeded.household();
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);

  await page.getByText("How your name shows to Margaret").click();
  await page.getByLabel("Your name on the tablet").fill("Your daughter Sarah");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Saved. Your next message shows this name.")).toBeVisible();
  await expectNoAxeViolations(page);

  await family.write("Hello from the new name");
  await family.send();
  await expect.poll(async () => (await tablet.messages()).map((m) => m.senderName)).toEqual(["Your daughter Sarah"]);
  await context.close();
});
