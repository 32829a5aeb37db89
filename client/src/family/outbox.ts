import type { SendMessageRequest, SentMessage, UploadedPhoto } from "@letterbox/shared";
import { uuidv7 } from "uuidv7";
import { RelayError } from "../api/relay-error";
import type { familyDb, OutboxEntry, OutboxProblem } from "../db/family-db";
import { doublingDelay } from "../kit/backoff";

/** What the outbox needs from the relay; tests pass an in-memory one. */
export type OutboxRelay = {
  uploadPhoto(token: string, photo: Blob, onProgress: (fraction: number) => void): Promise<UploadedPhoto>;
  sendMessage(token: string, message: SendMessageRequest): Promise<SentMessage>;
};

export type OutboxEvent =
  | { kind: "sent"; token: string; message: SentMessage }
  /** The link the message was written under no longer works: the page should say so. */
  | { kind: "dead-link"; token: string; error: RelayError };

/** What the page shows about sending right now; replaced (never mutated) on every change. */
export type OutboxSnapshot = {
  /** The message going out now, if any. */
  sending: string | null;
  /** Per message, how much of each photo has reached the relay (0 to 1). */
  progress: Readonly<Record<string, readonly number[]>>;
  /** The last attempt could not reach the relay: what is left is waiting for signal. */
  noSignal: boolean;
};

export type Draft = { token: string; text: string; photos: { blob: Blob; caption: string }[] };

type Db = typeof familyDb;

const BACKOFF_MIN_MS = 2_000;
const BACKOFF_MAX_MS = 60_000;

/**
 * Messages written on this phone wait here, in IndexedDB, until the relay has acknowledged them.
 *
 * Exactly once: each message carries its UUIDv7 from the moment it is written, and the relay
 * accepts an id once (an identical retry gets the same message back), so an attempt that was cut
 * off after the relay stored it is simply repeated. An entry leaves the outbox only after the relay
 * has answered 2xx. Photos are uploaded first, one by one, and each upload is remembered, so a lost
 * signal in the middle costs only the photo that was on its way.
 */
