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
