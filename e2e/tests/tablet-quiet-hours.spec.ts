import { expect, test } from "../support/fixtures";
import { TabletPage } from "../support/tablet-page";

test("in quiet hours a message arrives without a chime and waits, under a dim night clock", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const night = new Date("2026-11-28T23:47:00");
  const tablet = await TabletPage.start(browser, seeded, { at: night, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair(); // quiet hours are 21:00–08:00 unless staff change them
  const clock = page.getByRole("heading", { name: "23:47" });
  await expect(clock).toBeVisible();
  await expect(page.getByText("Saturday night, 28 November")).toBeVisible();

  await family.send("Sleep well, Mum");
  await expect(page.getByText("1 new message waiting for the morning")).toBeVisible();
  await expect(page.getByText("Sleep well, Mum")).toBeHidden();
  expect(await tablet.chimes()).toBe(0);
  const background = await page.locator(".tablet").evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(background).toBe("rgb(14, 16, 21)");
  await tablet.check("night");

  // Awake at night, the resident can still read it; it is not counted as seen before it is shown.
  expect((await family.conversation()).items[0]).toMatchObject({ seenAt: null });
  await tablet.button("Show messages").click();
  await expect(tablet.messageText("Sleep well, Mum")).toBeVisible();
  await tablet.close();
});

test("outside quiet hours a new message chimes; staff can move quiet hours and the tablet follows", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const evening = new Date("2026-11-28T20:30:00");
  const tablet = await TabletPage.start(browser, seeded, { at: evening, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  await family.send("Good evening!");
  await expect(tablet.messageText("Good evening!")).toBeVisible();
  await expect.poll(() => tablet.chimes()).toBe(1);
  await expect(page.getByText("1 new message")).toBeHidden(); // seen

  await tablet.settings({ quietHours: { start: "20:00", end: "07:00" } });
  await expect(page.getByText("Saturday evening, 28 November")).toBeVisible();
  await family.send("Night night");
  await expect(page.getByText("1 new message waiting for the morning")).toBeVisible();
  expect(await tablet.chimes()).toBe(1);
  await tablet.close();
});
