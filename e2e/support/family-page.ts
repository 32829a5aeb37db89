import crypto from "node:crypto";
import { type APIRequestContext, expect, type Locator, type Page, request } from "@playwright/test";
import type { StaffApi } from "./fixtures";

/** A resident, one family link (with its id, for revoking) and an unused tablet set-up code. */
export type FamilyHousehold = {
  residentId: string;
  linkId: string;
  familyLink: string;
  setupCode: string;
};

export async function familyHousehold(staff: StaffApi, preferredName = "Margaret", label = "Sarah (daughter)") {
  const residentId = await staff.resident(`${preferredName} Jones`, preferredName);
  const { link } = await staff.post<{ link: { id: string; url: string } }>(`/residents/${residentId}/family-links`, { label });
  return { residentId, linkId: link.id, familyLink: link.url, setupCode: await staff.setupCode(residentId) };
}

/** A client-made id, as the apps make them (the e2e package has no uuidv7 dependency). */
export function uuidv7(): string {
  const bytes = crypto.randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type SyncEntry =
  | {
      kind: "message";
      seq: number;
      message: { id: string; senderName: string; text: string; photos: { id: string; caption: string }[] };
    }
  | { kind: "message_deleted"; seq: number; messageId: string }
  | { kind: "receipt"; seq: number; messageId: string; state: string }
  | { kind: "reply"; seq: number };

/** Margaret's tablet, through the tablet API: what it has received, and its receipts and replies. */
export class TabletDevice {
  private constructor(
    private readonly api: APIRequestContext,
    private readonly token: string,
  ) {}

  static async pair(baseURL: string, setupCode: string): Promise<TabletDevice> {
    const api = await request.newContext({ baseURL });
    const res = await api.post("/api/tablet/pair", { data: { code: setupCode } });
    expect(res.status(), await res.text()).toBe(201);
    const { deviceToken } = (await res.json()) as { deviceToken: string };
    return new TabletDevice(api, deviceToken);
  }

  private get auth() {
    return { Authorization: `Bearer ${this.token}` };
  }

  /** Every log entry from the start, all pages. */
  async log(): Promise<SyncEntry[]> {
    const entries: SyncEntry[] = [];
    for (let after = 0, more = true; more; ) {
      const res = await this.api.get(`/api/tablet/sync?after=${after}&limit=200`, { headers: this.auth });
      expect(res.status(), await res.text()).toBe(200);
      const page = (await res.json()) as { entries: SyncEntry[]; cursor: number; hasMore: boolean };
      entries.push(...page.entries);
      after = page.cursor;
      more = page.hasMore;
    }
    return entries;
  }

  async messages() {
    return (await this.log()).flatMap((e) => (e.kind === "message" ? [e.message] : []));
  }

  async receipt(messageId: string, state: "delivered" | "seen") {
    const res = await this.api.post("/api/tablet/receipts", { headers: this.auth, data: { receipts: [{ messageId, state }] } });
    expect(res.status(), await res.text()).toBe(200);
  }

  async reply(inReplyTo: string, text: string) {
    const res = await this.api.post("/api/tablet/replies", { headers: this.auth, data: { id: uuidv7(), inReplyTo, text } });
    expect(res.status(), await res.text()).toBe(201);
  }

  async dispose() {
    await this.api.dispose();
  }
}

/** A test photo drawn in the page (a sky, a field, a sun, a label), as a phone camera would hand it over. */
export async function drawPhoto(
  page: Page,
  opts: { name: string; width: number; height: number; sky: string; type?: "image/jpeg" | "image/png" },
): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const type = opts.type ?? "image/jpeg";
  const base64 = await page.evaluate(
    async ({ width, height, sky, type, name }) => {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no canvas");
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = "#3d7a2a";
      ctx.fillRect(0, height * 0.55, width, height * 0.45);
      ctx.fillStyle = "#ffd84d";
      ctx.beginPath();
      ctx.arc(width * 0.78, height * 0.2, height * 0.1, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = "#000";
      ctx.font = `${Math.round(height / 10)}px sans-serif`;
      ctx.fillText(name, width * 0.05, height * 0.4);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.92));
      if (!blob) throw new Error("no blob");
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let binary = "";
      for (const b of bytes) binary += String.fromCharCode(b);
      return btoa(binary);
    },
    { ...opts, type },
  );
  return { name: opts.name, mimeType: type, buffer: Buffer.from(base64, "base64") };
}

