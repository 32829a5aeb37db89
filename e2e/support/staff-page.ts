import {
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  expect,
  type Locator,
  type Page,
  request,
} from "@playwright/test";
import { SEED_STAFF, type StaffApi } from "./fixtures";
import { expectNoAxeViolations } from "./pages";

export type Person = { name: string; email: string; password: string };

/**
 * The staff console in its own browser context, driven as an officer would: by labels, roles and
 * the words on the page. Every page it opens can be checked with axe.
 */
export class StaffPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(browser: Browser, baseURL: string): Promise<StaffPage> {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 }, locale: "en-GB" });
    return new StaffPage(context, await context.newPage());
  }

  /** The `seeded` relay's administrator, signed in through the sign-in page. */
  static async administrator(browser: Browser, staff: StaffApi): Promise<StaffPage> {
    const console = await StaffPage.open(browser, staff.relay.url);
    await console.signIn(SEED_STAFF.email, SEED_STAFF.password);
    return console;
  }

  /** An officer invited through the API who makes their account from the link, as a new colleague would. */
  static async officer(browser: Browser, staff: StaffApi, who: Person): Promise<StaffPage> {
    const { invite } = await staff.post<{ invite: { url: string } }>("/invites", { role: "officer" });
    const console = await StaffPage.open(browser, staff.relay.url);
    await console.page.goto(invite.url);
    await console.fillNewAccount(who);
    await expect(console.heading("Residents")).toBeVisible();
    return console;
  }

  async signIn(email: string, password: string) {
    await this.page.goto("/staff");
    await expect(this.heading("Sign in to Letterbox")).toBeVisible();
    await this.page.getByLabel("Email address").fill(email);
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await expect(this.heading("Residents")).toBeVisible();
  }

  /** Fills the new-account form (first account or invitation) and submits it. */
  async fillNewAccount(who: Person) {
    await this.page.getByLabel("Your name").fill(who.name);
    await this.page.getByLabel("Email address").fill(who.email);
    await this.page.getByLabel("Password", { exact: true }).fill(who.password);
    await this.page.getByRole("button", { name: "Create account" }).click();
  }

  heading(name: string | RegExp) {
    return this.page.getByRole("heading", { level: 1, name });
  }

  button(name: string | RegExp) {
    return this.page.getByRole("button", { name });
  }

  link(name: string | RegExp) {
    return this.page.getByRole("link", { name });
  }

  errorSummary() {
    return this.page.getByRole("alert").filter({ has: this.page.getByRole("heading", { name: "There is a problem" }) });
  }

  /** The confirmation of what was just done, above the heading. */
  banner() {
    return this.page.getByRole("status").and(this.page.locator(".banner"));
  }

  async nav(name: "Residents" | "Staff" | "Audit log" | "Settings") {
    await this.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true }).click();
    await expect(this.heading(name === "Residents" ? "Residents" : name)).toBeVisible();
  }

  /** The dashboard's row for a resident. */
  row(fullName: string): Locator {
    return this.page.getByRole("row").filter({ has: this.page.getByRole("link", { name: fullName, exact: true }) });
  }

  /** The resident names in the dashboard's order. */
  async dashboardOrder(): Promise<string[]> {
    return this.page
      .getByRole("table", { name: /Residents/ })
      .getByRole("rowheader")
      .getByRole("link")
      .allTextContents();
  }

  async addResident(fullName: string, preferredName: string) {
    await this.nav("Residents");
    await this.link("Add a resident").click();
    await expect(this.heading("Add a resident")).toBeVisible();
    await this.page.getByLabel("Full name").fill(fullName);
    await this.page.getByLabel("Preferred name").fill(preferredName);
    await this.button("Add resident").click();
    await expect(this.heading(fullName)).toBeVisible();
  }

  async openResident(fullName: string) {
    await this.nav("Residents");
    await this.link(fullName).click();
    await expect(this.heading(fullName)).toBeVisible();
  }

  /** Opens "Set up a tablet" for the resident and reads the code it shows. */
  async setUpTablet(fullName: string): Promise<string> {
    await this.openResident(fullName);
    await this.link(/^Set up (a|another) tablet$/).click();
    await expect(this.heading("Set up a tablet")).toBeVisible();
    const code = this.page.getByRole("status", { name: "Set-up code" });
    await expect(code).toHaveText(/^[A-Z0-9]{8}$/);
    return (await code.textContent()) ?? "";
  }

  async createFamilyLink(fullName: string, label: string): Promise<string> {
    await this.openResident(fullName);
    await this.link("Create a family link").click();
    await this.page.getByLabel("Who is this link for?").fill(label);
    await this.button("Create link").click();
    const link = this.page.getByLabel(`Private link for ${label}`);
    await expect(link).toHaveValue(/\/family#[A-Za-z0-9_-]{43}$/);
    return link.inputValue();
  }

  async expectAxeClean() {
    await expectNoAxeViolations(this.page);
  }

  async close() {
    await this.context.close();
  }
}

/** A tablet through the tablet API: paired with a code, reporting its status as the app does after a sync. */
export class ApiTablet {
  private constructor(
    readonly api: APIRequestContext,
    readonly token: string,
  ) {}

  static async pair(baseURL: string, code: string): Promise<ApiTablet> {
    const api = await request.newContext({ baseURL });
    const res = await api.post("/api/tablet/pair", { data: { code } });
    expect(res.status(), await res.text()).toBe(201);
    return new ApiTablet(api, ((await res.json()) as { deviceToken: string }).deviceToken);
  }

  private get headers() {
    return { Authorization: `Bearer ${this.token}` };
  }

  /**
   * What a tablet that cannot take push says, as the real one does: why (POST /api/tablet/push, the
   * relay's push state for it), then its status report.
   */
  async report(status: {
    pushState: "no_push_manager" | "permission_denied" | "subscribe_failed";
    storagePersisted: boolean;
    appVersion?: string;
  }) {
    const push = await this.api.post("/api/tablet/push", { headers: this.headers, data: { unavailable: status.pushState } });
    expect(push.status(), await push.text()).toBe(200);
    const res = await this.api.post("/api/tablet/status", {
      headers: this.headers,
      data: {
        appVersion: status.appVersion ?? "1.4.2",
        language: "en-GB",
        storageUsedBytes: 12_340_000,
        storageQuotaBytes: 2_000_000_000,
        storagePersisted: status.storagePersisted,
        pushState: status.pushState,
      },
    });
    expect(res.status(), await res.text()).toBeLessThan(300);
  }

  /** The status of a sync: 200 while paired, 410 once staff wiped it. */
  async syncStatus(): Promise<number> {
    return (await this.api.get("/api/tablet/sync", { headers: this.headers })).status();
  }

  async dispose() {
    await this.api.dispose();
  }
}
