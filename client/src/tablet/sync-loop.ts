import { doublingDelay } from "../kit/backoff";
/**
 * When the tablet syncs: at start, on a timer, and whenever something asks (coming online, the app
 * shown again, a reply tapped). Runs never overlap; a request during a run makes one more run after
 * it. After failures the timer backs off (the tablet is offline; there is no one to hurry for) and
 * returns to the short interval as soon as one sync succeeds. No React, no DOM: the page and tests
 * drive it the same way.
 */
export type Connection = "unknown" | "online" | "offline";

export type SyncLoopOptions = {
  /** Between syncs while the relay answers. Until push and a live connection exist, short. */
  intervalMs?: number;
  maxBackoffMs?: number;
  onConnection?: (connection: Connection) => void;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
};

export class SyncLoop {
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;
  private intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly options: SyncLoopOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 3_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    void this.trigger();
  }

  stop() {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  /** A live connection makes the timer a fallback: it can run less often while the connection is open. */
  setIntervalMs(ms: number) {
    this.intervalMs = ms;
  }

  /** The delay before the next timed sync: the interval, doubled for each failure in a row, capped. */
  get nextDelayMs(): number {
    return doublingDelay(this.failures + 1, this.intervalMs, this.maxBackoffMs);
  }

  /** Sync now (or straight after the sync that is running). Never rejects. */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.running = this.runUntilQuiet().finally(() => {
      this.running = null;
      if (!this.stopped) this.timer = this.setTimer(() => void this.trigger(), this.nextDelayMs);
    });
    return this.running;
  }

  private async runUntilQuiet() {
    do {
      this.again = false;
      try {
        await this.run();
        this.failures = 0;
        this.options.onConnection?.("online");
      } catch {
        this.failures++;
        this.options.onConnection?.("offline");
      }
    } while (this.again && !this.stopped);
  }
}