/** Every button, link, field and text box a person can touch is at least 44 × 44 CSS px. */
export async function expectLargeTargets(page: Page) {
  const small = await page.evaluate(() =>
    Array.from(
      document.querySelectorAll<HTMLElement>("button, a[href], input:not([type=hidden]):not([hidden]), textarea, select"),
    )
      // Not a target when hidden from everyone (the file input is opened by its button).
      .filter((el) => el.offsetParent !== null && !el.closest('[aria-hidden="true"]'))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 0 && (box.width < 44 || box.height < 44))
      .map(
        ({ el, box }) => `${el.tagName} "${el.textContent?.trim() || el.getAttribute("aria-label")}" ${box.width}×${box.height}`,
      ),
  );
  expect(small).toEqual([]);
}

/** The family page, as Sarah sees it on her phone. */
export class FamilyPage {
  constructor(readonly page: Page) {}

  async open(link: string, name = "Margaret") {
    await this.page.goto(link);
    await expect(this.page.getByRole("heading", { name: `Messages to ${name}` })).toBeVisible();
  }

  get conversation(): Locator {
    return this.page.getByRole("list", { name: /^Conversation with / });
  }

  /** One bubble of the conversation, found by its text. */
  message(text: string): Locator {
    return this.conversation.getByRole("listitem").filter({ hasText: text }).last();
  }

  get textBox(): Locator {
    return this.page.getByRole("textbox", { name: /^Your message to / });
  }

  async write(text: string) {
    await this.textBox.fill(text);
  }

  /** Chooses photos through the "+ Photos" button, as from the phone's photo library. */
  async addPhotos(files: { name: string; mimeType: string; buffer: Buffer }[]) {
    const chooser = this.page.waitForEvent("filechooser");
    await this.page.getByRole("button", { name: "Add Photos" }).click();
    await (await chooser).setFiles(files);
  }

  caption(n: number): Locator {
    return this.page.getByRole("textbox", { name: `Caption for photo ${n} (optional)` });
  }

  async send() {
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
  }

  async delete(text: string) {
    const bubble = this.message(text);
    await bubble.getByRole("button", { name: "Delete" }).click();
    await expect(bubble.getByText(/Delete this message\? It will be taken off .+’s tablet too\./)).toBeVisible();
    await bubble.getByRole("button", { name: "Yes, delete it" }).click();
  }

  /** What IndexedDB holds in the outbox: each message's text, and its photos as stored (type, size in bytes and pixels). */
  outbox() {
    return this.page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("letterbox-family");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => resolve(open.result);
      });
      const entries = await new Promise<{ text: string; photos: { blob: Blob; caption: string }[] }[]>((resolve, reject) => {
        const all = db.transaction("outbox").objectStore("outbox").getAll();
        all.onerror = () => reject(all.error);
        all.onsuccess = () => resolve(all.result);
      });
      db.close();
      return Promise.all(
        entries.map(async (e) => ({
          text: e.text,
          photos: await Promise.all(
            e.photos.map(async (p) => {
              const bitmap = await createImageBitmap(p.blob);
              return {
                blob: p.blob instanceof Blob,
                type: p.blob.type,
                bytes: p.blob.size,
                width: bitmap.width,
                height: bitmap.height,
                caption: p.caption,
              };
            }),
          ),
        })),
      );
    });
  }
}

/** The token in a family link (`…/family#<token>`), for sending as that family member through the API. */
export function linkToken(familyLink: string): string {
  return new URL(familyLink).hash.slice(1);
}

