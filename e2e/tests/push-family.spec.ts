import type { BrowserContext, Page } from "@playwright/test";
import { expectLargeTargets, expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";
import { notifications, WorkerPush, withFakePushService, withoutPushManager } from "../support/push";

const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };
const OPT_IN = "Tell me when Margaret replies or sees my messages";

/** The family page's worker has taken control, so the next load can come from it. */
async function workerControls(page: Page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (new URL(registration.scope).pathname !== "/family") throw new Error(`wrong scope ${registration.scope}`);
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
    }
  });
}

/** POST and DELETE /api/family/push the page made, with the relay's answer. */
function pushCalls(page: Page): { method: string; body: unknown; status: number }[] {
  const calls: { method: string; body: unknown; status: number }[] = [];
  page.on("response", (res) => {
    if (new URL(res.url()).pathname !== "/api/family/push") return;
    const request = res.request();
    calls.push({ method: request.method(), body: request.postDataJSON(), status: res.status() });
  });
  return calls;
}

async function familyPhone(context: BrowserContext) {
  const page = await context.newPage();
  return { page, family: new FamilyPage(page) };
}

test("with a working push service, Sarah turns notifications on and off; the relay is told each time", async ({
  browser,
  seeded,
}) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  await context.grantPermissions(["notifications"]);
  const subscription = await withFakePushService(context);
  const { page, family } = await familyPhone(context);
  const calls = pushCalls(page);
  await family.open(home.familyLink);

  const toggle = page.getByRole("switch", { name: OPT_IN });
  await expect(toggle).toHaveAttribute("aria-checked", "false");
  await expectNoAxeViolations(page);
  await expectLargeTargets(page);

  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect(page.getByText("This phone will show a notification, even when this page is closed.")).toBeVisible();
  expect(calls).toEqual([{ method: "POST", body: { subscription: { ...subscription, expirationTime: null } }, status: 200 }]);

  // Still on when she comes back.
  await page.reload();
  await expect(page.getByRole("switch", { name: OPT_IN })).toHaveAttribute("aria-checked", "true");

  await page.getByRole("switch", { name: OPT_IN }).click();
  await expect(page.getByRole("switch", { name: OPT_IN })).toHaveAttribute("aria-checked", "false");
  expect(calls.at(-1)).toEqual({ method: "DELETE", body: null, status: 200 });
  expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).pushManager.getSubscription())).toBeNull();
  await context.close();
});

test("where this phone cannot subscribe, Sarah is told plainly and the switch stays off", async ({ browser, seeded }) => {
  const home = await seeded.household();

  // Notifications allowed, but no push service answers (as here): nothing reaches the relay.
  const context = await browser.newContext(phone);
  await context.grantPermissions(["notifications"]);
  const { page, family } = await familyPhone(context);
  const calls = pushCalls(page);
  await family.open(home.familyLink);
  await page.getByRole("switch", { name: OPT_IN }).click();
  await expect(page.getByRole("alert")).toHaveText("This phone could not turn notifications on or off. Please try again later.");
  await expect(page.getByRole("switch", { name: OPT_IN })).toHaveAttribute("aria-checked", "false");
  expect(calls).toEqual([]);
  await context.close();

  // Notifications blocked for the site.
  const blocked = await browser.newContext(phone);
  const other = await familyPhone(blocked);
  await other.family.open(home.familyLink);
  await other.page.getByRole("switch", { name: OPT_IN }).click();
  await expect(other.page.getByRole("alert")).toHaveText(
    "Notifications are turned off for this page in your browser’s settings.",
  );
  await expect(other.page.getByRole("switch", { name: OPT_IN })).toHaveAttribute("aria-checked", "false");
  await blocked.close();
});

test("a browser without push offers no switch", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  await withoutPushManager(context);
  const { page, family } = await familyPhone(context);
  await family.open(home.familyLink);
  await expect(page.getByRole("textbox", { name: "Your message to Margaret" })).toBeVisible();
  await expect(page.getByRole("switch")).toHaveCount(0);
  await context.close();
});

test("with the family page closed, a reply and a seen message show as notifications", async ({ browser, seeded, baseURL }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  await context.grantPermissions(["notifications"]);
  const { page, family } = await familyPhone(context);
  await family.open(home.familyLink);
  await workerControls(page);
  await page.close();

  const probe = await context.newPage();
  await probe.goto("/healthz");
  const push = await WorkerPush.open(context, probe, baseURL ?? "");
  await push.deliver("/family", { kind: "reply", residentId: home.residentId, seq: 7 });
  await expect.poll(async () => (await notifications(probe, "/family")).map((n) => n.title)).toEqual(["Margaret replied"]);
  await push.deliver("/family", { kind: "receipt", residentId: home.residentId, seq: 8 });
  await expect
    .poll(async () => (await notifications(probe, "/family")).map((n) => n.title).sort())
    .toEqual(["Margaret has seen your message", "Margaret replied"]);
  expect((await notifications(probe, "/family")).every((n) => (n.data as { url: string }).url === "/family")).toBe(true);
  await push.close();
  await context.close();
});

test("the family page opens with no signal, as an installed app would", async ({ browser, seeded }) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const { page, family } = await familyPhone(context);
  await family.open(home.familyLink);
  await workerControls(page);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Letterbox" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText(
    "Letterbox could not be reached. Check the internet connection and try again.",
  );

  // Back online, the page carries on by itself.
  await context.setOffline(false);
  await expect(page.getByRole("heading", { name: "Messages to Margaret" })).toBeVisible();
  await context.close();
});
