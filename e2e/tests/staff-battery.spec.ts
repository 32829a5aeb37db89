import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";
import { TabletPage } from "../support/tablet-page";

const nia: Person = { name: "Nia Roberts", email: "nia.roberts@council.example", password: "lantern otter meadow 58" };

/**
 * The Battery Status API is the browser's boundary: the tablet page gets a battery at 12% that is
 * not charging, which the test can plug in. Everything past navigator.getBattery is real.
 */
/** Today, mid-morning, whenever the suite runs: in the resident's quiet hours the tablet shows its night clock. */
function todayMidMorning() {
  const morning = new Date();
  morning.setHours(10, 32, 0, 0);
  return morning;
}

async function fakeBattery(tablet: TabletPage) {
  await tablet.page.addInitScript(() => {
    const battery = { level: 0.12, charging: false, addEventListener() {}, removeEventListener() {} };
    (window as unknown as { __battery: typeof battery }).__battery = battery;
    Object.defineProperty(navigator, "getBattery", { configurable: true, value: () => Promise.resolve(battery) });
  });
}

test("a tablet whose battery is low and not charging shows on the dashboard and in its health, until it is plugged in", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const household = await seeded.household("Ivy");
  const tablet = await TabletPage.start(browser, seeded, { at: todayMidMorning(), household, baseURL: baseURL ?? "" });
  await fakeBattery(tablet);
  await tablet.pair();
  await expect(tablet.page.getByRole("heading", { name: "No messages yet" })).toBeVisible();

  const staff = await StaffPage.officer(browser, seeded, nia);
  await staff.search("Ivy Jones");
  const alerts = staff.row("Ivy Jones").getByRole("listitem");
  // The tablet reports after its first sync; the dashboard shows what it had when it loaded.
  await expect(async () => {
    await staff.page.reload();
    await expect(alerts).toContainText(["Battery low and not charging (12%)"], { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await staff.expectAxeClean();

  await staff.openResident("Ivy Jones");
  const health = staff.page.getByRole("region", { name: /^Tablet set up on / });
  const battery = health.getByRole("term").filter({ hasText: "Battery" }).locator("xpath=following-sibling::dd");
  await expect(battery).toHaveText("12%, not charging");
  await staff.expectAxeClean();

  // Staff at the tablet read the same in its hidden corner.
  await tablet.openStaffCorner();
  const corner = tablet.page.getByRole("dialog", { name: "Staff" });
  await corner.getByLabel("Staff PIN").fill("2468");
  await corner.getByRole("button", { name: "Open" }).click();
  const status = tablet.page.getByRole("dialog", { name: "This tablet" });
  await expect(status.getByRole("term").filter({ hasText: "Battery" }).locator("xpath=following-sibling::dd")).toHaveText(
    "12%, not charging",
  );
  await status.getByRole("button", { name: "Close" }).click();

  // Someone plugs it in; its next sync (coming online is one) reports it, and the alert goes.
  await tablet.page.evaluate(() => {
    (window as unknown as { __battery: { charging: boolean } }).__battery.charging = true;
    window.dispatchEvent(new Event("online"));
  });
  await expect(async () => {
    await staff.page.reload();
    await expect(battery).toHaveText("12%, charging", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await staff.nav("Residents");
  await staff.search("Ivy Jones");
  await expect(staff.row("Ivy Jones")).toBeVisible();
  await expect(staff.row("Ivy Jones").getByText(/Battery low/)).toHaveCount(0);
  await Promise.all([staff.close(), tablet.close()]);
});

test("a tablet whose browser has no Battery Status API reports no battery, and raises no alert", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const household = await seeded.household("Alun");
  const tablet = await TabletPage.start(browser, seeded, { at: todayMidMorning(), household, baseURL: baseURL ?? "" });
  await tablet.page.addInitScript(() => {
    Object.defineProperty(navigator, "getBattery", { configurable: true, value: undefined });
  });
  await tablet.pair();
  await expect(tablet.page.getByRole("heading", { name: "No messages yet" })).toBeVisible();

  const staff = await StaffPage.administrator(browser, seeded);
  await staff.openResident("Alun Jones");
  const health = staff.page.getByRole("region", { name: /^Tablet set up on / });
  const battery = health.getByRole("term").filter({ hasText: "Battery" }).locator("xpath=following-sibling::dd");
  await expect(async () => {
    await staff.page.reload();
    await expect(battery).toHaveText("Not reported by this tablet’s browser", { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await staff.nav("Residents");
  await staff.search("Alun Jones");
  await expect(staff.row("Alun Jones")).toBeVisible();
  await expect(staff.row("Alun Jones").getByText(/Battery/)).toHaveCount(0);
  await Promise.all([staff.close(), tablet.close()]);
});
