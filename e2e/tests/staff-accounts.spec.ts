import { SEED_STAFF } from "../support/api";
import { expect, test } from "../support/fixtures";
import { type Person, StaffPage } from "../support/staff-page";

const officer: Person = { name: "Tom Evans", email: "tom.evans@council.example", password: "lantern orchard pebble 7" };

test("an administrator invites an officer, who makes an account from the link and sees only the officer's pages", async ({
  browser,
  seeded,
}) => {
  const admin = await StaffPage.administrator(browser, seeded);
  await admin.expectAxeClean();
  await admin.nav("Staff");
  await expect(admin.page.getByRole("row", { name: new RegExp(SEED_STAFF.name) })).toContainText("(you)");
  await admin.expectAxeClean();

  await admin.link("Invite a member of staff").click();
  await expect(admin.heading("Invite a member of staff")).toBeVisible();
  await expect(admin.page.getByLabel("Officer")).toBeChecked();
  await admin.expectAxeClean();
  await admin.button("Create invitation").click();
  const inviteLink = admin.page.getByLabel("Invitation link");
  await expect(inviteLink).toHaveValue(/\/staff#invite=[A-Za-z0-9_-]{43}$/);
  await expect(admin.page.getByText(/This link is shown only now\. It works once, until/)).toBeVisible();
  await admin.expectAxeClean();
  const url = await inviteLink.inputValue();

  // The officer opens the link in their own browser. A common password is refused with the relay's sentence.
  const tom = await StaffPage.open(browser, seeded.relay.url);
  await tom.page.goto(url);
  await expect(tom.heading("Create your staff account")).toBeVisible();
  await expect(tom.page.getByText(/Three or four unrelated words make a strong password/)).toBeVisible();
  await tom.expectAxeClean();
  await tom.fillNewAccount({ ...officer, password: "qwerty123456" });
  const summary = tom.errorSummary();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole("link", { name: /This password is too easy to guess/ })).toBeVisible();
  await expect(tom.page).toHaveTitle(/^Error: Create your staff account/);
  const password = tom.page.getByLabel("Password", { exact: true });
  await expect(password).toHaveAccessibleDescription(/Error: This password is too easy to guess/);
  await tom.expectAxeClean();
  await summary.getByRole("link").click();
  await expect(password).toBeFocused();

  await password.fill(officer.password);
  await tom.button("Create account").click();
  await expect(tom.heading("Residents")).toBeVisible();
  await expect(tom.page).not.toHaveURL(/invite=/);
  await expect(tom.page.getByRole("banner")).toContainText("Tom Evans (officer)");
  const nav = tom.page.getByRole("navigation", { name: "Console" });
  await expect(nav.getByRole("link")).toHaveText(["Residents"]);
  await tom.page.goto("/staff#/staff");
  await expect(tom.heading("Only administrators can see this page")).toBeVisible();
  await tom.expectAxeClean();

  // The invitation worked once.
  const again = await StaffPage.open(browser, seeded.relay.url);
  await again.page.goto(url);
  await again.fillNewAccount({ name: "Someone Else", email: "someone.else@council.example", password: officer.password });
  await expect(again.errorSummary()).toContainText("This invitation has been used or has expired");

  // The administrator sees the new officer.
  await admin.nav("Staff");
  await expect(admin.page.getByRole("row", { name: /Tom Evans/ })).toContainText("Officer");
  await Promise.all([admin.close(), tom.close(), again.close()]);
});

test("signing in: a wrong password is explained and linked to the first field", async ({ browser, seeded }) => {
  const staff = await StaffPage.open(browser, seeded.relay.url);
  await staff.page.goto("/staff");
  await expect(staff.heading("Sign in to Letterbox")).toBeVisible();
  await staff.expectAxeClean();
  await staff.button("Sign in").click();
  await expect(staff.errorSummary()).toContainText("Enter your email address");
  await expect(staff.errorSummary()).toContainText("Enter your password");

  await staff.page.getByLabel("Email address").fill(SEED_STAFF.email);
  await staff.page.getByLabel("Password", { exact: true }).fill("not the password at all");
  await staff.button("Sign in").click();
  const summary = staff.errorSummary();
  await expect(
    summary.getByRole("link", { name: "That email address and password do not match. Check them and try again." }),
  ).toBeVisible();
  await expect(staff.page.getByLabel("Email address")).toHaveAttribute("aria-invalid", "true");
  await staff.expectAxeClean();
  await staff.close();
});

test("signing in: after many wrong passwords the page says how long to wait", async ({ browser, seeded }) => {
  // An address no account has, so no other journey's sign-in is slowed by this one.
  const email = "nobody.here@council.example";
  const staff = await StaffPage.open(browser, seeded.relay.url);
  for (let i = 0; i < 5; i++) {
    const res = await staff.page.request.post("/api/staff/login", { data: { email, password: `guess ${i}` } });
    expect(res.status()).toBe(401);
  }
  await staff.page.goto("/staff");
  await staff.page.getByLabel("Email address").fill(email);
  await staff.page.getByLabel("Password", { exact: true }).fill("one more guess");
  await staff.button("Sign in").click();
  // The budget recovers while the page is typed into, so the wait is "1 minute" or a few seconds less.
  await expect(staff.errorSummary()).toContainText(/Too many wrong tries\. Please wait (1 minute|\d+ seconds) and try again\./);
  // Neither field is wrong, so neither is marked.
  await expect(staff.page.getByLabel("Email address")).not.toHaveAttribute("aria-invalid", "true");
  await staff.expectAxeClean();
  await staff.close();
});

