import { TabletApi } from "../support/api";
import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";

const priya: Person = { name: "Priya Nair", email: "priya.nair@council.example", password: "thimble canal sorrel 19" };
const gareth: Person = { name: "Gareth Rees", email: "gareth.rees@council.example", password: "walnut ferry cobalt 88" };
const carys: Person = { name: "Carys Bowen", email: "carys.bowen@council.example", password: "pigeon lattice amber 5" };

type ApiResident = {
  preferredName: string;
  settings: { language: string; replyOptions: string[]; quietHours: { start: string; end: string } | null; textSize: string };
  familySeesAll: boolean;
  retentionDays: number;
};

test("an officer adds a resident and changes their details and tablet settings, with mistakes explained", async ({
  browser,
  seeded,
}) => {
  const staff = await StaffPage.officer(browser, seeded, priya);
  await staff.addResident("Edith Clarke", "Edith");
  await expect(staff.banner()).toHaveText("Edith Clarke has been added.");
  await expect(staff.page.getByRole("list", { name: "Needs attention" })).toHaveText("Tablet not set up yet");
  await staff.expectAxeClean();

  await staff.link("Change details and tablet settings").click();
  await expect(staff.heading("Details and tablet settings")).toBeVisible();
  await staff.expectAxeClean();
  await staff.page.getByLabel("Full name").fill(" ");
  await staff.page.getByLabel("Keep messages and photos for (days)").fill("3");
  await staff.button("Save").click();
  const summary = staff.errorSummary();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole("link")).toHaveText([
    "Enter the resident’s full name",
    "Keep messages for between 7 and 3650 days",
  ]);
  await staff.expectAxeClean();
  await summary.getByRole("link", { name: "Keep messages for between 7 and 3650 days" }).click();
  await expect(staff.page.getByLabel("Keep messages and photos for (days)")).toBeFocused();

  await staff.page.getByLabel("Full name").fill("Edith Clarke");
  await staff.page.getByLabel("Preferred name").fill("Nan");
  await staff.page.getByRole("radio", { name: "Cymraeg" }).check();
  await staff.page.getByLabel("Reply button 1").fill("Diolch, cariad");
  await staff.page.getByLabel("Reply button 2").fill("");
  await staff.page.getByLabel("Reply button 3").fill("");
  await staff.page.getByLabel("Until").fill("07:30");
  await staff.page.getByRole("radio", { name: "Largest" }).check();
  await staff.page.getByRole("radio", { name: "Yes" }).check();
  await staff.page.getByLabel("Keep messages and photos for (days)").fill("90");
  await staff.button("Save").click();

  await expect(staff.heading("Edith Clarke")).toBeVisible();
  await expect(staff.banner()).toHaveText("Details and tablet settings saved.");
  const details = staff.page.getByRole("definition").filter({ hasText: /./ });
  await expect(details).toContainText([
    "Edith Clarke",
    "Nan",
    "Cymraeg (Welsh)",
    "Diolch, cariad",
    "21:00 to 07:30",
    "Largest",
    "Yes",
    "90 days",
  ]);
  await staff.expectAxeClean();

  const { residents } = (await (await seeded.api.get("/api/staff/residents")).json()) as {
    residents: (ApiResident & { fullName: string })[];
  };
  const edith = residents.find((r) => r.fullName === "Edith Clarke");
  expect(edith).toMatchObject({
    preferredName: "Nan",
    settings: {
      language: "cy",
      replyOptions: ["Diolch, cariad"],
      quietHours: { start: "21:00", end: "07:30" },
      textSize: "largest",
    },
    familySeesAll: true,
    retentionDays: 90,
  });

  // Quiet hours off, and nothing else touched.
  await staff.link("Change details and tablet settings").click();
  await staff.page.getByRole("radio", { name: "Off" }).check();
  await expect(staff.page.getByLabel("Until")).toBeHidden();
  await staff.button("Save").click();
  await expect(staff.page.getByRole("definition").filter({ hasText: /./ })).toContainText(["Off"]);
  await staff.close();
});

