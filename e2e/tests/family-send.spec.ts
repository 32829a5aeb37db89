import { uuidv7 } from "uuidv7";
import { TabletApi } from "../support/api";
import { expectLargeTargets, expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";
import { drawPhoto } from "../support/photos";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };
const TEXT = "Hello Mum! We moved in yesterday. The garden is big enough for your roses. Love you ♥";

test("Sarah sends text and three photos while offline; they go once when back; she sees them reach the tablet, be seen, and deletes it", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const home = await seeded.household();
  // No quiet hours, so the page has nothing to say about the tablet resting whatever the time of the run.
  await seeded.patch(`/residents/${home.residentId}`, { quietHours: null });
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(page).not.toHaveURL(/#/);
  await expect(page.getByText("Nothing sent yet.")).toBeVisible();
  await expectNoAxeViolations(page);

  // Photos as a phone camera hands them over: large, one portrait, one a PNG.
  const photos = [
    await drawPhoto(page, { name: "garden.jpg", width: 4000, height: 3000, sky: "#8ec5ff" }),
    await drawPhoto(page, { name: "kitchen.png", width: 2400, height: 1800, sky: "#f2d0a4", type: "image/png" }),
    await drawPhoto(page, { name: "roses.jpg", width: 3000, height: 4000, sky: "#c7b3ff" }),
  ];
  let uploads = 0;
  page.on("response", (res) => {
    if (res.url().endsWith("/api/family/photos") && res.status() === 201) uploads++;
  });

  // 1. No signal: she writes, adds three photos with captions and presses Send.
  await context.setOffline(true);
  await family.write(TEXT);
  await family.addPhotos(photos);
  await family.caption(1).fill("The garden");
  await family.caption(3).fill("Your roses are in!");
  await family.caption(2).fill("The new kitchen");
  await expect(page.getByText("3 of 10 photos")).toBeVisible();
  for (const n of [1, 2, 3]) await expect(page.getByRole("img", { name: `Photo ${n}`, exact: true })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-compose.png") });
  await family.send();

  const bubble = family.message("Hello Mum!");
  await expect(bubble.getByText("Waiting for signal")).toBeVisible();
  await expect(page.getByText("You are offline.")).toBeVisible();
  await expect(family.textBox).toHaveValue("");
  // It waits in IndexedDB, the photos kept as Blobs, shrunk on the phone to a long edge of 1600 px.
  const sizes = [
    [1600, 1200],
    [1600, 1200],
    [1200, 1600],
  ];
  expect(await family.outbox()).toEqual([
    {
      text: TEXT,
      photos: ["The garden", "The new kitchen", "Your roses are in!"].map((caption, i) => ({
        blob: true,
        type: "image/jpeg",
        bytes: expect.any(Number),
        width: sizes[i]?.[0],
        height: sizes[i]?.[1],
        caption,
      })),
    },
  ]);
  for (const photo of (await family.outbox())[0]?.photos ?? []) expect(photo.bytes).toBeLessThan(400_000);
  expect(await tablet.messages()).toEqual([]);
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-waiting-for-signal.png") });

  // 2. Signal again: it goes by itself, once, with its three photos shrunk on the phone.
  await context.setOffline(false);
  await expect(bubble.getByText(/^Sent \d\d:\d\d$/)).toBeVisible();
  await expect(page.getByText("You are offline.")).toBeHidden();
  const messages = await tablet.messages();
  expect(messages).toHaveLength(1);
  const [message] = messages;
  if (!message) throw new Error("no message");
  expect(message.text).toBe(TEXT);
  expect(message.photos.map((p) => p.caption)).toEqual(["The garden", "The new kitchen", "Your roses are in!"]);
  expect(uploads).toBe(3);
  expect(await family.outbox()).toEqual([]);
  // The photos come back from the relay as thumbnails.
  const roses = bubble.getByRole("figure", { name: "Your roses are in!" }).getByRole("img", { name: "Photo 3 of 3" });
  await expect(roses).toHaveJSProperty("complete", true);
  expect(await roses.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expectNoAxeViolations(page);

  // 3. The tablet has it, then Margaret has looked at it: the page follows without a reload.
  await tablet.receipt(message.id, "delivered");
  await expect(bubble.getByText(/On Margaret’s tablet \d\d:\d\d/)).toBeVisible();
  await expect(bubble.getByText(/Seen/)).toBeHidden();
  await expectNoAxeViolations(page);
  await tablet.receipt(message.id, "seen");
  await expect(bubble.getByText(/Seen \d\d:\d\d/)).toBeVisible();
  await expectNoAxeViolations(page);

  // 4. Margaret answers with one tap.
  await tablet.reply(message.id, "Thank you ♥");
  const reply = family.message("Thank you ♥");
  await expect(reply).toContainText("Margaret replied");
  await expectNoAxeViolations(page);
  await expectLargeTargets(page);
  await page.screenshot({ path: test.info().outputPath("family-seen.png"), fullPage: true });

  // 5. She takes it back: asked first, then gone from her page and from the tablet.
  await family.delete("Hello Mum!");
  await expect(family.conversation.getByText("Hello Mum!")).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Message deleted." })).toBeAttached();
  await expect
    .poll(async () => (await tablet.log()).filter((e) => e.kind === "message_deleted").map((e) => e.messageId))
    .toEqual([message.id]);
  await page.reload();
  await expect(family.message("Thank you ♥")).toBeVisible();
  await expect(family.conversation.getByText("Hello Mum!")).toBeHidden();
  await expectNoAxeViolations(page);

  await tablet.dispose();
  await context.close();
});

test("keeping a message is one tap away: Keep it leaves it where it was", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const family = new FamilyPage(await context.newPage());
  await family.open(home.familyLink);
  await family.write("Shall I ring you at 6?");
  await family.send();
  const bubble = family.message("Shall I ring you at 6?");
  await expect(bubble.getByText(/^Sent/)).toBeVisible();
  await bubble.getByRole("button", { name: "Delete" }).click();
  await expect(bubble.getByRole("button", { name: "Yes, delete it" })).toBeFocused();
  await expectNoAxeViolations(family.page);
  await bubble.getByRole("button", { name: "Keep it" }).click();
  await expect(bubble.getByRole("button", { name: "Delete" })).toBeFocused();
  await family.page.reload();
  await expect(family.message("Shall I ring you at 6?")).toBeVisible();
  await context.close();
});

test("a message whose answer was lost on the way back is sent again and stored once", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);

  let posts = 0;
  await page.route("**/api/family/messages", async (route) => {
    if (route.request().method() !== "POST") return route.fallback();
    posts++;
    if (posts > 1) return route.fallback();
    await route.fetch(); // the relay stores it…
    await route.abort("connectionreset"); // …and its answer never reaches the phone
  });
  await family.write("Shall I ring you at 6?");
  await family.send();
  await expect(family.message("Shall I ring you at 6?").getByText(/^Sent \d\d:\d\d$/)).toBeVisible();
  // The outbox tries again by itself (the relay answers the repeat with the stored message) and is then empty.
  await expect.poll(() => family.outbox()).toEqual([]);
  expect(posts).toBe(2);
  expect((await tablet.messages()).map((m) => m.text)).toEqual(["Shall I ring you at 6?"]);

  await tablet.dispose();
  await context.close();
});

