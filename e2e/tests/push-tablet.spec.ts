import { expect, test } from "../support/fixtures";
import { PHOTOS } from "../support/photos";
import { notifications, WorkerPush } from "../support/push";
import { TabletPage } from "../support/tablet-page";

// Saturday 28 November 2026, 10:32 on the tablet's clock (not quiet hours); the relay keeps real time.
const morning = new Date("2026-11-28T10:32:00");

test("with the tablet app closed, a push makes the worker fetch the message and its photo: a notification says who wrote, and it is all there with no network", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, family, household } = tablet;
  await context.grantPermissions(["notifications"]);
  await tablet.pair();
  await tablet.waitForOfflineReady();
  await tablet.page.close();

  // Another page of the same site, not the tablet app: where DevTools and the checks run from.
  const probe = await context.newPage();
  await probe.goto("/healthz");
  const push = await WorkerPush.open(context, probe, baseURL ?? "");
  await push.registrationId("/tablet");

  const photo = await family.uploadPhoto(PHOTOS.house);
  const sent = await family.send("Hello Mum, this came while your tablet was asleep", [{ id: photo, caption: "Our house" }]);
  await push.deliver("/tablet", {
    kind: "message",
    residentId: household.residentId,
    seq: sent.seq,
    senderName: "Sarah (daughter)",
  });

  // The worker pulls, stores the photo, then (no tablet page being on screen) shows a notification.
  await expect
    .poll(() => notifications(probe, "/tablet"), { timeout: 15_000 })
    .toEqual([{ title: "New message from Sarah", body: "Tap to read it", tag: "letterbox-message", data: { url: "/tablet" } }]);

  // No network from here on: what the tablet shows was fetched by the worker alone.
  await context.setOffline(true);
  const page = await context.newPage();
  await page.clock.setFixedTime(morning);
  await page.goto("/tablet");
  await expect(page.getByRole("article").getByText("Hello Mum, this came while your tablet was asleep")).toBeVisible();
  const image = page.getByRole("img", { name: "Photo from Sarah" });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.getByRole("article")).toContainText("Our house");
  await push.close();
  await tablet.close();
});

test("with the tablet app on screen, a push tells the page and shows no notification", async ({ browser, seeded, baseURL }) => {
  const tablet = await TabletPage.start(browser, seeded, { at: morning, baseURL: baseURL ?? "" });
  const { context, page, family, household } = tablet;
  await context.grantPermissions(["notifications"]);
  await tablet.pair();
  await tablet.waitForOfflineReady();
  await page.evaluate(() => {
    const w = window as unknown as { __fromWorker: unknown[] };
    w.__fromWorker = [];
    navigator.serviceWorker.addEventListener("message", (e) => w.__fromWorker.push(e.data));
  });
  const push = await WorkerPush.open(context, page, baseURL ?? "");

  const sent = await family.send("Are you watching?");
  await push.deliver("/tablet", {
    kind: "message",
    residentId: household.residentId,
    seq: sent.seq,
    senderName: "Sarah (daughter)",
  });
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __fromWorker: unknown[] }).__fromWorker))
    .toEqual([{ type: "letterbox:synced", kind: "message", seq: sent.seq }]);
  await expect(tablet.messageText("Are you watching?")).toBeVisible();
  // The worker has finished with this push (it told the page last): nothing was shown.
  expect(await notifications(page, "/tablet")).toEqual([]);
  await push.close();
  await tablet.close();
});
