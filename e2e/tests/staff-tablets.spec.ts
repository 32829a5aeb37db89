import { uuidv7 } from "uuidv7";
import { TabletApi } from "../support/api";
import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";
import { TabletScreen } from "../support/tablet-page";

const rhian: Person = { name: "Rhian Morgan", email: "rhian.morgan@council.example", password: "copper willow anchor 26" };
const dev: Person = { name: "Dev Patel", email: "dev.patel@council.example", password: "marble hedgehog tundra 4" };
const lucy: Person = { name: "Lucy Chen", email: "lucy.chen@council.example", password: "velvet quarry sparrow 61" };

test("set up a tablet by code: the page shows when it pairs, then what it allowed; the resident's page shows its health", async ({
  browser,
  seeded,
}) => {
  await seeded.resident("Ruth Baker", "Ruth");
  const staff = await StaffPage.officer(browser, seeded, rhian);
  const code = await staff.setUpTablet("Ruth Baker");
  const qr = staff.page.getByRole("img", { name: `QR code that opens the tablet set-up page with the code ${code}` });
  await expect(qr).toHaveAttribute("src", /^data:image\/svg\+xml;utf8,%3Csvg/);
  await expect(staff.page.getByText(/^It works once, until \d\d:\d\d today\.$/)).toBeVisible();
  await expect(staff.page.getByText("Waiting for the tablet…")).toBeVisible();
  await staff.expectAxeClean();
  await staff.page.screenshot({ path: test.info().outputPath("staff-set-up-tablet.png") });

  const tablet = await TabletApi.pair(seeded.relay.url, code);
  await expect(staff.heading("Tablet set up")).toBeVisible();
  await expect(staff.page.getByText("Ruth’s tablet is set up.")).toBeVisible();
  await expect(staff.page.getByText(/Waiting for the tablet to report whether it can take push/)).toBeVisible();
  await tablet.report({ pushState: "permission_denied", storagePersisted: true });
  const allowed = staff.page.getByRole("definition");
  await expect(allowed).toHaveText(["Not working: notifications were not allowed on this tablet", "Yes, kept safe", "1.4.2"]);
  await expect(staff.page.getByText(/Waiting for the tablet to report/)).toBeHidden();
  await staff.expectAxeClean();

  await staff.link("Done").click();
  await expect(staff.heading("Ruth Baker")).toBeVisible();
  const health = staff.page.getByRole("region", { name: /^Tablet set up on / });
  await expect(health.getByRole("definition")).toHaveText([
    "Online now",
    "1.4.2",
    "English",
    "Not working: notifications were not allowed on this tablet",
    "12.3 MB of 2 GB",
    "Yes, kept safe",
    "Not reported by this tablet’s browser",
  ]);
  await staff.nav("Residents");
  await staff.search("Ruth Baker");
  await expect(staff.row("Ruth Baker").getByRole("listitem")).toHaveText(["Push not working"]);
  await Promise.all([staff.close(), tablet.dispose()]);
});

test("a tablet set up in its own browser; 'Wipe and unpair' stops it at once and it returns to its set-up screen", async ({
  browser,
  seeded,
}) => {
  const gwen = await seeded.resident("Gwen Lloyd", "Gwen");
  const family = await seeded.familyLink(gwen, "Bryn — son");
  const staff = await StaffPage.officer(browser, seeded, dev);
  const code = await staff.setUpTablet("Gwen Lloyd");

  const tabletContext = await browser.newContext({ baseURL: seeded.relay.url, viewport: { width: 1280, height: 800 } });
  const tabletPage = await tabletContext.newPage();
  // Mid-morning, whenever the suite runs: in the resident's quiet hours the message would wait.
  await tabletPage.clock.setFixedTime(new Date("2026-11-28T10:32:00"));
  const tablet = new TabletScreen(tabletPage);
  await tablet.open();
  await tablet.enterSetupCode(code);
  await expect(tabletPage.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  await expect(staff.heading("Tablet set up")).toBeVisible();
  const sent = await seeded.api.post("/api/family/messages", {
    headers: { Authorization: `Bearer ${family.token}` },
    data: { id: uuidv7(), text: "Bore da, Mam!" },
  });
  expect(sent.status(), await sent.text()).toBe(201);
  await expect(tabletPage.getByRole("article").getByText("Bore da, Mam!")).toBeVisible();
  const token = await tabletPage.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open("letterbox-tablet");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction("state").objectStore("state").get("tablet");
          get.onsuccess = () => resolve((get.result as { deviceToken: string }).deviceToken);
          get.onerror = () => reject(get.error);
        };
      }),
  );

  await staff.link("Done").click();
  await staff.link(/^Wipe and unpair/).click();
  await expect(staff.heading("Wipe and unpair this tablet?")).toBeVisible();
  await expect(
    staff.page.getByText(/it deletes every message and photo it holds and goes back to the set-up screen/),
  ).toBeVisible();
  await staff.expectAxeClean();
  await staff.button("Wipe and unpair").click();
  await expect(staff.heading("Gwen Lloyd")).toBeVisible();
  await expect(staff.banner()).toHaveText(
    "The tablet has been wiped and unpaired. It clears itself the next time it connects, ready for the next resident.",
  );
  await expect(staff.page.getByText("No tablet is set up for Gwen.")).toBeVisible();
  await expect(staff.page.getByText(/^Earlier tablets: set up .*, wiped /)).toBeVisible();
  await staff.expectAxeClean();

  // The token stops working at once…
  const sync = await tabletContext.request.get("/api/tablet/sync", { headers: { Authorization: `Bearer ${token}` } });
  expect(sync.status()).toBe(410);
  expect(((await sync.json()) as { error: { code: string } }).error.code).toBe("device_wiped");
  // …and on its next contact the tablet clears itself and shows the set-up screen again.
  await expect(tabletPage.getByRole("heading", { name: "Set up this tablet" })).toBeVisible({ timeout: 30_000 });
  const kept = await tabletPage.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open("letterbox-tablet");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["messages", "state"]);
          const counts = [tx.objectStore("messages").count(), tx.objectStore("state").count()];
          tx.oncomplete = () => resolve(counts.map((c) => c.result));
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  expect(kept).toEqual([0, 0]);

  await staff.nav("Residents");
  await staff.search("Gwen Lloyd");
  await expect(staff.row("Gwen Lloyd").getByRole("listitem")).toHaveText(["Tablet not set up yet"]);
  await Promise.all([staff.close(), tabletContext.close()]);
});

test("an unused code expires on the page, and a new one can be made there", async ({ browser, seeded }) => {
  await seeded.resident("Harold Webb", "Harold");
  const staff = await StaffPage.officer(browser, seeded, lucy);
  await staff.page.clock.install();
  const first = await staff.setUpTablet("Harold Webb");
  await staff.page.clock.fastForward("31:00");
  await expect(staff.page.getByText("This code has expired. Codes work for 30 minutes.")).toBeVisible();
  await expect(staff.page.getByRole("status", { name: "Set-up code" })).toHaveCount(0);
  await staff.expectAxeClean();
  // Back to the relay's time, for which the new code is fresh.
  await staff.page.clock.setSystemTime(new Date());
  await staff.button("Make a new code").click();
  const code = staff.page.getByRole("status", { name: "Set-up code" });
  await expect(code).toHaveText(/^[A-Z0-9]{8}$/);
  expect(await code.textContent()).not.toBe(first);
  await staff.close();
});
