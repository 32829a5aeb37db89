import fs from "node:fs";
import path from "node:path";
import type { Plugin } from "vite";

/**
 * Puts public/icon.svg into the page's `<link rel="icon">` as a data: address (img-src allows
 * data:), for the pages named. A page whose first screen is its app: the browser fetches the
 * icon as the page starts, and on a slow line over HTTP/1.1 that fetch holds one of the six
 * connections the app's scripts are waiting for. Read from the one file, so the two never differ.
 */
export function inlineIcon(pages: readonly string[]): Plugin {
  const file = path.resolve(import.meta.dirname, "../public/icon.svg");
  return {
    name: "letterbox:inline-icon",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        if (!pages.includes(ctx.path)) return html;
        const svg = fs.readFileSync(file, "utf8").trim().replaceAll('"', "'");
        const address = `data:image/svg+xml,${encodeURIComponent(svg)}`;
        return html.replace('<link rel="icon" href="/icon.svg"', `<link rel="icon" href="${address}"`);
      },
    },
  };
}
