import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** axe must find nothing on any screen of any audience. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
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
    await this.page.getByLabel("Full name").fill(fullName);
    await this.page.getByLabel("Preferred name").fill(preferredName);
    await this.page.getByRole("button", { name: "Add resident" }).click();
    await expect(this.resident(fullName)).toBeVisible();
  }

  resident(fullName: string) {
    return this.page.getByRole("region", { name: new RegExp(fullName) });
  }

  async createFamilyLink(fullName: string, label: string): Promise<string> {
    const card = this.resident(fullName);
    await card.getByLabel("Family member").fill(label);
    await card.getByRole("button", { name: "Create family link" }).click();
    const link = card.getByLabel(`Private link for ${label}`);
    await expect(link).toHaveValue(/\/family#/);
    return link.inputValue();
  }

  async createSetupCode(fullName: string): Promise<string> {
    const card = this.resident(fullName);
    await card.getByRole("button", { name: "Set up a tablet" }).click();
    const code = card.getByRole("status", { name: "Set-up code" });
    await expect(code).toHaveText(/^[A-Z0-9]{8}$/);
    return (await code.textContent()) ?? "";
  }
}

export class TabletApp {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/tablet");
  }

  async pair(code: string) {
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
    await this.page.getByLabel("Set-up code").fill(code);
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
    await this.page.getByRole("button", { name: "Send" }).click();
    await expect(this.page.getByRole("list", { name: "Your messages" }).getByText(text)).toBeVisible();
  }
}
