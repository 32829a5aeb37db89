import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors";

/**
 * Cross-site request forgery guard for cookie-authenticated requests: a state-changing request
 * must come from the console's own origin. Browsers always say where a request comes from
 * (Origin, or Sec-Fetch-Site); a request that says neither is not from a browser page.
 */
export function sameOrigin(publicUrl: string): MiddlewareHandler {
  const expected = new URL(publicUrl).origin;
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const origin = c.req.header("Origin");
      const site = c.req.header("Sec-Fetch-Site");
      const crossSite =
        origin !== undefined ? origin !== expected : site !== undefined && site !== "same-origin" && site !== "none";
      if (crossSite) throw new AppError("forbidden", "This request came from another website, so it was refused.");
    }
    await next();
  };
}
