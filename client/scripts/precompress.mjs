// Writes a Brotli (.br) and a gzip (.gz) copy beside every compressible file of the built client,
// so that the relay sends compressed bytes without compressing on each request. It runs after
// `vite build` rather than inside it because the service worker (sw.js) is written last, by
// vite-plugin-pwa, and should be compressed too. The copies end in .br/.gz, which the worker's
// precache patterns do not match: the worker fetches the files by their own names and lets the
// browser decode them.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".webmanifest", ".json"]);

/** @param {string} dir */
function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

/** @param {string} distDir */
function precompress(distDir) {
  let raw = 0;
  let br = 0;
  let count = 0;
  for (const file of files(distDir)) {
    if (!COMPRESSIBLE.has(path.extname(file))) continue;
    const data = fs.readFileSync(file);
    const brotli = zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      },
    });
    const gzip = zlib.gzipSync(data, { level: 9 });
    // A tiny file can come out larger; the relay then sends it as it is.
    if (brotli.length < data.length) fs.writeFileSync(`${file}.br`, brotli);
    if (gzip.length < data.length) fs.writeFileSync(`${file}.gz`, gzip);
    raw += data.length;
    br += Math.min(brotli.length, data.length);
    count += 1;
  }
  return { count, raw, br };
}

const distDir = path.resolve(import.meta.dirname, "../dist");
const { count, raw, br } = precompress(distDir);
console.log(`precompressed ${count} files: ${(raw / 1024).toFixed(1)} KB raw, ${(br / 1024).toFixed(1)} KB brotli`);
