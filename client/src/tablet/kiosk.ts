/**
 * A kiosk tablet in the hands of someone who has never used one: nothing to select, drag, zoom,
 * pull or long-press into a browser menu by accident. Pinch zoom is stopped by `touch-action` in
 * the style sheet rather than by the viewport tag, which would also stop people who need to zoom
 * on other pages and which accessibility checkers rightly flag.
 */
export function hardenKiosk(doc: Document = document) {
  const editable = (target: EventTarget | null) =>
    target instanceof HTMLElement && (target.isContentEditable || target.tagName === "INPUT" || target.tagName === "TEXTAREA");
  const stop = (e: Event) => e.preventDefault();
  doc.addEventListener("contextmenu", stop);
  doc.addEventListener("dragstart", stop);
  doc.addEventListener("selectstart", (e) => {
    if (!editable(e.target)) e.preventDefault();
  });
  // Safari's pinch gesture; Chrome's ctrl+wheel and ctrl+plus/minus zoom.
  doc.addEventListener("gesturestart", stop);
  doc.addEventListener("wheel", (e) => e.ctrlKey && e.preventDefault(), { passive: false });
  doc.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && ["+", "-", "=", "0"].includes(e.key)) e.preventDefault();
  });
  doc.addEventListener("touchmove", (e) => e.touches.length > 1 && e.preventDefault(), { passive: false });
}

type Sentinel = { release(): Promise<void>; addEventListener(type: "release", listener: () => void): void };
type WakeLockApi = { request(type: "screen"): Promise<Sentinel> };

/**
 * Keeps the screen on while wanted (in the day). The browser drops the lock whenever the page is
 * hidden, so it is asked for again each time the page comes back.
 */
export class ScreenWakeLock {
  private sentinel: Sentinel | null = null;
  private wanted = false;
  private readonly api: WakeLockApi | undefined;

  constructor(private readonly doc: Document = document) {
    this.api = (navigator as Navigator & { wakeLock?: WakeLockApi }).wakeLock;
    doc.addEventListener("visibilitychange", () => void this.sync());
  }

  get supported() {
    return Boolean(this.api);
  }

  get held() {
    return this.sentinel !== null;
  }

  want(on: boolean) {
    this.wanted = on;
    void this.sync();
  }

  private async sync() {
    if (!this.api) return;
    if (this.wanted && this.doc.visibilityState === "visible" && !this.sentinel) {
      try {
        const sentinel = await this.api.request("screen");
        this.sentinel = sentinel;
        sentinel.addEventListener("release", () => {
          if (this.sentinel === sentinel) this.sentinel = null;
        });
      } catch {
        // Battery saver or a browser policy said no; the tablet's own screen timeout applies.
      }
    } else if (!this.wanted && this.sentinel) {
      const sentinel = this.sentinel;
      this.sentinel = null;
      await sentinel.release().catch(() => undefined);
    }
  }
}

export const wakeLock = typeof document === "undefined" ? null : new ScreenWakeLock();