test("each photo shows how far it has got while the message is sending", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);

  let release = () => {};
  const secondPhotoMayGo = new Promise<void>((resolve) => {
    release = resolve;
  });
  let uploads = 0;
  await page.route("**/api/family/photos", async (route) => {
    if (++uploads === 2) await secondPhotoMayGo;
    await route.fallback();
  });
  await family.write("Two from the beach");
  await family.addPhotos([
    await drawPhoto(page, { name: "beach.jpg", width: 800, height: 600, sky: "#8ec5ff" }),
    await drawPhoto(page, { name: "pier.jpg", width: 800, height: 600, sky: "#ffb0a0" }),
  ]);
  await expect(page.getByRole("img", { name: "Photo 2", exact: true })).toBeVisible();
  await family.send();

  const bubble = family.message("Two from the beach");
  await expect(bubble.getByText("Sending…")).toBeVisible();
  await expect(bubble.getByRole("progressbar", { name: "Photo 1 of 2 sent" })).toHaveJSProperty("value", 1);
  await expect(bubble.getByRole("progressbar", { name: "Photo 2 of 2 sent" })).toHaveJSProperty("value", 0);
  await expectNoAxeViolations(page);
  release();
  await expect(bubble.getByText(/^Sent \d\d:\d\d$/)).toBeVisible();
  await expect(bubble.getByRole("progressbar")).toHaveCount(0);
  await context.close();
});