test("an administrator signs an officer out everywhere, disables and enables them; the audit log records it", async ({
  browser,
  seeded,
}) => {
  const { invite } = await seeded.post<{ invite: { url: string } }>("/invites", { role: "officer" });
  const ann: Person = { name: "Ann Pryce", email: "ann.pryce@council.example", password: "saucepan meadow quiver 3" };
  const annConsole = await StaffPage.open(browser, seeded.relay.url);
  await annConsole.page.goto(invite.url);
  await annConsole.fillNewAccount(ann);
  await expect(annConsole.heading("Residents")).toBeVisible();

  const admin = await StaffPage.administrator(browser, seeded);
  await admin.nav("Staff");
  const row = admin.page.getByRole("row", { name: /Ann Pryce/ });
  await row.getByRole("button", { name: "Sign out everywhere (Ann Pryce)" }).click();
  await expect(admin.banner()).toHaveText("Ann Pryce has been signed out on 1 device.");

  // Ann's next step finds her signed out.
  await annConsole.link("Archived residents").click();
  await expect(annConsole.heading("Sign in to Letterbox")).toBeVisible();
  await annConsole.signIn(ann.email, ann.password);

  await row.getByRole("button", { name: "Disable Ann Pryce" }).click();
  await expect(admin.banner()).toContainText("Ann Pryce’s account is disabled");
  await expect(row).toContainText("Disabled");
  await admin.expectAxeClean();
  await annConsole.page.reload();
  await expect(annConsole.heading("Sign in to Letterbox")).toBeVisible();
  await annConsole.page.getByLabel("Email address").fill(ann.email);
  await annConsole.page.getByLabel("Password", { exact: true }).fill(ann.password);
  await annConsole.button("Sign in").click();
  await expect(annConsole.errorSummary()).toContainText("do not match");

  await row.getByRole("button", { name: "Enable Ann Pryce" }).click();
  await expect(admin.banner()).toHaveText("Ann Pryce can sign in again.");
  await annConsole.signIn(ann.email, ann.password);

  await admin.nav("Audit log");
  const log = admin.page.getByRole("table", { name: /Audit log/ });
  await expect(log.getByRole("row").filter({ hasText: "Disabled a staff account" })).toHaveCount(1);
  await expect(log.getByRole("row").filter({ hasText: "Signed a member of staff out everywhere" }).first()).toContainText(
    SEED_STAFF.name,
  );
  await expect(log.getByRole("row").filter({ hasText: "Accepted an invitation" }).first()).toContainText("Ann Pryce");
  await admin.expectAxeClean();

  const [download] = await Promise.all([admin.page.waitForEvent("download"), admin.link("Download CSV").click()]);
  expect(download.suggestedFilename()).toBe("letterbox-audit.csv");
  const csv = await download.createReadStream().then(
    (stream) =>
      new Promise<string>((resolve) => {
        let text = "";
        stream.on("data", (c: Buffer) => {
          text += c.toString();
        });
        stream.on("end", () => resolve(text));
      }),
  );
  expect(csv.split("\r\n")[0]).toBe("time,staff,action,resident,detail,from");
  expect(csv).toContain('"staff.disabled"');
  await Promise.all([admin.close(), annConsole.close()]);
});

test("an administrator changes the alert thresholds; a number out of range is explained first", async ({ browser, seeded }) => {
  const admin = await StaffPage.administrator(browser, seeded);
  await admin.nav("Settings");
  const offline = admin.page.getByLabel("Flag a tablet as offline after (hours)");
  await expect(offline).toHaveValue("48");
  await admin.expectAxeClean();
  await offline.fill("0");
  await admin.button("Save settings").click();
  await expect(admin.errorSummary().getByRole("link", { name: "Enter between 1 and 720 hours" })).toBeVisible();
  await admin.expectAxeClean();
  await offline.fill("24");
  await admin.button("Save settings").click();
  await expect(admin.banner()).toHaveText("Settings saved.");

  const res = await seeded.api.get("/api/staff/dashboard");
  expect(((await res.json()) as { settings: { offlineAlertHours: number } }).settings.offlineAlertHours).toBe(24);
  await seeded.patch("/settings", { offlineAlertHours: 48 });
  await admin.close();
});

test("the pages around the edges are plain and axe clean: add a resident, page not found, a link opened while signed in", async ({
  browser,
  seeded,
}) => {
  const admin = await StaffPage.administrator(browser, seeded);
  await admin.link("Add a resident").click();
  await expect(admin.heading("Add a resident")).toBeVisible();
  await expect(admin.heading("Add a resident")).toBeFocused();
  await admin.expectAxeClean();
  await admin.button("Add resident").click();
  await expect(admin.errorSummary().getByRole("link")).toHaveText([
    "Enter the resident’s full name",
    "Enter the name the tablet calls them by",
  ]);
  await admin.expectAxeClean();

  await admin.page.goto("/staff#/residents/not-a-resident");
  await expect(admin.heading("Page not found")).toBeVisible();
  await admin.expectAxeClean();

  const { invite } = await seeded.post<{ invite: { url: string } }>("/invites", { role: "admin" });
  await admin.page.goto(invite.url);
  await expect(admin.heading("You are already signed in")).toBeVisible();
  await admin.expectAxeClean();
  await admin.button("Go to the dashboard instead").click();
  await expect(admin.heading("Residents")).toBeVisible();

  // A phone-sized screen: the dashboard still reads in order, and axe finds nothing.
  await admin.page.setViewportSize({ width: 390, height: 844 });
  await expect(admin.heading("Residents")).toBeVisible();
  await admin.expectAxeClean();
  await admin.page.screenshot({ path: test.info().outputPath("staff-dashboard-phone.png"), fullPage: true });

  await admin.button("Sign out").click();
  await expect(admin.heading("Sign in to Letterbox")).toBeVisible();
  await admin.page.reload();
  await expect(admin.heading("Sign in to Letterbox")).toBeVisible();
  await admin.close();
});
