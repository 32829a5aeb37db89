import { type Browser, type BrowserContext, expect, type Locator, type Page } from "@playwright/test";
import { SEED_STAFF, type StaffApi } from "./api";
import { expectNoAxeViolations } from "./checks";

export type Person = { name: string; email: string; password: string };

/**
 * The staff console in its own browser context, driven as an officer would: by labels, roles and
 * the words on the page. Every page it opens can be checked with axe.
 */
export class StaffPage {
  constructor(
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
    const invite = await staff.invite("officer");
    const console = await StaffPage.open(browser, staff.relay.url);
    await console.page.goto(invite);
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

  /** Makes the first staff account from the one-time link the relay prints on its first start. */
  async createFirstAccount(setupLink: string, who: Person) {
    await this.page.goto(setupLink);
    await expect(this.heading("Create the first staff account")).toBeVisible();
    await this.fillNewAccount(who);
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

  /** Finds the resident by name first, as an officer does once the dashboard has more than a page. */
  async openResident(fullName: string) {
    await this.nav("Residents");
    await this.search(fullName);
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

  // Finding residents on the dashboard ------------------------------------------------------------

  /** Searches the dashboard by name and "needs attention" reason, as an officer fills the form. */
  async search(name: string, reason = "Any reason, or none") {
    const form = this.page.getByRole("search", { name: "Find residents" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Needs attention").selectOption({ label: reason });
    await form.getByRole("button", { name: "Search" }).click();
  }

  /** "Showing 26–50 of 312 residents …", the line above the dashboard's table. */
  shownRange() {
    return this.page.getByText(/^Showing \d/);
  }

  pagination() {
    return this.page.getByRole("navigation", { name: "Pages of residents" });
  }

  /**
   * Resolves once the browser has delivered everything the page logged so far: Playwright receives
   * console messages (and CSP reports) in order but asynchronously, so this logs one and waits for it.
   */
  async consoleDelivered() {
    await Promise.all([
      this.page.waitForEvent("console", (m) => m.text() === "letterbox: console delivered"),
      this.page.evaluate(() => console.info("letterbox: console delivered")),
    ]);
  }

  /** Opens a page of the console by its address, as a bookmark or a reload does, and waits for its heading. */
  async load(route: ConsoleRoute) {
    await this.page.goto(`/staff${route.hash}`);
    await expect(this.heading(route.heading)).toBeVisible();
  }

  async close() {
    await this.context.close();
  }
}

/** A page of the console: its address and the heading it shows. */
export type ConsoleRoute = { name: string; hash: string; heading: string | RegExp };

/**
 * Every page of the signed-in console, for the checks that must hold on all of them (reflow, a
 * console without errors): the resident's pages are those of a resident with a family link and a
 * paired tablet.
 */
export function consoleRoutes(ids: { residentId: string; fullName: string; linkId: string; deviceId: string }): ConsoleRoute[] {
  const resident = `#/residents/${ids.residentId}`;
  const link = `${resident}/family-links/${ids.linkId}`;
  return [
    { name: "dashboard", hash: "#/", heading: "Residents" },
    { name: "dashboard searched", hash: "#/?q=jones&reason=tablet_never_set_up", heading: "Residents" },
    { name: "archived residents", hash: "#/residents/archived", heading: "Archived residents" },
    { name: "add a resident", hash: "#/residents/new", heading: "Add a resident" },
    { name: "resident", hash: resident, heading: ids.fullName },
    { name: "resident settings", hash: `${resident}/settings`, heading: "Details and tablet settings" },
    { name: "set up a tablet", hash: `${resident}/tablets/new`, heading: "Set up a tablet" },
    { name: "wipe a tablet", hash: `${resident}/tablets/${ids.deviceId}/wipe`, heading: "Wipe and unpair this tablet?" },
    { name: "new family link", hash: `${resident}/family-links/new`, heading: "Create a family link" },
    { name: "revoke a link", hash: `${link}/revoke`, heading: /^Revoke .*’s link\?$/ },
    { name: "re-issue a link", hash: `${link}/reissue`, heading: /^Re-issue .*’s link\?$/ },
    { name: "welcome letter", hash: `${link}/letter`, heading: /^(The link is no longer shown|Send messages and photos to .*)$/ },
    { name: "erase", hash: `${resident}/erase`, heading: `Erase ${ids.fullName}?` },
    { name: "staff", hash: "#/staff", heading: "Staff" },
    { name: "invite", hash: "#/staff/invite", heading: "Invite a member of staff" },
    { name: "audit log", hash: "#/audit", heading: "Audit log" },
    { name: "settings", hash: "#/settings", heading: "Settings" },
    { name: "not found", hash: "#/no-such-page", heading: "Page not found" },
  ];
}

/** The pages a browser that is not signed in sees: sign-in, and the two one-time links. */
export const SIGNED_OUT_ROUTES: ConsoleRoute[] = [
  { name: "sign in", hash: "", heading: "Sign in to Letterbox" },
  { name: "first account", hash: `#setup=${"A".repeat(43)}`, heading: "Create the first staff account" },
  { name: "invitation", hash: `#invite=${"B".repeat(43)}`, heading: "Create your staff account" },
];
