import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { expect, test } from "@playwright/test";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../client/dist");

/** The URLs the service worker precaches, read from the built worker. */
function precached(): string[] {
  const worker = fs.readFileSync(path.join(dist, "sw.js"), "utf8");
  return [...worker.matchAll(/"?url"?:"([^"]+)"/g)].map((m) => m[1] as string);
}

test("the service worker precaches the tablet and family apps once each, and not the staff console", () => {
  const urls = precached();
  expect(urls).toEqual(
    expect.arrayContaining(["tablet/index.html", "family/index.html", "tablet.webmanifest", "family.webmanifest"]),
  );
  // Every asset the tablet page loads is in the precache, or it could not open offline.
  const tabletHtml = fs.readFileSync(path.join(dist, "tablet/index.html"), "utf8");
  for (const [, asset] of tabletHtml.matchAll(/(?:src|href)="\/([^"]+)"/g)) expect(urls).toContain(asset);
  expect(new Set(urls).size).toBe(urls.length);
  expect(urls.filter((u) => u.startsWith("staff/") || u.startsWith("assets/staff-"))).toEqual([]);
  expect(urls.filter((u) => /\.(br|gz)$/.test(u))).toEqual([]);
});

test("every text file of the build has Brotli and gzip copies that decode to it", () => {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const text = walk(dist).filter((f) => /\.(js|css|html|svg|webmanifest|json)$/.test(f));
  expect(text.map((f) => path.relative(dist, f))).toEqual(
    expect.arrayContaining(["sw.js", "tablet/index.html", "family/index.html"]),
  );
  for (const file of text) {
    const original = fs.readFileSync(file);
    // A tiny file may have no copy: the build skips one that would come out larger than the file.
    if (original.length < 1024) continue;
    expect(zlib.brotliDecompressSync(fs.readFileSync(`${file}.br`)).equals(original), `${file}.br`).toBe(true);
    expect(zlib.gunzipSync(fs.readFileSync(`${file}.gz`)).equals(original), `${file}.gz`).toBe(true);
  }
});
