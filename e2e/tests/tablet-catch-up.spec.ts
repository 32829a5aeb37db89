import { expect, test } from "../support/fixtures";
import { TabletPage } from "../support/tablet-page";

test("offline across three days while 50 messages arrive: all appear, in order, oldest unread first", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const friday = new Date("2026-11-27T09:00:00");
  const tablet = await TabletPage.start(browser, seeded, { at: friday, baseURL: baseURL ?? "" });
  const { page, family, context } = tablet;
  await tablet.pair();
  await family.send("Before the storm");
  await expect(tablet.messageText("Before the storm")).toBeVisible();
  await expect(page.getByText("1 new message")).toBeHidden(); // seen
  await tablet.waitForOfflineReady();

  await context.setOffline(true);
  await expect(page.getByRole("status")).toContainText("Showing saved messages");
  for (let n = 1; n <= 50; n++) await family.send(`Message number ${n}`);

  // Three days later, still offline, after a restart: only what was saved, calmly.
  await page.clock.setFixedTime(new Date("2026-11-30T09:00:00"));
  await page.reload();
  await expect(tablet.clock()).toContainText("Monday 30 November");
  await expect(tablet.messageText("Before the storm")).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Showing saved messages — last updated Friday 27 November, 09:00");

  // Back online: the tablet catches up by itself and opens on the oldest unread.
  await context.setOffline(false);
  await expect(page.getByText("50 new messages")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText("Showing saved messages")).toBeHidden();
  // The message on screen had been seen, so the first new one opens itself.
  for (let n = 1; n <= 50; n++) {
    await expect(tablet.messageText(`Message number ${n}`)).toBeVisible();
    if (n < 50) await tablet.button("Later").click();
  }
  await expect(tablet.button("Later")).toBeHidden();
  await tablet.button("Earlier").click();
  await expect(tablet.messageText("Message number 49")).toBeVisible();

  // A sideways swipe does the same as the buttons (never needed, but people try it).
  const box = await tablet.article().boundingBox();
  if (!box) throw new Error("no message on screen");
  const swipe = async (from: number, to: number) => {
    await page.mouse.move(box.x + from, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + to, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  };
  await swipe(100, 600);
  await expect(tablet.messageText("Message number 48")).toBeVisible();
  await swipe(600, 100);
  await expect(tablet.messageText("Message number 49")).toBeVisible();
  expect(await tablet.stored("messages")).toBe(51);
  await tablet.close();
});
