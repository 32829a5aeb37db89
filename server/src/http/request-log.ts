import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log";

/** One line per request: the route pattern, never the path (it may carry ids) nor any header. */
export function requestLog(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    log("request", {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
}
