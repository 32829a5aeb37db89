import { expect, test } from "../support/fixtures";
import { TabletPage } from "../support/tablet-page";

const morning = new Date("2026-11-28T10:32:00");

test("set-up screen: large, accessible, and a wrong code is explained to staff", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page } = tablet;
  await page.goto("/tablet");
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
  await tablet.check("setup");
  await page.getByLabel("Set-up code").fill("ABCD2345");
  await page.getByLabel(/Staff PIN/).fill("12");
  await tablet.button("Set up").click();
  await expect(page.getByRole("alert")).toHaveText("The staff PIN must be 4 or more digits.");
  await page.getByLabel(/Staff PIN/).fill("2468");
  await tablet.button("Set up").click();
  await expect(page.getByRole("alert")).toContainText("That set-up code is not right");
  await tablet.close();
});

test("a long message is split into pages with a big More button, never scrolled", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  const sentences = Array.from({ length: 14 }, (_, i) => `This is sentence number ${i + 1} of a long letter from Sarah.`);
  await family.send(sentences.join(" "));
  await expect(tablet.messageText(/This is sentence number 1 of/)).toBeVisible();
  await expect(page.getByText(/Page 1 of [2-9]/)).toBeVisible();
  const pages = Number((await page.getByText(/Page 1 of/).textContent())?.match(/of (\d+)/)?.[1]);
  const size = await tablet
    .messageText(/This is sentence number 1 of/)
    .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(36);
  await tablet.check("long-message");

  let shown = "";
  for (let p = 1; p <= pages; p++) {
    await expect(page.getByText(`Page ${p} of ${pages}`)).toBeVisible();
    shown += ` ${await page.locator(".message-text:not(.message-text-probe)").textContent()}`;
    if (p < pages) await tablet.button("More").click();
  }
  expect(shown.replace(/\s+/g, " ").trim()).toBe(sentences.join(" "));
  await tablet.button("Back to the start").click();
  await expect(page.getByText(`Page 1 of ${pages}`)).toBeVisible();

  // The largest text size still fits, in more pages.
  await tablet.settings({ textSize: "largest" });
  await expect
    .poll(async () => Number((await page.getByText(/Page 1 of/).textContent())?.match(/of (\d+)/)?.[1]))
    .toBeGreaterThan(pages);
  await tablet.check("long-message-largest");
  await tablet.close();
});

test("paused by staff: a calm screen with the clock and nothing personal", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair();
  await family.send("Hope the hospital food is all right");
  await expect(tablet.messageText("Hope the hospital food is all right")).toBeVisible();
  await tablet.settings({ paused: true });
  await expect(page.getByRole("heading", { name: "Letterbox is resting for now." })).toBeVisible();
  await expect(page.getByText("Hope the hospital food")).toBeHidden();
  await expect(tablet.clock()).toContainText("Saturday 28 November");
  await tablet.check("paused");
  await tablet.settings({ paused: false });
  await expect(tablet.messageText("Hope the hospital food is all right")).toBeVisible();
  await tablet.close();
});

test("the hidden staff corner: a long press, the PIN, the tablet's state, and set up again", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family } = tablet;
  await tablet.pair("97531");
  await family.send("Hello from Sarah");
  await expect(tablet.messageText("Hello from Sarah")).toBeVisible();

  // A short press does nothing.
  await page.getByTestId("staff-corner").click();
  await expect(page.getByRole("dialog")).toBeHidden();

  await tablet.openStaffCorner();
  const corner = page.getByRole("dialog", { name: "Staff" });
  await tablet.check("staff-pin");
  await corner.getByLabel("Staff PIN").fill("1111");
  await corner.getByRole("button", { name: "Open" }).click();
  await expect(corner.getByRole("alert")).toHaveText("That PIN is not right.");
  await corner.getByLabel("Staff PIN").fill("97531");
  await corner.getByRole("button", { name: "Open" }).click();

  const status = page.getByRole("dialog", { name: "This tablet" });
  await expect(status).toBeVisible();
  await expect(status.getByRole("definition")).toHaveCount(13);
  await expect(status).toContainText("App version");
  await expect(status).toContainText("Battery");
  await expect(status).toContainText("Reachable");
  await expect(status).toContainText("Last sync");
  await expect(status).toContainText("Storage kept safe");
  await expect(status).toContainText("Notifications");
  await tablet.check("staff-status");

  await status.getByRole("button", { name: "Set up again" }).click();
  await page.getByRole("button", { name: "Yes, remove and set up again" }).click();
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
  expect(await tablet.stored("messages")).toBe(0);
  expect(await tablet.stored("state")).toBe(0);
  await tablet.close();
});

test("staff wipe the tablet at the end of a loan: it forgets the resident and shows set-up; its health reached the relay", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, family, household } = tablet;
  await tablet.pair();
  await family.send("See you on Sunday");
  await expect(tablet.messageText("See you on Sunday")).toBeVisible();

  type Devices = { devices: { id: string; appVersion: string | null; language: string | null; pushState: string | null }[] };
  const devices = async () =>
    (await (await seeded.api.get(`/api/staff/residents/${household.residentId}/devices`)).json()) as Devices;
  await expect
    .poll(async () => (await devices()).devices[0])
    .toMatchObject({ appVersion: expect.stringMatching(/^0\.1\.0\+/), language: "en-GB" });

  const device = (await devices()).devices[0];
  await seeded.post(`/residents/${household.residentId}/devices/${device?.id}/wipe`);
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
  expect(await tablet.stored("messages")).toBe(0);
  expect(await tablet.stored("state")).toBe(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
  await tablet.close();
});

test("kiosk: no browser menu, no selecting or dragging, no zoom, no pull-to-refresh", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { family } = tablet;
  await tablet.pair();
  await family.send("Hold this text for a long time");
  await expect(tablet.messageText("Hold this text for a long time")).toBeVisible();
  const kiosk = await tablet.messageText("Hold this text for a long time").evaluate((el) => {
    const prevented = (event: Event) => {
      el.dispatchEvent(event);
      return event.defaultPrevented;
    };
    const style = getComputedStyle(el);
    return {
      contextMenu: prevented(new MouseEvent("contextmenu", { bubbles: true, cancelable: true })),
      selectStart: prevented(new Event("selectstart", { bubbles: true, cancelable: true })),
      dragStart: prevented(new Event("dragstart", { bubbles: true, cancelable: true })),
      ctrlWheelZoom: prevented(new WheelEvent("wheel", { bubbles: true, cancelable: true, ctrlKey: true, deltaY: -100 })),
      userSelect: style.userSelect,
      touchAction: getComputedStyle(document.querySelector(".tablet") as Element).touchAction,
      overscroll: getComputedStyle(document.documentElement).overscrollBehaviorY,
    };
  });
  expect(kiosk).toEqual({
    contextMenu: true,
    selectStart: true,
    dragStart: true,
    ctrlWheelZoom: true,
    userSelect: "none",
    touchAction: "none",
    overscroll: "none",
  });
  await tablet.close();
});
