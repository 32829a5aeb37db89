import { expect, type Locator, type Page } from "@playwright/test";

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
