import { expect, test } from "../support/fixtures";
import { TabletPage } from "../support/tablet-page";

const morning = new Date("2026-11-28T10:32:00");

test("a reply tapped offline survives a restart and reaches the family exactly once", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family, context } = tablet;
  await tablet.pair();
  const sent = await family.send("Are you coming for Sunday lunch?");
  await expect(tablet.messageText("Are you coming for Sunday lunch?")).toBeVisible();
  await tablet.waitForOfflineReady();

  // Offline: the tap is answered at once with what is true, and the reply waits in the outbox.
  await context.setOffline(true);
  await expect(page.getByRole("status")).toContainText("Showing saved messages — last updated 10:32");
  await tablet.button("Thank you ♥").click();
  const note = page.getByRole("status").filter({ hasText: "Saved — it will go to Sarah soon" });
  await expect(note).toBeVisible();
  await expect(page.getByText("Sent to Sarah")).toBeHidden();
  // The note never covers the message being read.
  const noteBox = await note.boundingBox();
  const textBox = await tablet.messageText("Are you coming for Sunday lunch?").boundingBox();
  expect(noteBox && textBox && (noteBox.y >= textBox.y + textBox.height || noteBox.y + noteBox.height <= textBox.y)).toBe(true);
  await expect(tablet.article()).toContainText("You replied: Thank you ♥");
  await tablet.button("Thank you ♥").click(); // a shaky second tap is the same reply
  await tablet.check("offline-reply");
  expect(await tablet.stored("outbox")).toBe(1);

  // The tablet restarts with no network: the reply is still waiting.
  await page.reload();
  await expect(tablet.messageText("Are you coming for Sunday lunch?")).toBeVisible();
  await expect(tablet.article()).toContainText("You replied: Thank you ♥");
  expect(await tablet.stored("outbox")).toBe(1);
  expect(await family.replies()).toEqual([]);

  // The network comes back: it goes, once.
  await context.setOffline(false);
  await expect.poll(() => tablet.stored("outbox"), { timeout: 20_000 }).toBe(0);
  const replies = await family.replies();
  expect(replies).toHaveLength(1);
  expect(replies[0]).toMatchObject({ inReplyTo: sent.id, text: "Thank you ♥" });
  await expect(page.getByText("Showing saved messages")).toBeHidden();

  // Reloading again sends nothing more.
  await page.reload();
  await expect(tablet.article()).toContainText("You replied: Thank you ♥");
  await expect.poll(async () => (await family.replies()).length).toBe(1);
  await tablet.close();
});

test("replies are the ones staff chose, and 'Read it to me' speaks the message in the resident's language", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await page.addInitScript(() => {
    const spoken: { text: string; lang: string }[] = [];
    (window as unknown as { __spoken: typeof spoken }).__spoken = spoken;
    speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
      spoken.push({ text: u.text, lang: u.lang });
      setTimeout(() => u.onend?.(new Event("end") as SpeechSynthesisEvent), 50);
    };
  });
  await tablet.settings({ replyOptions: ["Lovely!", "Call me tonight"] });
  await tablet.pair();
  await family.send("Look at the snow!");
  await expect(tablet.messageText("Look at the snow!")).toBeVisible();
  await expect(page.getByRole("group", { name: "Reply to Sarah" }).getByRole("button")).toHaveText([
    "Lovely!",
    "Call me tonight",
  ]);

  await tablet.button("Read it to me").click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __spoken: unknown[] }).__spoken))
    .toEqual([{ text: "From Sarah (daughter). Look at the snow!", lang: "en-GB" }]);

  // Online, the relay takes the reply at once, and only then does the tablet say it was sent.
  await tablet.button("Lovely!").click();
  await expect(page.getByRole("status").filter({ hasText: "Sent to Sarah" })).toBeVisible();
  await expect.poll(async () => (await family.replies()).map((r) => r.text)).toEqual(["Lovely!"]);
  await tablet.close();
});
