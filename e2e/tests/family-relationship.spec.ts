import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";
import { TabletPage } from "../support/tablet-page";

const carys: Person = { name: "Carys Evans", email: "carys.evans@council.example", password: "pebble lighthouse willow 47" };
const morning = new Date("2026-11-28T10:32:00");

test("staff record how the resident knows someone apart from the name; the tablet says “From Sarah, your daughter”", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const residentId = await seeded.resident("Margaret Pryce", "Margaret");
  const staff = await StaffPage.officer(browser, seeded, carys);
  await staff.openResident("Margaret Pryce");
  await staff.link("Create a family link").click();
  await staff.page.getByLabel("Who is this link for?").fill("Sarah");
  const relationship = staff.page.getByLabel("How does Margaret know them? (optional)");
  await expect(relationship).toHaveAccessibleDescription(/“daughter” shows “From Sarah, your daughter”/);
  await relationship.fill("your daughter");
  await staff.button("Create link").click();
  await expect(staff.errorSummary().getByRole("link")).toHaveText("The relationship should leave out “your”: the tablet adds it");
  await expect(relationship).toHaveAccessibleDescription(/should leave out “your”/);
  await staff.expectAxeClean();

  await relationship.fill("daughter");
  await staff.button("Create link").click();
  await expect(staff.heading("Family link for Sarah")).toBeVisible();
  const url = await staff.page.getByLabel("Private link for Sarah").inputValue();
  await staff.openResident("Margaret Pryce");
  const row = staff.page.getByRole("row", { name: /^Sarah daughter/ });
  await expect(row).toBeVisible();
  await staff.expectAxeClean();

  const household = {
    residentId,
    familyLink: url,
    familyToken: url.split("#")[1] ?? "",
    setupCode: await seeded.setupCode(residentId),
  };
  const tablet = await TabletPage.start(browser, seeded, { at: morning, household, baseURL: baseURL ?? "" });
  await tablet.pair();
  await tablet.family.send("Hello Mum!");
  await expect(tablet.messageText("Hello Mum!")).toBeVisible();
  await expect(tablet.sender("Sarah, your daughter")).toBeVisible();
  await tablet.check("message-relationship");
  // Everywhere else the tablet names her, it is by name alone.
  const replies = tablet.page.getByRole("group", { name: "Reply to Sarah" });
  await replies.getByRole("button", { name: "Thank you ♥" }).click();
  await expect(tablet.page.getByRole("status").filter({ hasText: "Sent to Sarah" })).toBeVisible();

  // Staff take the relationship away: her next message says just her name; the first keeps its words.
  await row.getByRole("link", { name: "Change the name or relationship for Sarah" }).click();
  await expect(staff.heading("Change Sarah’s link")).toBeVisible();
  await expect(relationship).toHaveValue("daughter");
  await staff.expectAxeClean();
  await relationship.fill("");
  await staff.button("Save changes").click();
  await expect(staff.banner()).toHaveText("Sarah’s link has been changed.");
  await expect(staff.page.getByRole("row", { name: /^Sarah / })).not.toContainText("daughter");

  // Once the first has been seen, the next opens itself.
  await expect(tablet.page.getByText("1 new message")).toBeHidden();
  await tablet.family.send("Are you free on Sunday?");
  await expect(tablet.messageText("Are you free on Sunday?")).toBeVisible();
  await expect(tablet.page.getByRole("heading", { name: "From Sarah", exact: true })).toBeVisible();
  await tablet.button("Earlier").click();
  await expect(tablet.messageText("Hello Mum!")).toBeVisible();
  await expect(tablet.sender("Sarah, your daughter")).toBeVisible();
  await Promise.all([staff.close(), tablet.close()]);
});

test("a Welsh-speaking resident reads “Oddi wrth Sarah, eich merch”", async ({ browser, seeded, baseURL }) => {
  const residentId = await seeded.resident("Megan Pryce", "Megan");
  const link = await seeded.familyLink(residentId, "Sarah", "merch");
  const household = { residentId, familyLink: link.url, familyToken: link.token, setupCode: await seeded.setupCode(residentId) };
  const tablet = await TabletPage.start(browser, seeded, { at: morning, household, baseURL: baseURL ?? "" });
  await tablet.settings({ language: "cy" });
  await tablet.pair();
  await tablet.family.send("Bore da Mam!");
  await expect(tablet.messageText("Bore da Mam!")).toBeVisible();
  await expect(tablet.page.getByRole("heading", { name: "Oddi wrth Sarah, eich merch" })).toBeVisible();
  await expect(tablet.page.getByRole("group", { name: "Ateb Sarah" })).toBeVisible();
  await tablet.check("welsh-message-relationship");
  await tablet.close();
});
