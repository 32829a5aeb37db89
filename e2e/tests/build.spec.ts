import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { FIRST_SCREEN_SCRIPT } from "@letterbox/shared";
import { expect, test } from "@playwright/test";
import { criticalPath } from "../bench/critical-path";

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
  // Every asset the tablet and family pages load is in the precache, or they could not open offline.
  for (const page of ["tablet/index.html", "family/index.html"]) {
    const html = fs.readFileSync(path.join(dist, page), "utf8");
    for (const [, asset] of html.matchAll(/(?:src|href)="\/([^"]+)"/g)) expect(urls, page).toContain(asset);
  }
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

/** The code a page downloads before its first screen: its HTML's scripts, module preloads and their static imports. */
function firstLoadCode(page: string): string {
  return criticalPath(dist, page)
    .files.filter((f) => f.file.endsWith(".js"))
    .map((f) => fs.readFileSync(path.join(dist, f.file), "utf8"))
    .join("\n");
}

test("the staff console's first load is its sign-in page: the console's pages and zod come once someone is signed in", () => {
  const code = firstLoadCode("staff/index.html");
  // Booleans rather than the code itself, which would fill the report.
  expect(code.includes("Sign in to Letterbox"), "the sign-in page is on the first load").toBe(true);
  // zod's own option name: present wherever zod is bundled.
  expect(code.includes("jitless"), "zod is on the first load").toBe(false);
  for (const title of ["Archived residents", "Every action by staff"])
    expect(code.includes(title), `"${title}" is on the first load`).toBe(false);
});

test("each page draws its first screen from the HTML, styled, and its app is on the first load", () => {
  for (const { page, text, rule, app } of [
    { page: "family/index.html", text: "Opening your messages…", rule: ".hint", app: "Messages to" },
    { page: "staff/index.html", text: "Sign in to Letterbox", rule: ".staff-header", app: "Sign in to Letterbox" },
    { page: "staff/index.html", text: "Loading…", rule: ".first-screen-instead", app: "Sign in to Letterbox" },
    { page: "tablet/index.html", text: "Set up this tablet", rule: ".first-screen-skip", app: "setup-code" },
  ]) {
    const html = fs.readFileSync(path.join(dist, page), "utf8");
    const body = html.slice(html.indexOf("<body"));
    expect(body, page).toContain(text);
    const styles = [...html.matchAll(/<link rel="stylesheet"[^>]* href="\/([^"]+)"/g)].map((m) =>
      fs.readFileSync(path.join(dist, m[1] as string), "utf8"),
    );
    expect(styles.join("\n").includes(rule), `${page}: ${rule} is styled`).toBe(true);
    expect(firstLoadCode(page).includes(app), `${page}: the app is on the first load`).toBe(true);
  }
});

test("the pages that choose their first screen carry the first-screen script exactly as the relay's CSP allows it", () => {
  for (const page of ["tablet/index.html", "staff/index.html"]) {
    const html = fs.readFileSync(path.join(dist, page), "utf8");
    const inline = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(inline, page).toEqual([FIRST_SCREEN_SCRIPT]);
  }
  // The family page draws one screen for everyone: no script to choose.
  expect(fs.readFileSync(path.join(dist, "family/index.html"), "utf8")).not.toContain("<script>");
});
