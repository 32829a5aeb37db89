import type { UpdateResidentRequest } from "@letterbox/shared";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { FamilyApi, type Household, type StaffApi } from "./api";
import { expectResidentFriendly } from "./checks";

/** What the tablet's live connection heard, or a sync it started (and the messages that sync brought). */
export type LiveAndSyncNote = { kind: "live-open" } | { kind: "hint"; seq: number } | { kind: "sync"; messageIds: string[] };

/** What the tablet's tests need of a household: the link's id only matters to the family and staff pages. */
type TabletHousehold = Omit<Household, "linkId">;

export const LANDSCAPE = { width: 1280, height: 800 };
export const PORTRAIT = { width: 800, height: 1280 };

/** The tablet app on any page: what the resident sees and touches, and the checks every state must pass. */
export class TabletScreen {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/tablet");
  }

  /** Fills the set-up form as staff would; the caller expects what should follow (paired, or an explanation). */
  async enterSetupCode(code: string, staffPin = "2468") {
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeVisible();
    await this.page.getByLabel("Set-up code").fill(code);
    await this.page.getByLabel(/Staff PIN/).fill(staffPin);
    await this.page.getByRole("button", { name: "Set up" }).click();
  }

  article() {
    return this.page.getByRole("article");
  }

  messageText(text: string | RegExp) {
    return this.article().getByText(text);
  }

  sender(name = "Sarah (daughter)") {
    return this.page.getByRole("heading", { name: `From ${name}` });
  }

  button(name: string | RegExp) {
    return this.page.getByRole("button", { name, exact: typeof name === "string" });
  }

  clock() {
    return this.page.getByRole("banner");
  }

  /**
   * The time and the date are always on the screen: shown, and not under anything else (a full-screen
   * photo, a dialog). Checked at the middle of the time and of the date, where a finger would look.
   */
  async expectClockInView(time: string | RegExp = /\d{1,2}:\d{2}/, date: string | RegExp = /\w+day \d{1,2} \w+/) {
    const clock = this.clock();
    await expect(clock).toBeVisible();
    await expect(clock).toContainText(time);
    await expect(clock).toContainText(date);
    for (const part of [clock.locator("time"), clock.getByText(date)]) {
      await expect
        .poll(() =>
          part.evaluate((el) => {
            const r = el.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return Boolean(top && (el === top || el.contains(top)));
          }),
        )
        .toBe(true);
    }
  }

  /** How many records one of the tablet's IndexedDB stores holds. */
  async stored(store: string): Promise<number> {
    return this.page.evaluate(
      (name) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open("letterbox-tablet");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const count = db.transaction(name).objectStore(name).count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
            count.onerror = () => reject(count.error);
          };
        }),
      store,
    );
  }

  /** The SHA-256 (hex) of a photo's image as the tablet keeps it in IndexedDB; undefined while it has none. */
  async storedPhotoSha256(id: string): Promise<string | undefined> {
    return this.page.evaluate(async (photoId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("letterbox-tablet");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => resolve(open.result);
      });
      const photo = await new Promise<{ blob?: Blob } | undefined>((resolve, reject) => {
        const get = db.transaction("photos").objectStore("photos").get(photoId);
        get.onerror = () => reject(get.error);
        get.onsuccess = () => resolve(get.result);
      });
      db.close();
      if (!photo?.blob) return undefined;
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await photo.blob.arrayBuffer()));
      return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    }, id);
  }

  async chimes(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __oscillators: number }).__oscillators / 2);
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

  /** Long press on the hidden corner, as staff would. */
  async openStaffCorner() {
    const box = await this.page.getByTestId("staff-corner").boundingBox();
    if (!box) throw new Error("no staff corner");
    await this.page.mouse.move(box.x + 20, box.y + 20);
    await this.page.mouse.down();
    await expect(this.page.getByRole("dialog", { name: "Staff" })).toBeVisible({ timeout: 6_000 });
    await this.page.mouse.up();
  }

  /**
   * Every state of the tablet is checked, not hoped: axe (including the 7:1 contrast rule),
   * text of at least 28 px and targets of at least 72×72, at both orientations, with a
   * screenshot of each saved as a test artefact.
   */
  async check(state: string) {
    for (const [name, size] of [
      ["landscape", LANDSCAPE],
      ["portrait", PORTRAIT],
    ] as const) {
      await this.page.setViewportSize(size);
      await expectResidentFriendly(this.page);
      await this.page.screenshot({ path: test.info().outputPath(`tablet-${state}-${name}.png`) });
    }
    await this.page.setViewportSize(LANDSCAPE);
  }
}