test("the relay's sentence for a refused photo is shown next to that photo", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);

  // A file that says it is an image and is not one: the phone cannot shrink it, the relay refuses it.
  await family.write("Look at this");
  await family.addPhotos([
    await drawPhoto(page, { name: "fine.jpg", width: 800, height: 600, sky: "#8ec5ff" }),
    { name: "broken.jpg", mimeType: "image/jpeg", buffer: Buffer.from("this is not a photo at all") },
  ]);
  await family.send();
  const bubble = family.message("Look at this");
  await expect(bubble.getByText("Not sent.")).toBeVisible();
  const sentence = bubble.getByRole("alert");
  await expect(sentence).toHaveCount(1);
  await expect(sentence).not.toBeEmpty();
  // The sentence sits with the second photo, not the first.
  await expect(bubble.getByRole("listitem").nth(1).getByRole("alert")).toBeVisible();
  await expect(bubble.getByRole("listitem").nth(0).getByRole("alert")).toHaveCount(0);
  await expectNoAxeViolations(page);

  await bubble.getByRole("button", { name: "Don’t send" }).click();
  await expect(family.conversation.getByText("Look at this")).toBeHidden();
  expect(await family.outbox()).toEqual([]);
  await context.close();
});

test("where staff allow it, Sarah sees the rest of the family's messages, who sent them, and Margaret's replies to them", async ({
  browser,
  seeded,
  baseURL,
  request,
}) => {
  const home = await seeded.household();
  await seeded.patch(`/residents/${home.residentId}`, { familySeesAll: true });
  const tom = await seeded.familyLink(home.residentId, "Tom (son)");
  const tablet = await TabletApi.pair(baseURL ?? "", home.setupCode);
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);

  const tomsMessage = { id: uuidv7(), text: "Fixed your gate today, Mum", photos: [] };
  const sent = await request.post("/api/family/messages", {
    headers: { Authorization: `Bearer ${tom.token}` },
    data: tomsMessage,
  });
  expect(sent.status(), await sent.text()).toBe(201);
  const bubble = family.message("Fixed your gate today, Mum");
  await expect(bubble).toContainText("Tom (son)");
  // Not hers: no receipts to follow, nothing to delete.
  await expect(bubble.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await tablet.reply(tomsMessage.id, "Please ring me");
  await expect(family.message("Please ring me")).toContainText("Margaret replied to Tom (son)");
  await expectNoAxeViolations(page);

  // Without that leave, each family member sees only their own.
  await seeded.patch(`/residents/${home.residentId}`, { familySeesAll: false });
  await expect(family.conversation.getByText("Fixed your gate today, Mum")).toBeHidden();
  await tablet.dispose();
  await context.close();
});

test("on a laptop the same page reads well and stays accessible", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await family.write("Sent from my laptop at work");
  await page.keyboard.press("Tab"); // from the text box to + Photos, then Send: all reachable by keyboard
  await expect(page.getByRole("button", { name: "Add Photos" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(family.message("Sent from my laptop at work").getByText(/^Sent \d\d:\d\d$/)).toBeVisible();
  const width = await family.conversation.evaluate((el) => el.getBoundingClientRect().width);
  expect(width).toBeLessThanOrEqual(44 * 19); // a readable column, not the full screen
  await expectNoAxeViolations(page);
  await page.screenshot({ path: test.info().outputPath("family-laptop.png") });
  await context.close();
});

test("at most ten photos go in one message, and the page says so", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  const photos = [];
  for (let i = 1; i <= 11; i++) {
    photos.push(await drawPhoto(page, { name: `p${i}.jpg`, width: 80, height: 60, sky: `hsl(${i * 30} 70% 70%)` }));
  }
  await family.addPhotos(photos);
  await expect(page.getByText("You can send up to 10 photos in one message.")).toBeVisible();
  await expect(page.getByText("10 of 10 photos")).toBeVisible();
  await expect(family.caption(10)).toBeVisible();
  await expect(family.caption(11)).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add Photos" })).toBeDisabled();
  await page.getByRole("button", { name: "Remove photo 10" }).click();
  await expect(page.getByText("9 of 10 photos")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add Photos" })).toBeEnabled();
  await expectNoAxeViolations(page);
  await context.close();
});
