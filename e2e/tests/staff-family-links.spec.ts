import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";

const sian: Person = { name: "Sian Hughes", email: "sian.hughes@council.example", password: "harbour teapot glacier 31" };
const omar: Person = { name: "Omar Farouk", email: "omar.farouk@council.example", password: "cinnamon bridle ocean 12" };
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };
const GONE = /^This link no longer works\./;

test("a family link is shown once, with Copy and a QR code, and prints as a one-page welcome letter", async ({
  browser,
  seeded,
}) => {
  await seeded.resident("Olive Hart", "Olive");
  const staff = await StaffPage.officer(browser, seeded, sian);
  await staff.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await staff.openResident("Olive Hart");
  await staff.link("Create a family link").click();
  await expect(staff.heading("Create a family link")).toBeVisible();
  await staff.expectAxeClean();
  await staff.button("Create link").click();
  await expect(staff.errorSummary().getByRole("link")).toHaveText("Enter who the link is for");
  await staff.expectAxeClean();

  await staff.page.getByLabel("Who is this link for?").fill("Sarah — daughter");
  await staff.button("Create link").click();
  await expect(staff.heading("Family link for Sarah — daughter")).toBeVisible();
  const url = await staff.page.getByLabel("Private link for Sarah — daughter").inputValue();
  expect(url).toMatch(/^http:\/\/localhost:\d+\/family#[A-Za-z0-9_-]{43}$/);
  await expect(staff.page.getByText(/This link is shown only now\./)).toBeVisible();
  await expect(staff.page.getByRole("img", { name: "QR code of the private link for Sarah — daughter" })).toBeVisible();
  await staff.button("Copy link").click();
  await expect(staff.page.getByRole("status").filter({ hasText: "Link copied." })).toBeVisible();
  expect(await staff.page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await staff.expectAxeClean();

  await staff.link("Print welcome letter").click();
  const letter = staff.page.getByRole("article", { name: "Welcome letter for Sarah — daughter" });
  await expect(letter.getByRole("heading", { level: 1 })).toHaveText("Send messages and photos to Olive");
  await expect(letter).toContainText(url);
  await expect(letter.getByRole("img", { name: "QR code of your private link to Olive" })).toBeVisible();
  await expect(letter.getByRole("heading", { name: "How to send a message or a photo" })).toBeVisible();
  await expect(letter).toContainText(`contact Sian Hughes at your council: ${sian.email}`);
  await staff.expectAxeClean();

  await staff.page.emulateMedia({ media: "print" });
  await expect(staff.page.getByRole("navigation", { name: "Console" })).toBeHidden();
  await expect(staff.button("Print this letter")).toBeHidden();
  await expect(letter).toBeVisible();
  await staff.page.screenshot({ path: test.info().outputPath("welcome-letter-print.png"), fullPage: true });
  // One A4 page: 297 mm less the print margins, at 96 px to the inch.
  const height = await staff.page.evaluate(() => document.documentElement.scrollHeight);
  expect(height).toBeLessThan(((297 - 2 * 16) / 25.4) * 96);
  await staff.page.emulateMedia({ media: "screen" });

  // The link is not kept anywhere: after a reload the letter cannot be printed again.
  await staff.page.reload();
  await expect(staff.heading("The link is no longer shown")).toBeVisible();
  await expect(staff.link("Re-issue the link")).toBeVisible();
  await staff.expectAxeClean();
  expect(
    await staff.page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })),
  ).not.toContain(url.split("#")[1]);

  // The family member opens it; the console shows when the link was last used.
  const familyContext = await browser.newContext(phone);
  const familyPage = await familyContext.newPage();
  await familyPage.goto(url);
  await expect(familyPage.getByRole("heading", { name: "Messages to Olive" })).toBeVisible();
  await staff.openResident("Olive Hart");
  await expect(staff.page.getByRole("row", { name: /Sarah — daughter/ })).not.toContainText("Not used yet");
  await Promise.all([staff.close(), familyContext.close()]);
});

test("revoking a link takes effect at once; re-issuing gives a new link that works", async ({ browser, seeded }) => {
  const mabel = await seeded.resident("Mabel Stone", "Mabel");
  const old = await seeded.familyLink(mabel, "Dan — grandson");
  const familyContext = await browser.newContext(phone);
  const familyPage = await familyContext.newPage();
  await familyPage.goto(old.url);
  await expect(familyPage.getByRole("heading", { name: "Messages to Mabel" })).toBeVisible();

  const staff = await StaffPage.officer(browser, seeded, omar);
  await staff.openResident("Mabel Stone");
  await staff.link("Revoke the link for Dan — grandson").click();
  await expect(staff.heading("Revoke Dan — grandson’s link?")).toBeVisible();
  await staff.expectAxeClean();
  await staff.button("Revoke link").click();
  await expect(staff.heading("Mabel Stone")).toBeVisible();
  await expect(staff.banner()).toHaveText("Dan — grandson’s link has been revoked. It no longer works.");
  await expect(staff.page.getByRole("row", { name: /Dan — grandson/ })).toContainText("Revoked");
  await expect(staff.link("Revoke the link for Dan — grandson")).toHaveCount(0);
  await staff.expectAxeClean();

  // The page already open on the phone shows the kind page; so does opening the link again.
  await expect(familyPage.getByRole("alert")).toHaveText(GONE);
  await familyPage.goto(old.url);
  await expect(familyPage.getByRole("alert")).toHaveText(GONE);

  await staff.link("Re-issue the link for Dan — grandson").click();
  await expect(staff.heading("Re-issue Dan — grandson’s link?")).toBeVisible();
  await staff.expectAxeClean();
  await staff.button("Re-issue link").click();
  await expect(staff.heading("New link for Dan — grandson")).toBeVisible();
  const fresh = await staff.page.getByLabel("Private link for Dan — grandson").inputValue();
  expect(fresh).not.toBe(old.url);
  await staff.expectAxeClean();

  const newContext = await browser.newContext(phone);
  const newPage = await newContext.newPage();
  await newPage.goto(fresh);
  await expect(newPage.getByRole("heading", { name: "Messages to Mabel" })).toBeVisible();
  await Promise.all([staff.close(), familyContext.close(), newContext.close()]);
});
