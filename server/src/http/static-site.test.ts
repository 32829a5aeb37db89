import fs from "node:fs";
import http, { type Server } from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { chooseEncoding, staticSite } from "./static-site";

/** A built client in miniature: pages, a hashed asset and the worker, each with the build's .br and .gz copies. */
const script = `export const greeting = ${JSON.stringify("Hello Margaret. ".repeat(200))};\n`;
const page = (title: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body>${"<p>Letterbox</p>".repeat(50)}</body></html>`;
const files: Record<string, string> = {
  "index.html": page("Letterbox"),
  "tablet/index.html": page("Tablet"),
  "family/index.html": page("Family"),
  "staff/index.html": page("Staff"),
  "assets/tablet-abc123.js": script,
  "assets/plain-abc123.css": "body{margin:0}",
  "sw.js": `self.addEventListener("fetch",()=>{});${"//".repeat(400)}`,
};
const compressed = new Set([
  "index.html",
  "tablet/index.html",
  "family/index.html",
  "staff/index.html",
  "assets/tablet-abc123.js",
  "sw.js",
]);

let dist = "";
let site: ReturnType<typeof staticSite>;

beforeAll(() => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-dist-"));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dist, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    if (!compressed.has(name)) continue;
    fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(text));
    fs.writeFileSync(`${file}.gz`, zlib.gzipSync(text));
  }
  fs.writeFileSync(path.join(dist, "icon.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  site = staticSite(dist);
});
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));

const get = (url: string, acceptEncoding?: string) =>
  site.request(url, { headers: acceptEncoding === undefined ? {} : { "Accept-Encoding": acceptEncoding } });

/** The body as the browser would see it once decoded. */
async function decoded(res: Response): Promise<string> {
  const body = Buffer.from(await res.arrayBuffer());
  const encoding = res.headers.get("Content-Encoding");
  if (encoding === "br") return zlib.brotliDecompressSync(body).toString("utf8");
  if (encoding === "gzip") return zlib.gunzipSync(body).toString("utf8");
  expect(encoding).toBeNull();
  return body.toString("utf8");
}

describe("compressed assets", () => {
  it("sends Brotli to a browser that takes it, typed as the original file and cached for a year", async () => {
    const res = await get("/assets/tablet-abc123.js", "gzip, deflate, br, zstd");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Encoding")).toBe("br");
    expect(res.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("Vary")).toMatch(/Accept-Encoding/);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    const body = Buffer.from(await res.clone().arrayBuffer());
    expect(Number(res.headers.get("Content-Length"))).toBe(body.length);
    expect(body.length).toBeLessThan(script.length);
    expect(await decoded(res)).toBe(script);
  });

  it("sends gzip when that is all the browser takes", async () => {
    const res = await get("/assets/tablet-abc123.js", "gzip, deflate");
    expect(res.headers.get("Content-Encoding")).toBe("gzip");
    expect(res.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(await decoded(res)).toBe(script);
  });

  it("sends the file as it is, still marked as varying, to a browser that names no encoding", async () => {
    for (const header of [undefined, "", "identity", "deflate"]) {
      const res = await get("/assets/tablet-abc123.js", header);
      expect(res.headers.get("Content-Encoding")).toBeNull();
      expect(res.headers.get("Vary")).toMatch(/Accept-Encoding/);
      expect(res.headers.get("Content-Type")).toMatch(/^text\/javascript/);
      expect(await decoded(res)).toBe(script);
    }
  });

  it("honours q-values: q=0 refuses an encoding, and a higher weight wins over the relay's preference", async () => {
    expect((await get("/assets/tablet-abc123.js", "br;q=0, gzip")).headers.get("Content-Encoding")).toBe("gzip");
    expect((await get("/assets/tablet-abc123.js", "br;q=0, gzip;q=0")).headers.get("Content-Encoding")).toBeNull();
    expect((await get("/assets/tablet-abc123.js", "br;q=1.0, gzip;q=0.8")).headers.get("Content-Encoding")).toBe("br");
    expect((await get("/assets/tablet-abc123.js", "gzip;q=1, br;q=0.5")).headers.get("Content-Encoding")).toBe("gzip");
    expect((await get("/assets/tablet-abc123.js", "*")).headers.get("Content-Encoding")).toBe("br");
    expect((await get("/assets/tablet-abc123.js", "*;q=0, gzip")).headers.get("Content-Encoding")).toBe("gzip");
    expect(chooseEncoding("BR", ["br", "gzip"])).toBe("br");
    expect(chooseEncoding("br;q=0", ["br", "gzip"])).toBeUndefined();
  });

  it("sends a text file that has no compressed copy as it is", async () => {
    const res = await get("/assets/plain-abc123.css", "br, gzip");
    expect(res.headers.get("Content-Encoding")).toBeNull();
    expect(res.headers.get("Content-Type")).toMatch(/^text\/css/);
    expect(await decoded(res)).toBe(files["assets/plain-abc123.css"]);
  });

  it("leaves images alone", async () => {
    const res = await get("/icon.png", "br, gzip");
    expect(res.headers.get("Content-Encoding")).toBeNull();
    expect(res.headers.get("Vary")).toBeNull();
    expect(res.headers.get("Content-Type")).toBe("image/png");
  });

  it("compresses the service worker and still never lets it be cached", async () => {
    const res = await get("/sw.js", "br");
    expect(res.headers.get("Content-Encoding")).toBe("br");
    expect(res.headers.get("Content-Type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("Cache-Control")).toBe("no-cache");
    expect(await decoded(res)).toBe(files["sw.js"]);
  });

  it("compresses each page", async () => {
    for (const [url, file] of [
      ["/", "index.html"],
      ["/tablet", "tablet/index.html"],
      ["/family", "family/index.html"],
      ["/staff", "staff/index.html"],
    ] as const) {
      const res = await get(url, "gzip, br");
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Encoding")).toBe("br");
      expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
      expect(res.headers.get("Vary")).toMatch(/Accept-Encoding/);
      expect(res.headers.get("Cache-Control")).toBe("no-cache");
      expect(await decoded(res)).toBe(files[file]);
    }
  });
});

describe("over a real socket", () => {
  it("keeps the type, encoding, Vary and cache headers that the Node adapter writes out", async () => {
    const server = serve({ fetch: site.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as net.AddressInfo).port;
    // node:http rather than fetch, which would decode the body and hide what was on the wire.
    const { headers, body } = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.get(
        { host: "127.0.0.1", port, path: "/assets/tablet-abc123.js", headers: { "Accept-Encoding": "br;q=1.0, gzip;q=0.8" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on("error", reject);
    });
    expect(headers["content-encoding"]).toBe("br");
    expect(headers["content-type"]).toMatch(/^text\/javascript/);
    expect(headers.vary).toMatch(/Accept-Encoding/);
    expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(zlib.brotliDecompressSync(body).toString("utf8")).toBe(script);
  });
});

describe("search engines", () => {
  it("are told not to index the tablet, family and staff pages", async () => {
    for (const url of ["/tablet", "/family", "/staff"]) {
      expect((await get(url, "br")).headers.get("X-Robots-Tag")).toBe("noindex");
      expect((await get(url)).headers.get("X-Robots-Tag")).toBe("noindex");
    }
  });

  it("may index the home page", async () => {
    expect((await get("/")).headers.get("X-Robots-Tag")).toBeNull();
  });
});
