import type { Logger } from "../log";

/** Timers from outside, so that tests see what a retry waits for and fire it when they choose. */
export interface Timers {
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  set(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  set(ms, fn) {
    const timer = setTimeout(fn, ms);
    // A pending retry must not keep a stopping relay alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export type QueueOptions = {
  /** Sends in flight at once. */
  concurrency: number;
  /**
   * Sends in flight at once to one group (one push service host), so that a push service that
   * hangs holds only these and the others keep flowing.
   */
  groupConcurrency: number;
  /** Jobs waiting for a slot; past this the oldest is dropped. */
  capacity: number;
  /** Tries per job, the first included. */
  maxAttempts: number;
  /** The wait before the second try when the service gave no Retry-After; each further wait is 4 times longer. */
  baseDelayMs: number;
  /** A service asking for a longer wait than this is not tried again: the hint would be stale by then. */
  maxDelayMs: number;
};

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  concurrency: 16,
  groupConcurrency: 8,
  capacity: 2000,
  maxAttempts: 3,
  baseDelayMs: 2_000,
  maxDelayMs: 10 * 60_000,
};

export type Attempt =
  | { outcome: "done" }
  | { outcome: "retry"; afterMs?: number; error: string }
  | { outcome: "failed"; error: string };

type Job<T> = { key: string; lane: string; group: string; item: T; attempt: number };

/** Where a job goes: jobs in one lane run one at a time, jobs in one group at most `groupConcurrency` at once. */
export type Route = { lane?: string; group?: string };

export type QueueStats = { queued: number; inFlight: number; waitingRetries: number; sent: number; dropped: number };

/**
 * A bounded, concurrent queue for work that must never hold up the request that caused it:
 * at most `concurrency` jobs run at once, at most `capacity` wait (the oldest is dropped beyond
 * that, since a newer push makes an older one redundant), and failed jobs are tried again after a
 * wait without holding a slot meanwhile.
 *
 * A job waiting for a slot is replaced by a newer one with the same key (`merge`): pushes to one
 * subscription under one topic are hints to pull, so the latest says all the earlier ones did.
 * Jobs in one lane (one subscription) never run side by side: a push service that hangs for one
 * subscription then holds one slot, not every slot that subscription's pushes could take.
 */
export class SendQueue<T> {
  private readonly options: QueueOptions;
  private readonly waiting = new Map<string, Job<T>>();
  private readonly retryTimers = new Set<() => void>();
  private inFlight = 0;
  private readonly busyLanes = new Set<string>();
  private readonly inFlightByGroup = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private sent = 0;
  private dropped = 0;
  private droppedSinceOverload = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: {
      work: (item: T, attempt: number) => Promise<Attempt>;
      /** Called once a job has failed for good (refused, or out of tries). */
      giveUp: (item: T, error: string, attempts: number) => void | Promise<void>;
      merge?: (waiting: T, incoming: T) => T;
      log: Logger;
      timers?: Timers;
      options?: Partial<QueueOptions>;
    },
  ) {
    this.options = { ...DEFAULT_QUEUE_OPTIONS, ...deps.options };
  }

  /** `route.lane` defaults to the key; without `route.group` all jobs are in one group. */
  push(key: string, item: T, route: Route = {}): void {
    this.enqueue({ key, lane: route.lane ?? key, group: route.group ?? "", item, attempt: 1 });
  }

  private enqueue(job: Job<T>): void {
    if (this.stopped) return;
    const earlier = this.waiting.get(job.key);
    if (earlier) {
      // Keep its place in the line; a retry of the earlier one is superseded by the newer job.
      earlier.item = this.deps.merge ? this.deps.merge(earlier.item, job.item) : job.item;
      earlier.attempt = Math.min(earlier.attempt, job.attempt);
    } else {
      if (this.waiting.size >= this.options.capacity) this.dropOldest();
      this.waiting.set(job.key, job);
    }
    this.pump();
  }

  private dropOldest(): void {
    const oldest = this.waiting.keys().next();
    if (oldest.done) return;
    this.waiting.delete(oldest.value);
    this.dropped++;
    // One line when an overload starts and one when it ends, not one per dropped push.
    if (this.droppedSinceOverload++ === 0) {
      this.deps.log("push.queue_full", { capacity: this.options.capacity, inFlight: this.inFlight });
    }
  }

  /** Starts the oldest waiting jobs whose lane is free and whose group has room, up to `concurrency`. */
  private pump(): void {
    if (this.stopped) return;
    for (const [key, job] of this.waiting) {
      if (this.inFlight >= this.options.concurrency) break;
      if (this.busyLanes.has(job.lane)) continue;
      if ((this.inFlightByGroup.get(job.group) ?? 0) >= this.options.groupConcurrency) continue;
      this.waiting.delete(key);
      this.start(job);
    }
  }

  private start(job: Job<T>): void {
    this.inFlight++;
    this.busyLanes.add(job.lane);
    this.inFlightByGroup.set(job.group, (this.inFlightByGroup.get(job.group) ?? 0) + 1);
    const run = this.run(job).finally(() => {
      this.inFlight--;
      this.busyLanes.delete(job.lane);
      const inGroup = (this.inFlightByGroup.get(job.group) ?? 1) - 1;
      if (inGroup === 0) this.inFlightByGroup.delete(job.group);
      else this.inFlightByGroup.set(job.group, inGroup);
      this.running.delete(run);
      if (this.droppedSinceOverload > 0 && this.waiting.size <= this.options.capacity / 2) {
        this.deps.log("push.queue_recovered", { dropped: this.droppedSinceOverload });
        this.droppedSinceOverload = 0;
      }
      this.pump();
      this.checkIdle();
    });
    this.running.add(run);
  }

  private async run(job: Job<T>): Promise<void> {
    let attempt: Attempt;
    try {
      attempt = await this.deps.work(job.item, job.attempt);
    } catch (err) {
      attempt = { outcome: "failed", error: String(err) };
    }
    if (attempt.outcome === "done") {
      this.sent++;
      return;
    }
    if (attempt.outcome === "retry" && job.attempt < this.options.maxAttempts && !this.stopped) {
      const delay = attempt.afterMs ?? this.options.baseDelayMs * 4 ** (job.attempt - 1);
      if (delay <= this.options.maxDelayMs) {
        const stop = (this.deps.timers ?? realTimers).set(delay, () => {
          this.retryTimers.delete(stop);
          this.enqueue({ ...job, attempt: job.attempt + 1 });
          this.checkIdle();
        });
        this.retryTimers.add(stop);
        return;
      }
    }
    try {
      await this.deps.giveUp(job.item, attempt.error, job.attempt);
    } catch (err) {
      this.deps.log("push.give_up_failed", { error: String(err) });
    }
  }

  private checkIdle(): void {
    if (this.inFlight > 0 || this.waiting.size > 0 || this.retryTimers.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when nothing is queued, in flight or waiting to be retried. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  stats(): QueueStats {
    return {
      queued: this.waiting.size,
      inFlight: this.inFlight,
      waitingRetries: this.retryTimers.size,
      sent: this.sent,
      dropped: this.dropped,
    };
  }

  /** Drops what waits and waits for what is in flight. Pushes are hints: the next pull finds everything. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.retryTimers) cancel();
    this.retryTimers.clear();
    this.waiting.clear();
    await Promise.allSettled([...this.running]);
    this.checkIdle();
  }
}
