import { expect, test } from "../support/fixtures";
import { PHOTOS } from "../support/photos";
import { TabletPage } from "../support/tablet-page";

// Saturday 28 November 2026, 10:32 on the tablet's clock; the relay keeps real time.
const morning = new Date("2026-11-28T10:32:00");

test("a message with two photos arrives, is shown large, and the family sees it was seen", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  await expect(page.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await expect(tablet.clock()).toContainText("Saturday 28 November");
  await tablet.check("empty");

  const house = await family.uploadPhoto(PHOTOS.house);
  const flowers = await family.uploadPhoto(PHOTOS.flowers);
  const sent = await family.send("Hello Mum! We moved in yesterday. The garden is big enough for your roses. Love you ♥", [
    { id: house, caption: "Our new house in Ampthill" },
    { id: flowers, caption: "Your roses came with us" },
  ]);

  // It opens itself, with a chime, in large type, with both photos and their captions.
  await expect(tablet.messageText(/Hello Mum! We moved in yesterday/)).toBeVisible();
  await expect(tablet.sender()).toBeVisible();
  await expect(page.getByText("1 new message")).toBeVisible();
  await expect(page.getByRole("img", { name: "Photo 1 of 2 from Sarah" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Photo 2 of 2 from Sarah" })).toBeVisible();
  await expect(tablet.article()).toContainText("Our new house in Ampthill");
  await expect(tablet.article()).toContainText("Your roses came with us");
  expect(await tablet.chimes()).toBe(1);
  const size = await tablet.messageText(/Hello Mum!/).evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(36);
  await tablet.check("message");

  // After a few seconds on screen it counts as seen: the count goes, and the family is told.
  await expect(page.getByText("1 new message")).toBeHidden();
  await expect
    .poll(async () => (await family.conversation()).items.find((i) => i.kind === "message" && i.message.id === sent.id), {
      timeout: 15_000,
    })
    .toMatchObject({ deliveredAt: expect.any(String), seenAt: expect.any(String) });

  // A photo full screen, and back with a tap on it.
  await page.getByRole("button", { name: /Photo 2 of 2 from Sarah/ }).click();
  const viewer = page.getByRole("dialog", { name: "Photo 2 of 2 from Sarah" });
  await expect(viewer).toBeVisible();
  await expect(viewer).toContainText("Your roses came with us");
  // The clock and the date stay in view over the photo, as on every screen.
  await tablet.expectClockInView("10:32", "Saturday 28 November");
  await tablet.check("photo-full-screen");
  await viewer.getByRole("button", { name: "Previous photo" }).click();
  await expect(page.getByRole("dialog", { name: "Photo 1 of 2 from Sarah" })).toBeVisible();
  await page.getByRole("dialog").getByRole("img").click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(tablet.messageText(/Hello Mum!/)).toBeVisible();

  await tablet.close();
});

test("the sender takes a message back: it leaves the tablet with its photos", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  const photo = await family.uploadPhoto(PHOTOS.house);
  await family.send("First message");
  const wrong = await family.send("Sent to the wrong person", [{ id: photo, caption: "" }]);
  await expect(tablet.messageText("First message")).toBeVisible();
  await tablet.button("Later").click();
  await expect(tablet.messageText("Sent to the wrong person")).toBeVisible();
  await expect(page.getByRole("img", { name: "Photo from Sarah" })).toBeVisible();

  await family.deleteMessage(wrong.id);
  await expect(tablet.messageText("First message")).toBeVisible();
  await expect(page.getByText("Sent to the wrong person")).toBeHidden();
  await expect.poll(() => tablet.stored("photos")).toBe(0);
  await tablet.close();
});
