import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";

/**
 * Serves the built client: one HTML page per audience, hashed assets cached for a year, and the
 * service worker never cached so that an update reaches the tablet on its next check.
 */
export function staticSite(distDir: string) {
  const site = new Hono();
  if (!fs.existsSync(path.join(distDir, "index.html"))) {
    site.get("/", (c) => c.text("Letterbox relay is running, but the apps are not built. Run `pnpm build`.", 503));
    return site;
  }
  // serveStatic resolves its root against the working directory.
  const root = path.relative(process.cwd(), distDir) || ".";
  const page = (file: string) => serveStatic({ root, path: file, onFound: (_p, c) => c.header("Cache-Control", "no-cache") });

  site.get("/", page("index.html"));
  for (const app of ["tablet", "family", "staff"]) {
    site.get(`/${app}`, page(`${app}/index.html`));
    site.get(`/${app}/`, (c) => c.redirect(`/${app}`, 301));
  }
  site.get("/sw.js", serveStatic({ root, path: "sw.js", onFound: (_p, c) => c.header("Cache-Control", "no-cache") }));
  site.get(
    "/assets/*",
    serveStatic({ root, onFound: (_p, c) => c.header("Cache-Control", "public, max-age=31536000, immutable") }),
  );
  site.get("*", serveStatic({ root, onFound: (_p, c) => c.header("Cache-Control", "no-cache") }));
  return site;
}
