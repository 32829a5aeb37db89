import type { Device } from "@letterbox/shared";

/** How often the "Set up a tablet" page asks the relay whether the tablet has paired. */
export const WATCH_EVERY_MS = 3_000;

/** A tablet that was not there when the code was made (and has not been wiped since). */
export const newlyPaired = (knownIds: ReadonlySet<string>, devices: Device[]) =>
  devices.find((d) => !knownIds.has(d.id) && d.wipedAt === null);

/** The tablet reports push and storage after its first sync, a few seconds after pairing. */
export const statusReported = (d: Device) => d.pushState !== null && d.storagePersisted !== null;

type WatchOptions = {
  knownIds: ReadonlySet<string>;
  list: () => Promise<Device[]>;
  /** Called with the new tablet each time it is seen, so the page shows its status as it arrives. */
  onTablet: (device: Device) => void;
  /** A failure that polling again will not mend (signed out, resident erased). */
  onGiveUp: (err: unknown) => void;
  isFatal: (err: unknown) => boolean;
  every?: number;
};

/**
 * Polls the resident's tablets until a new one has paired and reported its status. Network
 * blips are ignored (the next poll tries again). Returns a function that stops it.
 */
export function watchForTablet(o: WatchOptions): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    try {
      const device = newlyPaired(o.knownIds, await o.list());
      if (stopped) return;
      if (device) {
        o.onTablet(device);
        if (statusReported(device)) return;
      }
    } catch (err) {
      if (stopped) return;
      if (o.isFatal(err)) {
        o.onGiveUp(err);
        return;
      }
    }
    timer = setTimeout(poll, o.every ?? WATCH_EVERY_MS);
  };
  timer = setTimeout(poll, o.every ?? WATCH_EVERY_MS);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
