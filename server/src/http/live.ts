import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { LogEvent, LogEvents } from "../events";

/** Long enough to be cheap, short enough for proxies that close idle connections after a minute. */
const KEEP_ALIVE_MS = 25_000;

/**
 * Live connections (server-sent events) for open pages: each log event that passes `filter`
 * becomes `event: log` with the new seq. They are hints only — the page then pulls as usual — so
 * a dropped connection loses nothing.
 */
export class LiveConnections {
  private readonly open = new Set<() => void>();

  constructor(private readonly events: LogEvents) {}

  stream(c: Context, filter: (event: LogEvent) => boolean) {
    return streamSSE(c, async (stream) => {
      let pending: LogEvent | undefined;
      let wake: (() => void) | undefined;
      const off = this.events.on((event) => {
        if (!filter(event)) return;
        pending = event;
        wake?.();
      });
      const close = () => {
        stream.abort();
        wake?.();
      };
      this.open.add(close);
      stream.onAbort(() => wake?.());
      try {
        await stream.writeSSE({ event: "ready", data: "{}" });
        while (!stream.aborted) {
          if (!pending) {
            await new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, KEEP_ALIVE_MS).unref();
            });
            wake = undefined;
          }
          if (stream.aborted) break;
          const event = pending;
          pending = undefined;
          await stream.writeSSE(
            event ? { event: "log", data: JSON.stringify({ seq: event.seq }) } : { event: "ping", data: "{}" },
          );
        }
      } finally {
        off();
        this.open.delete(close);
      }
    });
  }

  /** Ends every live connection, so that a stopping relay does not wait for them. */
  closeAll(): void {
    for (const close of this.open) close();
  }

  get count(): number {
    return this.open.size;
  }
}
