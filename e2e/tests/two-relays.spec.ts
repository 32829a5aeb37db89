import { createHash } from "node:crypto";
import fs from "node:fs";
import { sentMessageSchema } from "@letterbox/shared";
import { expect, S3_PREFIX, test } from "../support/cluster";
import { FamilyPage } from "../support/family-page";
import { drawPhoto } from "../support/photos";
import { TabletPage } from "../support/tablet-page";

// Saturday 28 November 2026, 10:32 on the tablet's clock; the relays keep real time.
const morning = new Date("2026-11-28T10:32:00");
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };
const TEXT = "Hello Mum! Sent from the bus, through the other relay.";

/** Every file under a folder, as paths relative to it. */
const filesUnder = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

test("the tablet on relay A hears at once of Sarah's message with a photo sent through relay B; its reply and 'Seen' reach her on B", async ({
  browser,
  cluster,
}) => {
  test.setTimeout(120_000);
  const { a, b, staff, s3, bucket } = cluster;

  // Margaret's tablet is set up and stays connected to relay A.
  const tablet = await TabletPage.start(browser, staff, { at: morning, baseURL: a.url });
  const { page, household } = tablet;
  // No quiet hours, so Sarah's page has nothing to say about the tablet resting whatever the time of the run.
  await staff.patch(`/residents/${household.residentId}`, { quietHours: null });
  await tablet.noteLiveAndSync();
  const photoAnswers: { url: string; status: number }[] = [];
  page.on("response", (res) => {
    if (res.url().includes("/api/tablet/photos/")) photoAnswers.push({ url: res.url(), status: res.status() });
  });
  await tablet.pair();
  await expect(page.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await expect.poll(async () => (await tablet.liveAndSync()).some((n) => n.kind === "live-open")).toBe(true);

  // Sarah opens her link on her phone, against relay B, and her page's live connection opens there.
  const familyContext = await browser.newContext(phone);
  const familyPage = await familyContext.newPage();
  const familyLive = familyPage.waitForResponse((res) => res.url() === `${b.url}/api/family/live` && res.ok());
  const family = new FamilyPage(familyPage);
  await family.open(`${b.url}/family#${household.familyToken}`);
  await familyLive;

  // From here no timer runs on the tablet: only its live connection can make it pull.
  await page.clock.pauseAt(morning);

  await family.write(TEXT);
  await family.addPhotos([await drawPhoto(familyPage, { name: "bus.jpg", width: 1600, height: 1200, sky: "#8ec5ff" })]);
  await family.caption(1).fill("The view from the bus");
  const answered = familyPage.waitForResponse(
    (res) => res.url() === `${b.url}/api/family/messages` && res.request().method() === "POST",
  );
  await family.send();
  const answer = await answered;
  expect(answer.status()).toBe(201);
  const sent = sentMessageSchema.parse(((await answer.json()) as { message: unknown }).message);
  const photoId = sent.photos[0]?.id ?? "";

  // The tablet shows it without a reload and with its timers stopped.
  await expect(tablet.messageText(TEXT)).toBeVisible();
  // It was A's live connection that brought it: the hint for its seq came, then the sync that fetched it.
  const notes = await tablet.liveAndSync();
  const hintAt = notes.findIndex((n) => n.kind === "hint" && n.seq >= sent.seq);
  const fetchedAt = notes.findIndex((n) => n.kind === "sync" && n.messageIds.includes(sent.id));
  expect(hintAt, JSON.stringify(notes)).toBeGreaterThanOrEqual(0);
  expect(fetchedAt, JSON.stringify(notes)).toBeGreaterThan(hintAt);

  // Time runs again (the page's own scheduling of what it draws needs it), and the photo is shown.
  await page.clock.resume();
  const photo = page.getByRole("img", { name: "Photo from Sarah" });
  await expect(photo).toBeVisible();
  await expect(photo).toHaveJSProperty("complete", true);
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(tablet.article()).toContainText("The view from the bus");

  // Relay A served the photo from the bucket: the tablet asked A for it and keeps the bucket's bytes,
  // and neither relay has it on its own disk.
  const key = `${S3_PREFIX}/${photoId}.jpg`;
  expect(await s3.keys(bucket)).toContain(key);
  expect(photoAnswers).toEqual([{ url: `${a.url}/api/tablet/photos/${photoId}`, status: 200 }]);
  const inBucket = createHash("sha256")
    .update(await s3.object(bucket, key))
    .digest("hex");
  expect(await tablet.storedPhotoSha256(photoId)).toBe(inBucket);
  for (const relay of [a, b]) expect(filesUnder(relay.dataDir).filter((f) => f.name.includes(photoId))).toEqual([]);

  // After a few seconds on screen it counts as seen, and Sarah's page on B says so. Her page does
  // not poll while its live connection is open, so only a hint from A can tell it.
  const bubble = family.message(TEXT);
  await expect(bubble.getByText(/Seen \d\d:\d\d/)).toBeVisible({ timeout: 20_000 });

  // Margaret answers with one tap, through A; Sarah's page on B shows it.
  await tablet.button("Thank you ♥").click();
  await expect(family.message("Thank you ♥")).toContainText("Margaret replied");

  await tablet.close();
  await familyContext.close();
});