export class Outbox {
  private snapshot: OutboxSnapshot = { sending: null, progress: {}, noSignal: false };
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: OutboxEvent) => void>();
  private running: Promise<void> | null = null;
  private again = false;
  /** Someone asked for "now" while a flush was running (signal came back): a failure then must not wait. */
  private urgent = false;
  /** Transient failures in a row: how long the next flush waits. */
  private failures = 0;
  private notBefore = 0;

  constructor(
    private readonly db: Db,
    private readonly relay: OutboxRelay,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // For React's useSyncExternalStore: arrow functions so they can be passed as they are.
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  onEvent(listener: (event: OutboxEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  /** Keeps a message to send; returns its id. Nothing is sent until `flush`. */
  async add(draft: Draft): Promise<string> {
    const entry: OutboxEntry = {
      id: uuidv7(),
      token: draft.token,
      text: draft.text,
      photos: draft.photos.map((p) => ({ blob: p.blob, caption: p.caption, uploaded: null })),
      createdAt: this.now().toISOString(),
      problem: null,
    };
    await this.db.outbox.add(entry);
    return entry.id;
  }

  /** The sender gave up on a message the relay has not accepted. */
  async remove(id: string) {
    await this.db.outbox.delete(id);
  }

  /** The sender asks to try a refused message again (after a quota day, say). */
  async retry(id: string) {
    await this.db.outbox.update(id, { problem: null });
    return this.flush({ now: true });
  }

  /**
   * Sends what waits, oldest first. Calls made while a flush runs join it (and it runs once more).
   * After a busy or broken relay it waits a little longer each time, unless `now` (signal came
   * back, or the sender pressed Send).
   */
  flush(opts: { now?: boolean } = {}): Promise<void> {
    if (opts.now) {
      this.notBefore = 0;
      this.urgent = true;
    }
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.now().getTime() < this.notBefore) return Promise.resolve();
    this.running = (async () => {
      try {
        do {
          this.again = false;
          this.urgent = false;
          await this.exclusively(() => this.flushOnce());
        } while (this.again && this.now().getTime() >= this.notBefore);
      } finally {
        this.running = null;
        this.update({ sending: null });
      }
    })();
    return this.running;
  }

  /** Two tabs of the same link must not upload the same photos twice; the relay would cope, the data plan would not. */
  private exclusively(work: () => Promise<void>): Promise<void> {
    const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
    return locks ? locks.request("letterbox-family-outbox", work).then(() => {}) : work();
  }

  private async flushOnce() {
    const waiting = (await this.db.outbox.orderBy("createdAt").toArray()).filter((e) => e.problem === null);
    for (const entry of waiting) {
      try {
        await this.sendOne(entry);
        this.failures = 0;
        this.update({ noSignal: false });
      } catch (err) {
        if (err instanceof RelayError && err.transient) {
          // Everything after it would fail the same way: stop, and come back later.
          this.update({ noSignal: err.code === "network" });
          if (this.urgent) return; // `again` is set: the loop tries at once
          this.failures++;
          this.notBefore = this.now().getTime() + doublingDelay(this.failures, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
          this.again = false;
          return;
        }
        await this.refuse(entry, err);
      }
    }
  }

  private async sendOne(entry: OutboxEntry, photosLost = false): Promise<void> {
    this.update({ sending: entry.id });
    this.setProgress(
      entry.id,
      entry.photos.map((p) => (p.uploaded ? 1 : 0)),
    );
    const uploaded: UploadedPhoto[] = [];
    for (const [i, photo] of entry.photos.entries()) {
      if (photo.uploaded) {
        uploaded.push(photo.uploaded);
        continue;
      }
      try {
        const done = await this.relay.uploadPhoto(entry.token, photo.blob, (f) => this.setPhotoProgress(entry.id, i, f));
        photo.uploaded = done;
        uploaded.push(done);
        const stillWanted = await this.db.outbox
          .where("id")
          .equals(entry.id)
          .modify((e) => {
            const kept = e.photos[i];
            if (kept) kept.uploaded = done;
          });
        if (stillWanted === 0) return; // removed by the sender meanwhile
      } catch (err) {
        throw err instanceof RelayError && !err.transient ? new PhotoRefused(i, err) : err;
      }
    }
    if (!(await this.db.outbox.get(entry.id))) return;
    try {
      const message = await this.relay.sendMessage(entry.token, {
        id: entry.id,
        text: entry.text,
        photos: entry.photos.map((p, i) => ({ id: uploaded[i]?.id ?? "", caption: p.caption })),
      });
      await this.db.outbox.delete(entry.id);
      this.clearProgress(entry.id);
      this.emit({ kind: "sent", token: entry.token, message });
    } catch (err) {
      // The relay no longer has a photo uploaded earlier (tidied away while the phone was offline): upload again, once.
      if (err instanceof RelayError && err.code === "photo_not_found" && !photosLost) {
        for (const p of entry.photos) p.uploaded = null;
        await this.db.outbox.update(entry.id, { photos: entry.photos });
        return this.sendOne(entry, true);
      }
      throw err;
    }
  }

  /** The relay said no for good: keep the message, with the relay's sentence, for the sender to decide. */
  private async refuse(entry: OutboxEntry, err: unknown) {
    const cause = err instanceof PhotoRefused ? err.cause : err;
    const deadLink = cause instanceof RelayError && (cause.code === "link_revoked" || cause.code === "unauthenticated");
    const problem: OutboxProblem =
      cause instanceof RelayError
        ? { code: cause.code, message: cause.message, photo: err instanceof PhotoRefused && !deadLink ? err.photo : null }
        : { code: "internal", message: "", photo: null };
    await this.db.outbox.update(entry.id, { problem });
    this.clearProgress(entry.id);
    if (deadLink) this.emit({ kind: "dead-link", token: entry.token, error: cause });
  }

  private setProgress(id: string, fractions: number[]) {
    this.update({ progress: { ...this.snapshot.progress, [id]: fractions } });
  }

  private setPhotoProgress(id: string, photo: number, fraction: number) {
    const fractions = [...(this.snapshot.progress[id] ?? [])];
    fractions[photo] = fraction;
    this.setProgress(id, fractions);
  }

  private clearProgress(id: string) {
    const { [id]: _gone, ...rest } = this.snapshot.progress;
    this.update({ progress: rest });
  }

  private update(change: Partial<OutboxSnapshot>) {
    this.snapshot = { ...this.snapshot, ...change };
    for (const listener of this.listeners) listener();
  }

  private emit(event: OutboxEvent) {
    for (const listener of this.eventListeners) listener(event);
  }
}

/** A photo the relay refused (wrong type, too large…): the sentence belongs next to that photo. */
class PhotoRefused extends Error {
  constructor(
    readonly photo: number,
    override readonly cause: RelayError,
  ) {
    super(cause.message);
  }
}