test("the dashboard lists residents by need, in plain words; pausing and archiving show there", async ({ browser, seeded }) => {
  // Push not working needs attention before a tablet not set up, which comes before a paused
  // resident (who is expected to be quiet: the relay says only that). The relay is shared with other
  // specs, so the dashboard has more than a page of residents: the officer finds these three by their
  // family name, as a busy council's would.
  const yvonne = await seeded.resident("Yvonne Pennant", "Yvonne");
  const tablet = await TabletApi.pair(seeded.relay.url, await seeded.setupCode(yvonne));
  await tablet.report({ pushState: "no_push_manager", storagePersisted: false });
  const walter = await seeded.resident("Walter Pennant", "Walter");
  await seeded.patch(`/residents/${walter}`, { paused: true });
  await seeded.resident("Nora Pennant", "Nora");

  const staff = await StaffPage.officer(browser, seeded, gareth);
  await staff.search("Pennant");
  await expect(staff.row("Yvonne Pennant").getByRole("listitem")).toHaveText(["Push not working"]);
  await expect(staff.row("Yvonne Pennant")).toContainText("Online now");
  await expect(staff.row("Yvonne Pennant")).toContainText("Version 1.4.2");
  await expect(staff.row("Walter Pennant").getByRole("listitem")).toHaveText(["Paused"]);
  await expect(staff.row("Nora Pennant").getByRole("listitem")).toHaveText(["Tablet not set up yet"]);
  await expect(staff.row("Nora Pennant")).toContainText("No family message yet");
  const order = await staff.dashboardOrder();
  expect(order.indexOf("Yvonne Pennant")).toBeLessThan(order.indexOf("Nora Pennant"));
  expect(order.indexOf("Nora Pennant")).toBeLessThan(order.indexOf("Walter Pennant"));
  await staff.expectAxeClean();
  await staff.page.screenshot({ path: test.info().outputPath("staff-dashboard.png"), fullPage: true });

  await staff.openResident("Nora Pennant");
  await staff.button("Pause messages").click();
  await expect(staff.banner()).toHaveText("Messages to Nora are paused.");
  await expect(staff.page.getByText("Messages are paused. Nora’s tablet shows a calm screen")).toBeVisible();
  await staff.expectAxeClean();
  await staff.nav("Residents");
  await staff.search("Pennant");
  await expect(staff.row("Nora Pennant").getByRole("listitem")).toHaveText(["Paused"]);

  await staff.openResident("Nora Pennant");
  await staff.button("Resume messages").click();
  await expect(staff.banner()).toHaveText("Messages to Nora have resumed.");
  await staff.button("Archive this resident").click();
  await expect(staff.banner()).toHaveText("Nora Pennant has been archived.");
  await expect(staff.page.getByText(/^Archived on .*Nora Pennant is not on the dashboard\.$/)).toBeVisible();
  await staff.nav("Residents");
  await staff.search("Pennant");
  await expect(staff.row("Nora Pennant")).toHaveCount(0);
  await staff.link("Archived residents").click();
  await expect(staff.heading("Archived residents")).toBeVisible();
  await staff.expectAxeClean();
  await staff.link("Nora Pennant").click();
  await staff.button("Bring back from the archive").click();
  await expect(staff.banner()).toHaveText("Nora Pennant is back on the dashboard.");
  await staff.nav("Residents");
  await staff.search("Pennant");
  await expect(staff.row("Nora Pennant")).toHaveCount(1);
  await Promise.all([staff.close(), tablet.dispose()]);
});

test("subject access: download everything held; erasure needs the resident's name typed", async ({ browser, seeded }) => {
  const albert = await seeded.resident("Albert Finch", "Albert");
  const link = await seeded.familyLink(albert, "June — niece");
  const sent = await seeded.api.post("/api/family/messages", {
    headers: { Authorization: `Bearer ${link.token}` },
    data: { id: "01937f6e-5b2a-7c4d-8e9f-0a1b2c3d4e5f", text: "Happy birthday, Uncle Albert!" },
  });
  expect(sent.status(), await sent.text()).toBe(201);

  const staff = await StaffPage.officer(browser, seeded, carys);
  await staff.openResident("Albert Finch");
  const [download] = await Promise.all([
    staff.page.waitForEvent("download"),
    staff.link("Download everything we hold about Albert Finch").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^letterbox-Albert-Finch-\d{4}-\d{2}-\d{2}\.zip$/);
  const zip = await readAll(await download.createReadStream());
  expect(zip.subarray(0, 2).toString()).toBe("PK");
  // Stored, not compressed: the JSON is readable in the archive's bytes.
  expect(zip.toString("latin1")).toContain("letterbox-export.json");
  expect(zip.toString("utf8")).toContain("Happy birthday, Uncle Albert!");

  await staff.link("Erase this resident").click();
  await expect(staff.heading("Erase Albert Finch?")).toBeVisible();
  await staff.expectAxeClean();
  const confirm = staff.page.getByLabel("Type Albert Finch to confirm");
  await confirm.fill("Albert");
  await staff.button("Erase this resident").click();
  await expect(staff.errorSummary().getByRole("link")).toHaveText(
    "The name you typed is not Albert Finch. Type it exactly as shown to erase.",
  );
  await staff.expectAxeClean();
  expect((await seeded.api.get(`/api/staff/residents/${albert}`)).status()).toBe(200);

  await confirm.fill("albert finch");
  await staff.button("Erase this resident").click();
  await expect(staff.heading("Residents")).toBeVisible();
  await expect(staff.banner()).toHaveText("Albert Finch has been erased, with everything held about them.");
  await expect(staff.row("Albert Finch")).toHaveCount(0);
  expect((await seeded.api.get(`/api/staff/residents/${albert}`)).status()).toBe(404);
  const family = await seeded.api.get("/api/family/me", { headers: { Authorization: `Bearer ${link.token}` } });
  expect(family.status()).toBeGreaterThanOrEqual(400);
  await staff.close();
});

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
