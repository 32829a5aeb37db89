import type { IncomingMessage } from "node:http";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "../log";

/**
 * One line per request: the route pattern, never the path (it may carry ids) nor any header.
 *
 * A request whose sender hung up before its body had arrived is `request.aborted`, with no status:
 * nothing was answered, and it is the client's doing, so it must not look like a server error to
 * anyone alerting on 5xx.
 */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const ms = Math.round((performance.now() - start) * 10) / 10;
    if (clientHungUp(c)) log("request.aborted", { method: c.req.method, route: c.req.routePath, ms });
    else log("request", { method: c.req.method, route: c.req.routePath, status: c.res.status, ms });
  };
}

/**
 * True when the connection closed before the whole request had arrived (a phone losing signal
 * mid-upload, a page closed while sending). Node marks a message `complete` once it has been read
 * to its end; outside a Node server (in-process tests) there is no connection to lose.
 */
export function clientHungUp(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || typeof incoming.complete !== "boolean") return false;
  return !incoming.complete && (incoming.destroyed || incoming.socket?.destroyed === true);
}
