import { expectNoAxeViolations, expectResidentFriendly } from "../support/checks";
import { expect, test } from "../support/fixtures";
import { drawnPhoto } from "../support/photos";
import { LANDSCAPE, messageLayout, PORTRAIT, TabletPage } from "../support/tablet-page";

// The text sizes exist for residents with low vision: at each of them, in both orientations, the
// message text must get the room first (several lines of it at once), and nothing may sit on top
// of anything else.
const morning = new Date("2026-11-28T10:32:00");
const SIZES = ["large", "larger", "largest"] as const;
const ORIENTATIONS = [
  ["landscape", LANDSCAPE],
  ["portrait", PORTRAIT],
] as const;
const SHORT = "Hello Mum! We moved in yesterday. The garden is big enough for your roses. Love you ♥";
const LONG = Array.from({ length: 14 }, (_, i) => `This is sentence number ${i + 1} of a long letter from Sarah.`).join(" ");
const MESSAGES = {
  "text only": { text: SHORT, photos: 0 },
  "1 photo": { text: SHORT, photos: 1 },
  "3 photos": { text: SHORT, photos: 3 },
  "long text": { text: LONG, photos: 0 },
  "long text with a photo": { text: LONG, photos: 1 },
} as const;
/** Room for at least this many lines of the message text, whatever else is on the screen. */
const LEAST_LINES = 3;

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const messageText = (tablet: TabletPage) => tablet.article().locator(".message-text:not(.message-text-probe)");

/** Every page of the message, read by pressing "More" as the resident would; ends back on page 1. */
async function readAllPages(tablet: TabletPage, pages: number): Promise<string[]> {
  const read: string[] = [];
  for (let p = 1; p <= pages; p++) {
    await expect(tablet.page.getByText(`Page ${p} of ${pages}`)).toBeVisible();
    read.push((await messageText(tablet).textContent()) ?? "");
    await tablet.button(p < pages ? "More" : "Back to the start").click();
  }
  await expect(tablet.page.getByText(`Page 1 of ${pages}`)).toBeVisible();
  return read;
}

for (const [kind, { text, photos }] of Object.entries(MESSAGES)) {
  for (const size of SIZES) {
    test(`${kind} at the "${size}" text size: the text has room for several lines and nothing overlaps`, async ({
      browser,
      seeded,
      baseURL,
    }, testInfo) => {
      const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
      const { page, family } = tablet;
      await tablet.settings({ textSize: size });
      await tablet.pair();
      const ids: { id: string; caption: string }[] = [];
      for (let i = 0; i < photos; i++) {
        // Landscape photos (the shape that left no room for the text), and one upright.
        const shape = i === 1 ? { width: 480, height: 640 } : { width: 800, height: 480 + i * 40 };
        const id = await family.uploadPhoto(await drawnPhoto(page, { ...shape, seed: i }));
        ids.push({ id, caption: i === 0 ? "The new garden" : "" });
      }
      await family.send(text, ids);

      await expect(messageText(tablet)).toBeVisible();
      await expect(page.getByRole("group", { name: "Reply to Sarah" }).getByRole("button")).toHaveCount(3);
      await expect(tablet.button("Read it to me")).toBeVisible();
      if (photos > 0) await expect(page.getByRole("img", { name: /^Photo/ })).toHaveCount(photos);

      for (const [orientation, viewport] of ORIENTATIONS) {
        await page.setViewportSize(viewport);
        const state = `${kind} / ${size} / ${orientation}`;
        // The text is fitted to its box after each layout: wait for what the resident would see.
        await expect
          .poll(
            async () => {
              const layout = await messageLayout(page);
              return {
                // Fitted to the box as it is now, not still the one before the turn.
                settled: layout.settled,
                problems: layout.problems,
                room: layout.roomLines >= LEAST_LINES,
                // All of this page's text is in view, and a page holds several lines (or the whole text).
                allShown: layout.shownLines >= layout.textLines - 0.05,
                fullPage: layout.pages === 1 || layout.shownLines >= LEAST_LINES - 0.05,
                // A short message is never split into pages.
                onePage: text === SHORT ? layout.pages === 1 : true,
              };
            },
            { message: state },
          )
          .toEqual({ settled: true, problems: [], room: true, allShown: true, fullPage: true, onePage: true });

        const layout = await messageLayout(page);
        if (layout.pages > 1) {
          // Paging is whole: each word on exactly one page, in order.
          const read = await readAllPages(tablet, layout.pages);
          expect(words(read.join(" ")), state).toEqual(words(text));
        }
        await expectNoAxeViolations(page);
        await expectResidentFriendly(page);
        const name = `${kind}-${size}-${orientation}.png`.replace(/\s+/g, "-");
        const path = testInfo.outputPath(name);
        await page.screenshot({ path });
        await testInfo.attach(name, { path, contentType: "image/png" });
      }
      await tablet.close();
    });
  }
}

