import type { Locator } from "@playwright/test";
import { FamilyApi, linkToken, TabletApi } from "../support/api";
import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";
import { drawPhoto } from "../support/photos";

/** `upper` ends where `lower` begins or before: not behind it. */
async function expectAbove(upper: Locator, lower: Locator) {
  const a = await upper.boundingBox();
  const b = await lower.boundingBox();
  expect((a?.y ?? Number.POSITIVE_INFINITY) + (a?.height ?? 0)).toBeLessThanOrEqual(b?.y ?? 0);
}

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };

test("The page opens with its heading in full and the newest message in view", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  const heading = page.getByRole("heading", { level: 1, name: "Messages to Margaret" });

  // Nothing sent yet.
  await family.open(home.familyLink);
  await expect(page.getByText("Nothing sent yet.")).toBeVisible();
  // The offer of notifications comes last (loaded after the conversation): the page is complete.
  const pushOffer = page.getByRole("switch", { name: "Tell me when Margaret replies or sees my messages" });
  await expect(pushOffer).toBeVisible();
  await expect(heading).toBeInViewport({ ratio: 1 });
  // The page fills the screen and no more: nothing to scroll while it holds this little.
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(844);

  // A short conversation, all of it on the screen: nothing to scroll, so nothing scrolls.
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const sarah = await FamilyApi.open(baseURL ?? "", linkToken(home.familyLink));
  const first = await sarah.send("Hello Mum! We moved in yesterday. Love you ♥");
  await tablet.receipt(first.id, "seen");
  await tablet.reply(first.id, "Thank you ♥");
  await sarah.send("Shall I ring you at 6?");
  await page.reload();
  const composer = page.getByRole("form", { name: "Your message to Margaret" });
  const newest = family.message("Shall I ring you at 6?");
  await expect(newest).toBeVisible();
  await expect(pushOffer).toBeAttached();
  await expect(heading).toBeInViewport({ ratio: 1 });
  await expect(newest).toBeInViewport({ ratio: 1 });
  await expectAbove(newest, composer);
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-phone-short.png") });

  // As in the sketch, with a photo, and then more than the screen holds: it opens at the newest
  // message, as a chat does, clear of the composer.
  const photo = await sarah.uploadPhoto(
    (await drawPhoto(page, { name: "garden.jpg", width: 1600, height: 1200, sky: "#8ec5ff" })).buffer,
  );
  await sarah.send("The garden is big enough for your roses.", [{ id: photo, caption: "The garden" }]);
  for (let n = 1; n <= 6; n++) await sarah.send(`Message number ${n} of the week`);
  await page.reload();
  const latest = family.message("Message number 6 of the week");
  await expect(latest).toBeVisible();
  await expect(latest).toBeInViewport({ ratio: 1 });
  await expectAbove(latest, composer);
  await page.getByRole("img", { name: "Photo 1 of 1" }).scrollIntoViewIfNeeded();
  await expect(page.getByRole("img", { name: "Photo 1 of 1" })).toHaveJSProperty("complete", true);
  await page.screenshot({ path: test.info().outputPath("family-phone-photo.png") });

  await tablet.dispose();
  await sarah.api.dispose();
  await context.close();
});

test("A photo's caption box spans the composer and wraps a long caption instead of scrolling it", async ({ browser, seeded }) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await family.addPhotos([await drawPhoto(page, { name: "beach.jpg", width: 1600, height: 1200, sky: "#8ec5ff" })]);
  const caption = family.caption(1);
  await expect(caption).toBeVisible();

  const composer = page.getByRole("form", { name: "Your message to Margaret" });
  const room = await composer.evaluate((form) => {
    const style = getComputedStyle(form);
    return form.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
  });
  const empty = await caption.boundingBox();
  expect(empty?.width ?? 0).toBeGreaterThanOrEqual(room * 0.95);

  await caption.fill(
    "Tenby last Sunday: the children built a sandcastle by the harbour wall and Tom found the shell you told him about",
  );
  const fit = await caption.evaluate((box) => ({
    scrollWidth: box.scrollWidth,
    clientWidth: box.clientWidth,
    scrollHeight: box.scrollHeight,
    clientHeight: box.clientHeight,
  }));
  // Wrapped, not scrolled sideways; and the box grew to show every line.
  expect(fit.scrollWidth).toBeLessThanOrEqual(fit.clientWidth);
  expect(fit.scrollHeight).toBeLessThanOrEqual(fit.clientHeight);
  expect((await caption.boundingBox())?.height ?? 0).toBeGreaterThan((empty?.height ?? 0) * 2);
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-caption.png") });
  await context.close();
});
