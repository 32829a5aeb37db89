/**
 * Decoding a photo is the most expensive thing the relay does: a 49-megapixel PNG costs a core for
 * a few hundred milliseconds and tens of megabytes while it is decoded. The queue bounds both. An
 * upload takes a place before its body is read (so the bodies held in memory are bounded too) and
 * keeps it until its decode is over; at most `decodesAtOnce` places decode at a time, the rest wait
 * their turn in arrival order. When every place is taken the upload is refused at once with `busy`
 * (429, Retry-After), before a byte of it is read: the family page tries again by itself.
 */
import { AppError } from "../errors";

/** Decodes running at once: one per core of the small machine the relay is sized for. */
export const PHOTO_DECODES_AT_ONCE = 2;
/** Uploads admitted beyond those decoding, waiting for a decode (or still arriving). */
export const PHOTO_UPLOADS_WAITING = 6;
/** How long a refused upload is told to wait: a few decodes' time. */
export const PHOTO_BUSY_RETRY_SECONDS = 5;

const BUSY =
  "Letterbox is busy with other photos just now. Your photo will be sent again in a moment; there is nothing you need to do.";

export type QueuePlace = {
  /** Runs `work` once a decode slot is free (waiting in arrival order), then frees the slot. */
  decode<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the place back; call once, whatever happened (safe to call twice). */
  leave(): void;
};

export class PhotoQueue {
  private places = 0;
  private decoding = 0;
  private readonly turns: (() => void)[] = [];

  constructor(
    readonly decodesAtOnce = PHOTO_DECODES_AT_ONCE,
    readonly waiting = PHOTO_UPLOADS_WAITING,
  ) {}

  /** Every place an upload can hold: those decoding and those waiting. */
  get capacity() {
    return this.decodesAtOnce + this.waiting;
  }

  /** What the queue holds now, for tests and the benchmark. */
  get state() {
    return { places: this.places, decoding: this.decoding, waiting: this.turns.length };
  }

  /** A place for one upload, or `busy` when all are taken. */
  enter(): QueuePlace {
    if (this.places >= this.capacity) throw new AppError("busy", BUSY, PHOTO_BUSY_RETRY_SECONDS);
    this.places++;
    let left = false;
    return {
      decode: (work) => this.decode(work),
      leave: () => {
        if (left) return;
        left = true;
        this.places--;
      },
    };
  }

  private async decode<T>(work: () => Promise<T>): Promise<T> {
    if (this.decoding >= this.decodesAtOnce) await new Promise<void>((turn) => this.turns.push(turn));
    else this.decoding++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      const next = this.turns.shift();
      if (next) next();
      else this.decoding--;
    }
  }
}
