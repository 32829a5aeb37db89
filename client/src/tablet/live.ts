import { doublingDelay } from "../kit/backoff";
import { readEvents } from "../kit/server-events";
import type { SyncLoop } from "./sync-loop";

/**
 * The live connection while the app is open: the relay sends `event: log` (server-sent events)
 * the moment the resident's log grows, and the tablet pulls at once instead of waiting for its
 * timer. Only a hint: a dropped connection loses nothing, the timer still runs.
 */
export type LiveOptions = {
  url?: string;
  onHint: () => void;
  onOpen?: (open: boolean) => void;
  /** After the stream ends or fails, wait this long (doubling, capped) before connecting again. */
  retryMs?: number;
  maxRetryMs?: number;
  fetchImpl?: typeof fetch;
  /** How a retry waits; tests record the delays instead. */
  sleep?: (ms: number) => Promise<void>;
};

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Keeps a live connection until the returned function is called. */
export function keepLive(deviceToken: string, options: LiveOptions): () => void {
  const {
    url = "/api/tablet/live",
    onHint,
    onOpen,
    retryMs = 2_000,
    maxRetryMs = 60_000,
    fetchImpl = fetch,
    sleep = pause,
  } = options;
  const abort = new AbortController();
  let failures = 0;

  const connect = async () => {
    while (!abort.signal.aborted) {
      let opened = false;
      let replaced = false;
      try {
        const res = await fetchImpl(url, {
          headers: { Authorization: `Bearer ${deviceToken}`, Accept: "text/event-stream" },
          signal: abort.signal,
          cache: "no-store",
        });
        if (!res.ok || !res.body) throw new Error(`live ${res.status}`);
        opened = true;
        failures = 0;
        onOpen?.(true);
        await readEvents(res.body, (event) => {
          if (event === "log") onHint();
          else if (event === "replaced") replaced = true;
        });
      } catch {
        // Offline, or the relay restarted: the timer keeps syncing meanwhile.
      }
      if (opened) onOpen?.(false);
      if (abort.signal.aborted) return;
      failures++;
      // Another page with this token took the connection over (the relay keeps a few per tablet):
      // connecting again soon would only close that one in turn. The timer syncs meanwhile.
      const delay = replaced ? maxRetryMs : doublingDelay(failures, retryMs, maxRetryMs);
      await sleep(delay);
    }
  };
  void connect();
  return () => abort.abort();
}

/** Without a live connection the timer is what brings messages: every few seconds. */
export const POLL_MS = 3_000;
/** With one, the timer only catches what a dropped connection might miss. */
export const POLL_WHILE_LIVE_MS = 30_000;

/**
 * Drives the sync loop from the live connection: a sync at each hint, and one each time the
 * connection opens or reopens, because whatever came while it was not yet (or no longer) open had
 * no hint and the timer slows down once it is open. Losing it speeds the timer up again.
 */
export function followLive(loop: SyncLoop, deviceToken: string, options: Omit<LiveOptions, "onHint" | "onOpen"> = {}) {
  const poke = () => void loop.trigger();
  return keepLive(deviceToken, {
    ...options,
    onHint: poke,
    onOpen: (open) => {
      loop.setIntervalMs(open ? POLL_WHILE_LIVE_MS : POLL_MS);
      poke();
    },
  });
}
