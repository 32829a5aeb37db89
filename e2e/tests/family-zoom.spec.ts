import { FamilyApi, linkToken, TabletApi } from "../support/api";
import { expectNoAxeViolations, expectNoSidewaysScroll, stuckShare, tabThroughPage } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";
import { drawPhoto } from "../support/photos";

// 1280 × 1024 at 400 % and at 200 % (a laptop zoomed in), and a phone held upright.
const screens = [
  { name: "400 % zoom", viewport: { width: 320, height: 256 }, isMobile: false },
  { name: "200 % zoom", viewport: { width: 640, height: 512 }, isMobile: false },
  { name: "a phone", viewport: { width: 390, height: 844 }, isMobile: true },
];

for (const screen of screens) {
  test(`At ${screen.name} the composer never covers what has focus, and nothing scrolls sideways`, async ({
    browser,
    seeded,
    baseURL,
  }) => {
    const home = await seeded.household();
    await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
    const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
    const sarah = await FamilyApi.open(baseURL ?? "", linkToken(home.familyLink));
    // A conversation longer than any of these screens: her messages (each with Delete) and replies.
    const context = await browser.newContext({ viewport: screen.viewport, isMobile: screen.isMobile, locale: "en-GB" });
    const page = await context.newPage();
    const family = new FamilyPage(page);
    await page.goto("about:blank");
    const photo = await sarah.uploadPhoto(
      (await drawPhoto(page, { name: "garden.jpg", width: 1200, height: 900, sky: "#8ec5ff" })).buffer,
    );
    const first = await sarah.send("We moved in yesterday. The garden is big enough for your roses.", [
      { id: photo, caption: "The garden" },
    ]);
    await tablet.reply(first.id, "Lovely photo!");
    for (let n = 1; n <= 6; n++) await sarah.send(`Message number ${n} of the week`);

    await family.open(home.familyLink);
    await expect(family.message("Message number 6 of the week")).toBeVisible();
    await expect(page.getByRole("img", { name: "Photo 1 of 1" })).toHaveJSProperty("complete", true);
    // The offer of notifications comes last (loaded after the conversation): the page is complete.
    await expect(page.getByRole("switch", { name: "Tell me when Margaret replies or sees my messages" })).toBeVisible();
    await expectNoSidewaysScroll(page);
    // Whatever stays put while the page scrolls leaves most of the screen to the conversation.
    expect(await stuckShare(page)).toBeLessThanOrEqual(0.5);

    const bare = await tabThroughPage(page);
    expect(bare.visited).toEqual(expect.arrayContaining([expect.stringMatching(/^button "Delete"/)]));
    expect(bare.problems).toEqual([]);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: test.info().outputPath("family-tabbed.png") });

    // With two photos waiting to go, the composer is at its tallest.
    await family.addPhotos([
      await drawPhoto(page, { name: "kitchen.jpg", width: 1600, height: 1200, sky: "#f2d0a4" }),
      await drawPhoto(page, { name: "roses.jpg", width: 1200, height: 1600, sky: "#c7b3ff" }),
    ]);
    await expect(page.getByRole("img", { name: "Photo 2", exact: true })).toBeVisible();
    await family.caption(1).fill("The new kitchen, with the window that looks over the garden");
    await expectNoSidewaysScroll(page);
    expect(await stuckShare(page)).toBeLessThanOrEqual(0.5);
    const drafted = await tabThroughPage(page);
    expect(drafted.visited).toEqual(expect.arrayContaining([expect.stringMatching(/^textarea/)]));
    expect(drafted.visited.length).toBeGreaterThan(bare.visited.length);
    expect(drafted.problems).toEqual([]);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: test.info().outputPath("family-tabbed-with-photos.png") });

    await tablet.dispose();
    await sarah.api.dispose();
    await context.close();
  });
}

test("At 400 % zoom the page still follows the conversation: a reply that arrives is brought into view", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const sarah = await FamilyApi.open(baseURL ?? "", linkToken(home.familyLink));
  const first = await sarah.send("Shall I ring you at 6?");
  for (let n = 1; n <= 3; n++) await sarah.send(`Message number ${n} of the week`);
  const context = await browser.newContext({ viewport: { width: 320, height: 256 }, locale: "en-GB" });
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(family.message("Message number 3 of the week")).toBeInViewport();

  await tablet.reply(first.id, "Please ring me");
  // All of it, but for a fraction of a pixel: the page scrolls by whole pixels.
  await expect(family.message("Please ring me")).toBeInViewport({ ratio: 0.95 });
  await tablet.dispose();
  await sarah.api.dispose();
  await context.close();
});