test("a long letter keeps the resident's place when the tablet turns, and still has every word once", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  await family.send(LONG);
  await expect(page.getByText(/^Page 1 of [2-9]$/)).toBeVisible();
  const pageNumber = async () => {
    const [, at, of] = (await page.getByText(/^Page \d+ of \d+$/).textContent())?.match(/Page (\d+) of (\d+)/) ?? [];
    return { at: Number(at), of: Number(of) };
  };
  await tablet.button("More").click();
  await expect(page.getByText(/^Page 2 of \d+$/)).toBeVisible();
  // Where the page being read starts, in words of the whole letter.
  const reading = (await messageText(tablet).textContent()) ?? "";
  expect(LONG.indexOf(reading)).toBeGreaterThan(0);
  const firstRead = words(LONG.slice(0, LONG.indexOf(reading))).length;

  // Turned: the box changes, the text is paged again, and the page shown holds the words being read.
  await page.setViewportSize(PORTRAIT);
  await expect.poll(async () => (await messageLayout(page)).settled).toBe(true);
  expect((await messageLayout(page)).roomLines).toBeGreaterThan(LEAST_LINES + 2);
  const after = await pageNumber();
  const shownAfter = (await messageText(tablet).textContent()) ?? "";
  for (let p = after.at; p <= after.of; p++) await tablet.button(p < after.of ? "More" : "Back to the start").click();
  const pages = await readAllPages(tablet, after.of);
  expect(words(pages.join(" "))).toEqual(words(LONG));
  expect(pages[after.at - 1]).toBe(shownAfter);
  const startsAt = words(pages.slice(0, after.at - 1).join(" ")).length;
  const endsAt = startsAt + words(shownAfter).length;
  expect(firstRead).toBeGreaterThanOrEqual(startsAt);
  expect(firstRead).toBeLessThan(endsAt);
  await tablet.close();
});

test("a photo full screen keeps the clock and the date in view, at every text size and both ways round", async ({
  browser,
  seeded,
  baseURL,
}, testInfo) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  const photo = await family.uploadPhoto(await drawnPhoto(page, { width: 800, height: 480, seed: 3 }));
  await family.send("The view from the new kitchen", [{ id: photo, caption: "From the kitchen window" }]);
  await page.getByRole("button", { name: /Photo from Sarah/ }).click();
  const viewer = page.getByRole("dialog", { name: "Photo from Sarah" });
  await expect(viewer.getByRole("img", { name: "Photo from Sarah" })).toBeVisible();
  for (const size of SIZES) {
    await tablet.settings({ textSize: size });
    await expect(page.locator(".tablet")).toHaveClass(new RegExp(`text-${size}`));
    for (const [orientation, viewport] of ORIENTATIONS) {
      await page.setViewportSize(viewport);
      await expect(viewer).toBeVisible();
      await tablet.expectClockInView("10:32", "Saturday 28 November");
      const clock = await tablet.clock().boundingBox();
      const photoBox = await viewer.boundingBox();
      expect(clock && photoBox && clock.y + clock.height <= photoBox.y + 0.5, `${size} / ${orientation}`).toBe(true);
      await expectNoAxeViolations(page);
      await expectResidentFriendly(page);
      const name = `photo-full-screen-${size}-${orientation}.png`;
      const path = testInfo.outputPath(name);
      await page.screenshot({ path });
      await testInfo.attach(name, { path, contentType: "image/png" });
    }
  }
  await tablet.close();
});
