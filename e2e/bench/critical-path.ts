import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export type CriticalFile = { file: string; bytes: number; gzip: number };
export type CriticalPath = { files: CriticalFile[]; bytes: number; gzip: number };

const gzipSize = (data: Buffer) => zlib.gzipSync(data, { level: 9 }).length;

/** `src`/`href` of what the page loads before it can render: module scripts, module preloads, stylesheets. */
function htmlReferences(html: string): string[] {
  const refs: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => tag.match(new RegExp(`\\s${name}\\s*=\\s*["']([^"']+)["']`, "i"))?.[1];
    if (/^<script/i.test(tag) && attr("src")) refs.push(attr("src") ?? "");
    const rel = attr("rel")?.toLowerCase();
    if (/^<link/i.test(tag) && (rel === "stylesheet" || rel === "modulepreload") && attr("href")) refs.push(attr("href") ?? "");
  }
  return refs;
}

/**
 * Static imports of a built ES module (`import … from "./x.js"`, `import "./x.js"`, `export … from`).
 * Dynamic `import("…")` is left out on purpose: it is loaded after the first render, if at all.
 */
function staticImports(code: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
  for (const match of code.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return found;
}

/** `import("./x.js")` in a built module: how a page's entry loads its app once the HTML is painted. */
function dynamicImports(code: string): string[] {
  return [...code.matchAll(/\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

/**
 * What a browser must download to first render `page` (an HTML file inside `distDir`) with its
 * app: the HTML, its stylesheets, its module scripts, the app each entry script imports once the
 * HTML is painted (src/<app>/entry.ts), and everything those import statically, each file counted
 * once, with its size and its gzip size (level 9, file by file, as a server sends them).
 */
export function criticalPath(distDir: string, page: string): CriticalPath {
  const root = path.resolve(distDir);
  const htmlFile = path.join(root, page);
  const seen = new Map<string, CriticalFile>();
  const add = (file: string, data: Buffer) => {
    seen.set(file, { file: path.relative(root, file), bytes: data.length, gzip: gzipSize(data) });
  };

  const html = fs.readFileSync(htmlFile);
  add(htmlFile, html);
  const queue = htmlReferences(html.toString("utf8"))
    .filter((ref) => !/^[a-z]+:/i.test(ref))
    .map((ref) => (ref.startsWith("/") ? path.join(root, ref) : path.resolve(path.dirname(htmlFile), ref)));
  const entries = new Set(queue);

  while (queue.length > 0) {
    const file = queue.shift() ?? "";
    if (seen.has(file)) continue;
    if (!file.startsWith(root + path.sep)) throw new Error(`${file} is outside ${root}`);
    const data = fs.readFileSync(file);
    add(file, data);
    if (file.endsWith(".js") || file.endsWith(".mjs")) {
      const code = data.toString("utf8");
      for (const spec of [...staticImports(code), ...(entries.has(file) ? dynamicImports(code) : [])]) {
        if (/^[a-z]+:/i.test(spec)) continue;
        queue.push(spec.startsWith("/") ? path.join(root, spec) : path.resolve(path.dirname(file), spec));
      }
    }
  }

  const files = [...seen.values()];
  return {
    files,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    gzip: files.reduce((sum, f) => sum + f.gzip, 0),
  };
}
