import type { Page, Request } from "@playwright/test";
import type { StaffApi } from "../support/api";
import { expect, test } from "../support/fixtures";
import { withFakePushService, withoutPushManager, withPushServiceUnreachable } from "../support/push";
import { TabletPage } from "../support/tablet-page";

const morning = new Date("2026-11-28T10:32:00");

/** What the tablet told the relay about push (POST /api/tablet/push), in order. */
function pushReports(page: Page): unknown[] {
  const reports: unknown[] = [];
  page.on("request", (request: Request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/tablet/push")
      reports.push(request.postDataJSON());
  });
  return reports;
}

/** The push state the relay holds for the resident's tablet, as the staff console reads it. */
async function relayPushState(staff: StaffApi, residentId: string): Promise<string | null | undefined> {
  const res = await staff.api.get(`/api/staff/residents/${residentId}/devices`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { devices: { pushState: string | null }[] }).devices[0]?.pushState;
}

async function staffCornerPush(tablet: TabletPage): Promise<string> {
  await tablet.openStaffCorner();
  const corner = tablet.page.getByRole("dialog", { name: "Staff" });
  await corner.getByLabel("Staff PIN").fill("2468");
  await corner.getByRole("button", { name: "Open" }).click();
  const status = tablet.page.getByRole("dialog", { name: "This tablet" });
  const row = status.getByRole("term").filter({ hasText: "Notifications" }).locator("xpath=following-sibling::dd");
  await expect(row).not.toBeEmpty();
  return (await row.textContent()) ?? "";
}

/** The resident sees the calm empty screen and nothing else: no error, no prompt. */
async function residentSeesNoProblem(tablet: TabletPage) {
  await expect(tablet.page.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await expect(tablet.page.getByRole("alert")).toHaveCount(0);
  await expect(tablet.page.getByText(/notification|push|subscri/i)).toHaveCount(0);
}

test("a kiosk browser without PushManager: set-up succeeds, the relay records push unavailable, and messages come over the live connection", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, family, household } = tablet;
  await withoutPushManager(context);
  const reports = pushReports(page);
  await tablet.pair();
  await residentSeesNoProblem(tablet);
  expect(await page.evaluate(() => "PushManager" in window)).toBe(false);

  await expect.poll(() => reports).toEqual([{ unavailable: "no_push_manager" }]);
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("no_push_manager");

  // The live connection brings a message within moments (the timer alone would take 30 s with it open).
  await family.send("Still here without push");
  await expect(tablet.messageText("Still here without push")).toBeVisible({ timeout: 8_000 });

  expect(await staffCornerPush(tablet)).toBe("Not available in this browser (the tablet asks the relay every few seconds)");
  await tablet.close();
});

test("notifications granted but subscribing fails at once: subscribe_failed is reported, and the resident sees nothing of it", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, household } = tablet;
  await context.grantPermissions(["notifications"]);
  const reports = pushReports(page);
  await tablet.pair();
  await residentSeesNoProblem(tablet);
  await expect.poll(() => reports).toEqual([{ unavailable: "subscribe_failed" }]);
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("subscribe_failed");
  expect(await staffCornerPush(tablet)).toBe("Could not subscribe (the tablet asks the relay every few seconds)");
  await tablet.close();
});

test("notifications refused at set-up: permission_denied is reported, and the resident sees nothing of it", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { page, household } = tablet;
  // Not granted: the prompt during set-up is answered "block" (as headless Chromium does by itself).
  const reports = pushReports(page);
  await tablet.pair();
  await residentSeesNoProblem(tablet);
  await expect.poll(() => reports).toEqual([{ unavailable: "permission_denied" }]);
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("permission_denied");
  await tablet.close();
});

test("a push service that never answers: after a while subscribe_failed is reported, and messages still arrive", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, family, household } = tablet;
  await context.grantPermissions(["notifications"]);
  await withPushServiceUnreachable(context);
  const reports = pushReports(page);
  await tablet.pair();
  await family.send("Meanwhile, hello");
  await expect(tablet.messageText("Meanwhile, hello")).toBeVisible();
  expect(reports).toEqual([]);
  await expect.poll(() => reports, { timeout: 30_000 }).toEqual([{ unavailable: "subscribe_failed" }]);
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("subscribe_failed");
  await tablet.close();
});

test("where a push service answers, the tablet subscribes at set-up with the relay's key, the relay keeps it, and a restart keeps it", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, household } = tablet;
  await context.grantPermissions(["notifications"]);
  const subscription = await withFakePushService(context);
  const reports = pushReports(page);
  await tablet.pair();
  await residentSeesNoProblem(tablet);
  await expect.poll(() => reports).toEqual([{ subscription: { ...subscription, expirationTime: null } }]);
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("subscribed");
  expect(await staffCornerPush(tablet)).toBe("Subscribed");

  // Subscribed with the relay's own key.
  const key = ((await (await seeded.api.get("/api/push/key")).json()) as { publicKey: string }).publicKey;
  const used = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const sub = await registration.pushManager.getSubscription();
    const bytes = new Uint8Array(sub?.options.applicationServerKey as ArrayBuffer);
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  });
  expect(used).toBe(key);

  // The app starts again: the subscription stands, so nothing is sent again.
  await page.reload();
  await expect(page.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  // Once the start-up check is done, the relay has still heard only the first report.
  await expect(page.locator("html")).toHaveAttribute("data-push-checked", "subscribed");
  expect(reports).toHaveLength(1);
  await tablet.close();
});

test("a subscription lost while the app was closed is made again at the next start, without asking anyone", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, household } = tablet;
  await context.grantPermissions(["notifications"]);
  await withFakePushService(context);
  const reports = pushReports(page);
  await tablet.pair();
  await expect.poll(() => reports).toHaveLength(1);

  await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.unsubscribe());
  await page.reload();
  await expect.poll(() => reports).toHaveLength(2);
  expect(reports[1]).toMatchObject({ subscription: { endpoint: expect.stringContaining("https://fcm.googleapis.com/") } });
  await expect.poll(() => relayPushState(seeded, household.residentId), { timeout: 15_000 }).toBe("subscribed");
  await tablet.close();
});