/**
 * The resident's tablet in its own browser context (1280×800, a fixed clock), with a family
 * member of the same household on the API. Counts the chimes it plays.
 */
export class TabletPage extends TabletScreen {
  private constructor(
    readonly context: BrowserContext,
    page: Page,
    readonly household: TabletHousehold,
    readonly family: FamilyApi,
    readonly staff: StaffApi,
  ) {
    super(page);
  }

  static async start(
    browser: Browser,
    staff: StaffApi,
    options: { at: Date; household?: TabletHousehold; baseURL: string; serviceWorkers?: "allow" | "block" },
  ) {
    const household = options.household ?? (await staff.household());
    const context = await browser.newContext({
      viewport: LANDSCAPE,
      baseURL: options.baseURL,
      serviceWorkers: options.serviceWorkers,
    });
    const page = await context.newPage();
    await page.clock.setFixedTime(options.at);
    // A known battery, as the clock is known: whether the host's browser has one must not change what
    // the tablet shows. A test about the battery defines its own after this.
    await page.addInitScript(() => {
      const battery = Object.assign(new EventTarget(), {
        level: 0.8,
        charging: true,
        chargingTime: 0,
        dischargingTime: Infinity,
      });
      Object.defineProperty(navigator, "getBattery", { configurable: true, value: () => Promise.resolve(battery) });
    });
    // Each chime is two oscillators; count them without changing what the page does.
    await page.addInitScript(() => {
      const w = window as unknown as { __oscillators: number };
      w.__oscillators = 0;
      const original = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__oscillators++;
        return original.call(this);
      };
    });
    const family = await FamilyApi.open(options.baseURL, household.familyToken);
    return new TabletPage(context, page, household, family, staff);
  }

  async pair(staffPin = "2468") {
    await this.open();
    await this.enterSetupCode(this.household.setupCode, staffPin);
    await expect(this.page.getByRole("heading", { name: "Set up this tablet" })).toBeHidden();
  }

  /**
   * Staff change the resident's settings; the tablet picks them up with its next sync. The relay
   * sends no live hint for a settings change, so rather than wait for the timer the test does what
   * coming online does: sync now.
   */
  async settings(changes: UpdateResidentRequest) {
    await this.staff.updateResident(this.household.residentId, changes);
    await this.page.evaluate(() => window.dispatchEvent(new Event("online")));
  }

  /**
   * From the next page load on, notes in order what the tablet's live connection hears (`hint`,
   * with the log's new seq) and each sync it starts (`sync`, with the messages it brought), so a
   * test can tell which of the two brought a message. Reads a copy of each answer; the app's own
   * reading is untouched.
   */
  async noteLiveAndSync() {
    await this.page.addInitScript(() => {
      const notes: LiveAndSyncNote[] = [];
      (window as unknown as { __liveAndSync: typeof notes }).__liveAndSync = notes;
      const original = window.fetch.bind(window);
      window.fetch = async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input), location.href);
        const sync = url.pathname === "/api/tablet/sync" ? { kind: "sync" as const, messageIds: [] as string[] } : undefined;
        if (sync) notes.push(sync);
        const res = await original(input, init);
        if (sync && res.ok) {
          const page = (await res.clone().json()) as { entries: { kind: string; message?: { id: string } }[] };
          sync.messageIds.push(...page.entries.flatMap((e) => (e.kind === "message" && e.message ? [e.message.id] : [])));
        }
        if (url.pathname === "/api/tablet/live" && res.ok && res.body) {
          notes.push({ kind: "live-open" });
          const reader = res.clone().body?.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          void (async () => {
            for (;;) {
              const { value, done } = (await reader?.read()) ?? { done: true };
              if (done) return;
              buffer += decoder.decode(value, { stream: true });
              for (let gap = buffer.indexOf("\n\n"); gap >= 0; gap = buffer.indexOf("\n\n")) {
                const block = buffer.slice(0, gap);
                buffer = buffer.slice(gap + 2);
                const data = block.match(/^data: ?(.*)$/m)?.[1];
                if (/^event: ?log$/m.test(block) && data)
                  notes.push({ kind: "hint", seq: (JSON.parse(data) as { seq: number }).seq });
              }
            }
          })().catch(() => undefined);
        }
        return res;
      };
    });
  }

  /** What noteLiveAndSync() has noted so far, oldest first. */
  liveAndSync() {
    return this.page.evaluate(() => (window as unknown as { __liveAndSync: LiveAndSyncNote[] }).__liveAndSync);
  }

  async close() {
    await this.family.dispose();
    await this.context.close();
  }
}

