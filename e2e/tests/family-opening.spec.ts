import type { Page, Request } from "@playwright/test";
import { FamilyApi, linkToken } from "../support/api";
import { expectNoAxeViolations } from "../support/checks";
import { FamilyPage } from "../support/family-page";
import { expect, test } from "../support/fixtures";

/** How often the page asks while its live connection is not open (POLL_EVERY_MS in client/src/family/use-conversation.ts). */
const POLL_EVERY_MS = 4_000;
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "en-GB" };

/** When the browser sent a request, in ms since the epoch (the browser's clock, as `timing()` gives it). */
const sentAt = (request: Request) => request.timing().startTime;

test("the page asks once for what it opens with, nothing more when its live connection opens, and again when told of a change", async ({
  browser,
  seeded,
  baseURL,
}) => {
  const home = await seeded.household();
  const sarah = await FamilyApi.open(baseURL ?? "", linkToken(home.familyLink));
  await sarah.send("Sent before the page opened");
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const asked: Request[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/api/family/")) asked.push(request);
  });
  const liveOpened = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/family/live");
  const family = new FamilyPage(page);
  await family.open(home.familyLink);
  await expect(family.message("Sent before the page opened")).toBeVisible();
  const live = (await liveOpened).request();
  // When the connection's answer began to arrive: its ready comes with it, and from then on the
  // page does not poll. Any fetch of the conversation after this is one the connection asked for.
  const liveAt = sentAt(live) + live.timing().responseStart;

  await seeded.patch(`/residents/${home.residentId}`, { paused: true });
  await expect(page.getByText("Messages are paused for now.")).toBeVisible();

  const of = (path: string, requests = asked) => requests.filter((r) => new URL(r.url()).pathname === path);
  // The entry script's answers were the app's: /me is asked for nowhere else.
  expect(of("/api/family/me")).toHaveLength(1);
  // Until the connection opened, one fetch (the entry script's), and no other than the timer's:
  // it asks every POLL_EVERY_MS while the connection is not open, which only a very busy machine
  // would leave it long enough to do.
  const conversation = of("/api/family/conversation");
  const beforeLive = conversation.filter((r) => sentAt(r) <= liveAt);
  const [first] = beforeLive;
  expect(first).toBeDefined();
  expect(beforeLive.length).toBeLessThanOrEqual(1 + Math.floor((liveAt - sentAt(first as Request)) / POLL_EVERY_MS));
  // Opening on the version the page already held cost nothing; the pause cost one fetch.
  expect(conversation.filter((r) => sentAt(r) > liveAt)).toHaveLength(1);
  await sarah.dispose();
  await context.close();
});

/** Holds back the page's scripts until the returned function is called, as a slow line does. */
async function holdScripts(page: Page): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(/\/assets\/.*\.js$/, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

test("the composer is on screen before any script, and what was written in it is kept, with its caret, when the page opens", async ({
  browser,
  seeded,
}) => {
  const home = await seeded.household();
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const release = await holdScripts(page);
  await page.goto(home.familyLink, { waitUntil: "commit" });
  const drawn = page.getByRole("textbox", { name: "Your message", exact: true });
  await expect(drawn).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Opening your messages…" })).toBeVisible();
  await expectNoAxeViolations(page);
  await drawn.fill("Started before the page had opened");
  // The caret back by the last word's length, where a person would be correcting it.
  for (let i = 0; i < "opened".length; i++) await drawn.press("ArrowLeft");

  release();
  const family = new FamilyPage(page);
  await expect(page.getByRole("heading", { name: "Messages to Margaret" })).toBeVisible();
  await expect(page.locator(".first-screen, .first-screen-instead")).toHaveCount(0);
  await expect(family.textBox).toHaveValue("Started before the page had opened");
  await expect(family.textBox).toBeFocused();
  const caret = await family.textBox.evaluate((box: HTMLTextAreaElement) => [box.selectionStart, box.selectionEnd]);
  const at = "Started before the page had ".length;
  expect(caret).toEqual([at, at]);

  // It is the app's own composer: what was written sends.
  await family.send();
  await expect(family.message("Started before the page had opened")).toBeVisible();
  await context.close();
});

test("opened without its link, the page draws no composer before it knows there is a conversation", async ({ browser }) => {
  const context = await browser.newContext(phone);
  const page = await context.newPage();
  const release = await holdScripts(page);
  await page.goto("/family", { waitUntil: "commit" });
  await expect(page.getByRole("status").filter({ hasText: "Opening your messages…" })).toBeVisible();
  await expect(page.getByRole("textbox")).toHaveCount(0);
  release();
  await expect(page.getByRole("alert")).toHaveText(
    "This page needs the private link you were sent. Please open that link again.",
  );
  await context.close();
});
