import fs from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { getMimeType } from "hono/utils/mime";

/** Encodings the build writes beside each compressible file, in the order the relay prefers them. */
const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;
type Encoding = (typeof ENCODINGS)[number]["name"];
const SUFFIX = Object.fromEntries(ENCODINGS.map((e) => [e.name, e.suffix])) as Record<Encoding, string>;

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".webmanifest", ".json"]);

/** Pages that only make sense to their own people; a search engine has nothing to show of them. */
const PRIVATE_APPS = ["tablet", "family", "staff"] as const;

/**
 * The encodings a client takes, with their weights (RFC 9110 §12.5.3). A `q=0` means "not this
 * one", and `*` stands for every encoding not named. Hono's own `precompressed` option compares
 * whole list items, so `br;q=1` or `*` would miss and `gzip;q=0` would not refuse gzip.
 */
export function acceptedEncodings(header: string | undefined): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of (header ?? "").split(",")) {
    const [name, ...params] = item.split(";").map((part) => part.trim().toLowerCase());
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const match = /^q\s*=\s*([0-9.]+)$/.exec(param);
      if (match) q = Number(match[1]);
    }
    weights.set(name, Number.isFinite(q) ? q : 0);
  }
  return weights;
}

/** The best encoding of `available` that the client takes: highest weight, then the relay's order. */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding | undefined {
  const weights = acceptedEncodings(header);
  let best: { name: Encoding; q: number } | undefined;
  for (const { name } of ENCODINGS) {
    if (!available.includes(name)) continue;
    const q = weights.get(name) ?? weights.get("*") ?? 0;
    if (q > 0 && (!best || q > best.q)) best = { name, q };
  }
  return best?.name;
}

const isFile = (file: string) => {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * Serves the built client: one HTML page per audience, hashed assets cached for a year, and the
 * service worker never cached so that an update reaches the tablet on its next check. Text files
 * go out as the Brotli or gzip copy the build made, whichever the browser takes.
 */
export function staticSite(distDir: string) {
  const site = new Hono();
  if (!fs.existsSync(path.join(distDir, "index.html"))) {
    site.get("/", (c) => c.text("Letterbox relay is running, but the apps are not built. Run `pnpm build`.", 503));
    return site;
  }
  // serveStatic resolves its root against the working directory.
  const root = path.relative(process.cwd(), distDir) || ".";
  const encodedType = new WeakMap<Context, string>();

  /**
   * Points serveStatic at the compressed copy when there is one the client takes. It runs after
   * serveStatic has checked the request path, so only names inside the root get here.
   */
  const encoded = (file: string, c: Context) => {
    if (!COMPRESSIBLE.has(path.extname(file))) return file;
    // Every answer for a compressible file depends on Accept-Encoding, the raw one too, or a
    // shared cache could hand a stored Brotli body to a browser that cannot read it.
    c.header("Vary", "Accept-Encoding", { append: true });
    const original = path.join(root, file);
    if (!isFile(original)) return file;
    const available = ENCODINGS.filter((e) => isFile(original + e.suffix)).map((e) => e.name);
    const encoding = chooseEncoding(c.req.header("Accept-Encoding"), available);
    if (!encoding) return file;
    c.header("Content-Encoding", encoding);
    encodedType.set(c, getMimeType(file) ?? "application/octet-stream");
    return file + SUFFIX[encoding];
  };

  // Headers go on the finished response: serveStatic's onFound runs after the body is made, and a
  // header set there only lands by way of the Node adapter's own Response class, not a standard one.
  const serve = (cacheControl: string, file?: string): MiddlewareHandler => {
    const send = serveStatic({ root, rewriteRequestPath: (requested, c) => encoded(file ?? requested, c) });
    return async (c, next) => {
      const res = await send(c, next);
      if (!(res instanceof Response)) return res;
      res.headers.set("Cache-Control", cacheControl);
      // serveStatic names the type after the file it sent, which for a copy is ".br" or ".gz".
      const type = encodedType.get(c);
      if (type) res.headers.set("Content-Type", type);
      return res;
    };
  };

  site.get("/", serve("no-cache", "index.html"));
  for (const app of PRIVATE_APPS) {
    site.get(`/${app}`, async (c, next) => {
      c.header("X-Robots-Tag", "noindex");
      await next();
    });
    site.get(`/${app}`, serve("no-cache", `${app}/index.html`));
    site.get(`/${app}/`, (c) => c.redirect(`/${app}`, 301));
  }
  site.get("/sw.js", serve("no-cache"));
  site.get("/assets/*", serve("public, max-age=31536000, immutable"));
  site.get("*", serve("no-cache"));
  return site;
}