/** What the message screen gives the text, and what, if anything, sits on top of something else. */
export type MessageLayout = {
  /** Line height of the message text, in CSS px. */
  lineHeight: number;
  /** Lines the text box has room for. */
  roomLines: number;
  /** Lines of text shown in the box (what is on screen, not what is clipped). */
  shownLines: number;
  /** Lines the text on this page takes: fewer than shown means some of it is hidden. */
  textLines: number;
  pages: number;
  /** The text has been fitted to the box as it is now (after a turn or a new text size it is, a moment later). */
  settled: boolean;
  /** Pairs of things on the screen whose boxes overlap, and things outside the screen. */
  problems: string[];
};

/**
 * Measures the message screen as it is drawn: the text box's room in lines of the text's own
 * line height, and whether any two of the clock bar, the buttons, the text box, the photos and the
 * other words on the screen overlap, or leave the screen.
 */
export async function messageLayout(page: Page): Promise<MessageLayout> {
  return page.evaluate(() => {
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
    };
    const area = document.querySelector(".message-text-area");
    const text = area?.querySelector(".message-text:not(.message-text-probe)");
    const whole = area?.closest<HTMLElement>(".message-text-box");
    if (!area || !text || !whole) {
      return {
        lineHeight: 0,
        roomLines: 0,
        shownLines: 0,
        textLines: 0,
        pages: 0,
        settled: false,
        problems: ["no message text"],
      };
    }
    const lineHeight = Number.parseFloat(getComputedStyle(text).lineHeight);
    const box = area.getBoundingClientRect();
    const words = text.getBoundingClientRect();
    const visible = Math.max(0, Math.min(box.bottom, words.bottom) - Math.max(box.top, words.top));
    const pager = document.querySelector(".pager-position")?.textContent?.match(/of (\d+)/);

    const named: { name: string; el: Element }[] = [];
    const add = (name: string, el: Element | null) => {
      if (el && shown(el)) named.push({ name, el });
    };
    add("clock bar", document.querySelector("header.clock-bar"));
    add("text box", area);
    add("sender", document.querySelector(".message-from"));
    add("when", document.querySelector(".message-when"));
    add("replied", document.querySelector(".message-replied"));
    add("page number", document.querySelector(".pager-position"));
    add("offline note", document.querySelector(".offline-note"));
    for (const [i, el] of Array.from(document.querySelectorAll(".photo-caption")).entries()) add(`caption ${i + 1}`, el);
    for (const el of Array.from(document.querySelectorAll("main button"))) {
      add(`button "${el.getAttribute("aria-label") ?? el.textContent?.trim()}"`, el);
    }

    const problems: string[] = [];
    const rects = named.map(({ name, el }) => ({ name, r: el.getBoundingClientRect() }));
    const slack = 0.5;
    for (const { name, r } of rects) {
      if (r.left < -slack || r.top < -slack || r.right > innerWidth + slack || r.bottom > innerHeight + slack) {
        problems.push(`${name} leaves the screen`);
      }
    }
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]?.r;
        const b = rects[j]?.r;
        if (!a || !b) continue;
        const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (across > slack && down > slack) problems.push(`${rects[i]?.name} overlaps ${rects[j]?.name}`);
      }
    }
    return {
      lineHeight,
      roomLines: Math.round((box.height / lineHeight) * 100) / 100,
      shownLines: Math.round((visible / lineHeight) * 100) / 100,
      textLines: Math.round((words.height / lineHeight) * 100) / 100,
      pages: pager ? Number(pager[1]) : 1,
      settled: whole.dataset.fittedTo === `${area.clientWidth}x${whole.clientHeight}`,
      problems,
    };
  });
}
