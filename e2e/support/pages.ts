import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

// axe's default rule set plus WCAG 2 AAA, which brings in the enhanced (7:1) contrast rule.
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice", "wcag2aaa"];

/** axe must find nothing on any screen of any audience, AAA rules (7:1 text contrast) included. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

export class StaffConsole {
  constructor(readonly page: Page) {}

  async createFirstAccount(setupLink: string, who: { name: string; email: string; password: string }) {
    await this.page.goto(setupLink);
    await expect(this.page.getByRole("heading", { name: "Create the first staff account" })).toBeVisible();
    await this.page.getByLabel("Your name").fill(who.name);
    await this.page.getByLabel("Email address").fill(who.email);
    await this.page.getByLabel("Password", { exact: true }).fill(who.password);
    await this.page.getByRole("button", { name: "Create account" }).click();
    await expect(this.page.getByRole("heading", { name: "Residents" })).toBeVisible();
  }

  async addResident(fullName: string, preferredName: string) {
    await this.page.getByRole("link", { name: "Add a resident" }).click();
    await this.page.getByLabel("Full name").fill(fullName);
    await this.page.getByLabel("Preferred name").fill(preferredName);
    await this.page.getByRole("button", { name: "Add resident" }).click();
    await expect(this.resident(fullName)).toBeVisible();
  }

  /** The resident's own page is headed with their full name. */
  resident(fullName: string) {
    return this.page.getByRole("heading", { level: 1, name: fullName });
  }

  async openResident(fullName: string) {
    await this.page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Residents", exact: true }).click();
    await this.page.getByRole("link", { name: fullName, exact: true }).click();
    await expect(this.resident(fullName)).toBeVisible();
  }

  async createFamilyLink(fullName: string, label: string): Promise<string> {
    await this.openResident(fullName);
    await this.page.getByRole("link", { name: "Create a family link" }).click();
    await this.page.getByLabel("Who is this link for?").fill(label);
    await this.page.getByRole("button", { name: "Create link" }).click();
    const link = this.page.getByLabel(`Private link for ${label}`);
    await expect(link).toHaveValue(/\/family#/);
    return link.inputValue();
  }

  async createSetupCode(fullName: string): Promise<string> {
    await this.openResident(fullName);
    await this.page.getByRole("link", { name: /^Set up (a|another) tablet$/ }).click();
    const code = this.page.getByRole("status", { name: "Set-up code" });
    await expect(code).toHaveText(/^[A-Z0-9]{8}$/);
    return (await code.textContent()) ?? "";
  }
}

export class TabletApp {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/tablet");
  }

  async pair(code: string, staffPin = "2468") {
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
    await this.page.getByLabel("Set-up code").fill(code);
    await this.page.getByLabel(/Staff PIN/).fill(staffPin);
    await this.page.getByRole("button", { name: "Set up" }).click();
  }

  message(text: string) {
    return this.page.getByRole("article").getByText(text);
  }

  /** Waits until the service worker has taken control, so the next load can come from its cache. */
  async waitForOfflineReady() {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
      }
    });
  }
}

export class FamilyPortal {
  constructor(readonly page: Page) {}

  async send(text: string) {
    await this.page.getByRole("textbox", { name: /Your message to/ }).fill(text);
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(this.page.getByRole("list", { name: /^Conversation with / }).getByText(text)).toBeVisible();
  }
}
