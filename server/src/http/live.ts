import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { AppError } from "../errors";
import type { LogEvent, LogEvents } from "../events";

/** Long enough to be cheap, short enough for proxies that close idle connections after a minute. */
const KEEP_ALIVE_MS = 25_000;

/**
 * Open live connections allowed per credential. A tablet runs one page, but a reload or a network
 * drop leaves its old connection open on this side until a keep-alive write fails, which can take
 * minutes; a family member may have the page open on a phone and a computer, in a tab or two.
 */
export const LIVE_CONNECTIONS_PER_CREDENTIAL = { device: 3, family: 5 } as const;

export type LiveStreamOptions = {
  /** The credential that opened it ("device:<id>", "family:<id>"): the cap counts per credential. */
  owner: string;
  /** Connections allowed at once for `owner`; opening one more closes the oldest. */
  max: number;
  /** Whether the event is news for this connection; may look things up. */
  hears: (event: LogEvent) => boolean | Promise<boolean>;
};

type Connection = { owner: string; close: (reason: "stopping" | "replaced") => void };

/**
 * Live connections (server-sent events) for open pages: each log event that `hears` lets through
 * becomes `event: log` with the new seq. They are hints only — the page then pulls as usual — so
 * a dropped connection loses nothing.
 *
 * One more connection than a credential is allowed closes its oldest rather than refusing the new
 * one: the newest is the page someone is looking at, and a tablet that comes back after a network
 * drop must not be turned away because the relay has not yet noticed that its old connection died.
 * The closed one is told `replaced`, so that a page still reading it waits before it connects
 * again instead of closing another in turn.
 */
export class LiveConnections {
  private readonly open = new Set<Connection>();
  private readonly byOwner = new Map<string, Connection[]>();
  /** Set by closeAll(): a stopping relay takes no new live connection, which would hold its stop up. */
  private closed = false;

  constructor(
    private readonly events: LogEvents,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  stream(c: Context, options: LiveStreamOptions) {
    if (this.closed) throw new AppError("busy", "Letterbox is restarting. Please try again in a moment.", 5);
    return streamSSE(c, async (stream) => {
      let pending: LogEvent | undefined;
      let replaced = false;
      let wake: (() => void) | undefined;
      // Lookups may finish out of order; hints are applied in the order the events happened.
      let checks: Promise<void> = Promise.resolve();
      const off = this.events.on((event) => {
        const verdict = options.hears(event);
        if (verdict === false) return;
        checks = checks
          .then(() => verdict)
          .then(
            (hears) => {
              if (!hears) return;
              pending = event;
              wake?.();
            },
            // A hint that cannot be checked is not sent: the page's timer still pulls.
            (err: unknown) => this.onError(err),
          );
      });
      const connection: Connection = {
        owner: options.owner,
        close: (reason) => {
          this.release(connection);
          if (reason === "replaced") replaced = true;
          else stream.abort();
          wake?.();
        },
      };
      this.admit(connection, options.max);
      stream.onAbort(() => wake?.());
      try {
        await stream.writeSSE({ event: "ready", data: "{}" });
        while (!stream.aborted && !replaced) {
          if (!pending) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, KEEP_ALIVE_MS).unref();
            });
            wake = undefined;
          }
          if (stream.aborted || replaced) break;
          const event = pending;
          pending = undefined;
          await stream.writeSSE(
            event ? { event: "log", data: JSON.stringify({ seq: event.seq }) } : { event: "ping", data: "{}" },
          );
        }
        if (replaced && !stream.aborted) await stream.writeSSE({ event: "replaced", data: "{}" });
      } finally {
        off();
        this.release(connection);
        this.open.delete(connection);
      }
    });
  }

  private admit(connection: Connection, max: number) {
    const same = this.byOwner.get(connection.owner) ?? [];
    same.push(connection);
    this.byOwner.set(connection.owner, same);
    this.open.add(connection);
    while (same.length > max) same[0]?.close("replaced");
  }

  private release(connection: Connection) {
    const same = this.byOwner.get(connection.owner);
    if (!same) return;
    const at = same.indexOf(connection);
    if (at >= 0) same.splice(at, 1);
    if (same.length === 0) this.byOwner.delete(connection.owner);
  }

  /** Ends every live connection, so that a stopping relay does not wait for them. */
  closeAll(): void {
    this.closed = true;
    for (const connection of this.open) connection.close("stopping");
  }

  get count(): number {
    return this.open.size;
  }

  /** Connections a credential holds now (replaced ones still finishing are not counted). */
  countFor(owner: string): number {
    return this.byOwner.get(owner)?.length ?? 0;
  }
}
