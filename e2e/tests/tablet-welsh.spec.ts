import { expect, test } from "../support/fixtures";
import { TabletPage } from "../support/tablet-page";

test("a Welsh-speaking resident sees Welsh words and dates everywhere", async ({ browser, seeded, baseURL }) => {
  const morning = new Date("2026-11-28T10:32:00");
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.settings({ language: "cy" });
  await tablet.pair();
  await expect(page.getByRole("heading", { name: "Dim negeseuon eto" })).toBeVisible();
  await expect(tablet.clock()).toContainText("Dydd Sadwrn, 28 Tachwedd");
  await expect(page.locator("html")).toHaveAttribute("lang", "cy");
  await tablet.check("welsh-empty");

  await family.send("Bore da Mam!");
  await expect(tablet.messageText("Bore da Mam!")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Oddi wrth Sarah (daughter)" })).toBeVisible();
  await expect(page.getByText("1 neges newydd")).toBeVisible();
  await expect(tablet.button("Darllen i mi")).toBeVisible();
  await expect(page.getByRole("group", { name: "Ateb Sarah" }).getByRole("button")).toHaveText([
    "Diolch ♥",
    "Llun hyfryd!",
    "Ffonia fi plîs",
  ]);
  await tablet.check("welsh-message");

  // The next start is in Welsh from the first frame: only the Welsh words are loaded.
  const catalogues: string[] = [];
  page.on("request", (r) => {
    const name = r.url().match(/tablet-(en-GB|cy)-[^/]*\.js$/)?.[1];
    if (name) catalogues.push(name);
  });
  await page.reload();
  await expect(tablet.clock()).toContainText("Dydd Sadwrn, 28 Tachwedd");
  expect(catalogues).toEqual(["cy"]);

  await page.clock.setFixedTime(new Date("2026-11-28T23:10:00"));
  await page.reload();
  await expect(page.getByText("Nos Sadwrn, 28 Tachwedd")).toBeVisible();
  await tablet.close();
});