type FocusCheck = { done: true } | { done: false; name: string; problems: string[] };

/**
 * Presses Tab from the page's heading through every element that takes focus, and returns what
 * was wrong where focus landed: off the screen, or covered (in part or whole) by an element that
 * stays put while the page scrolls (sticky or fixed), or something else at the element's centre.
 * Also checks that Tab reached every focusable element, so that an early stop cannot pass.
 */
export async function tabThroughPage(page: Page): Promise<{ visited: string[]; problems: string[] }> {
  await page.evaluate(() => {
    (window as unknown as { tabbed: Set<Element> }).tabbed = new Set();
  });
  await page.getByRole("heading", { level: 1 }).focus();
  const visited: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < 500; i++) {
    await page.keyboard.press("Tab");
    const check = await page.evaluate((): FocusCheck => {
      const el = document.activeElement as HTMLElement | null;
      const tabbed = (window as unknown as { tabbed: Set<Element> }).tabbed;
      if (!el || el === document.body || tabbed.has(el)) return { done: true };
      tabbed.add(el);
      const label = (e: Element | null) =>
        e
          ? `${e.tagName.toLowerCase()} "${(e.getAttribute("aria-label") || e.textContent || (e as HTMLInputElement).placeholder || "").trim().slice(0, 40)}"`
          : "nothing";
      const name = label(el);
      const found: string[] = [];
      const box = el.getBoundingClientRect();
      const width = document.documentElement.clientWidth;
      const height = document.documentElement.clientHeight;
      const seen = {
        left: Math.max(box.left, 0),
        right: Math.min(box.right, width),
        top: Math.max(box.top, 0),
        bottom: Math.min(box.bottom, height),
      };
      if (seen.right <= seen.left || seen.bottom <= seen.top) found.push(`${name} is off the screen`);
      for (const other of Array.from(document.querySelectorAll("body *"))) {
        const position = getComputedStyle(other).position;
        if ((position !== "sticky" && position !== "fixed") || other.contains(el)) continue;
        const o = other.getBoundingClientRect();
        const overlaps = o.left < box.right && o.right > box.left && o.top < box.bottom && o.bottom > box.top;
        if (overlaps && o.width > 0 && o.height > 0) found.push(`${name} is under ${label(other)} (${position})`);
      }
      const hit = document.elementFromPoint((seen.left + seen.right) / 2, (seen.top + seen.bottom) / 2);
      if (!hit || !el.contains(hit)) found.push(`${name}: at its centre is ${label(hit)}`);
      return { done: false, name, problems: found };
    });
    if (check.done) break;
    visited.push(check.name);
    problems.push(...check.problems);
  }
  const expected = await page.evaluate(() => {
    const candidates = document.querySelectorAll<HTMLElement>(
      "a[href], button, input, textarea, select, summary, [tabindex], [contenteditable]",
    );
    return Array.from(candidates).filter(
      (el) =>
        el.tabIndex >= 0 &&
        !(el as HTMLButtonElement).disabled &&
        el.getClientRects().length > 0 &&
        !el.closest("[inert]") &&
        // The contents of a closed <details> are not reached, only its summary.
        !el.closest("details:not([open]) > :not(summary)"),
    ).length;
  });
  expect(visited, "Tab reaches every focusable element once").toHaveLength(expected);
  return { visited, problems };
}

/** Nothing wider than the screen: the page never scrolls sideways (WCAG 1.4.10 Reflow). */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, width } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "the page's width").toBeLessThanOrEqual(width);
}

/** The share of the screen's height taken by elements that stay put while the page scrolls (sticky or fixed). */
export function stuckShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    let covered = 0;
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const position = getComputedStyle(el).position;
      if (position !== "sticky" && position !== "fixed") continue;
      const box = el.getBoundingClientRect();
      covered += Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
    }
    return covered / innerHeight;
  });
}
