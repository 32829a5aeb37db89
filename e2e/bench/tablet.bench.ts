/**
 * Tablet benchmark: what the resident's tablet must download before its first screen, and how soon
 * the first message is on screen when IndexedDB holds years of messages.
 *
 *   tablet.critical_path_gzip  KB (1024 bytes), gzip level 9 file by file: the HTML of /tablet, its
 *                              stylesheets and module scripts and everything they import statically,
 *                              plus the language catalogue the first render waits for (it is a
 *                              dynamic import, fetched in parallel with React starting; the larger
 *                              of the two languages is counted). Budget 125.
 *   tablet.cold_start_10k_ms   ms from navigation to the first message's text painted (Element
 *                              Timing), with 10,000 messages and 1,000 photos (50 KB Blobs) in
 *                              IndexedDB, Chromium's CPU slowed 4× through the DevTools protocol and
 *                              its HTTP cache off; the median of 5 loads. Budget 1000.
 *
 * Builds nothing: it measures client/dist as `pnpm build` left it (or `--dist <folder>`). For the
 * cold start it serves that folder itself with a stand-in for the two relay calls a paired tablet
 * makes at start (an empty sync page, no live connection), so no relay is needed. Prints a table
 * and merges the figures into bench-results.json at the repo root, replacing earlier `tablet.*`
 * entries and keeping the others. Budgets are reported, never asserted: the exit code is non-zero
 * only when the benchmark itself broke. `--skip-cold-start` measures only the critical path;
 * BENCH_DEBUG=1 prints, per load, when the app's start-up marks were reached (boot:start, boot:words,
 * boot:db) beside first contentful paint, to show where the time goes.
 *
 * Run: `pnpm bench` (all benchmarks), or after `pnpm build`: `pnpm --filter @letterbox/e2e exec node --import tsx bench/tablet.bench.ts`
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { chromium } from "@playwright/test";
import { type Figure, printTable, writeResults } from "../../server/bench/results";
import { criticalPath } from "./critical-path";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const resultsFile = path.join(repo, "bench-results.json");
const BUDGET = { criticalPathKb: 125, coldStartMs: 1000 };
const MESSAGES = 10_000;
const PHOTOS = 1_000;
const PHOTO_BYTES = 50 * 1024;
const RUNS = 5;
const CPU_SLOWDOWN = 4;

/** A failure of the benchmark itself, as opposed to a missed budget. */
class BenchBroken extends Error {}

const kb = (n: number) => Math.round((n / 1024) * 10) / 10;

// Critical path --------------------------------------------------------------------------------

function tabletCriticalPath(dist: string) {
  const measured = criticalPath(dist, "tablet/index.html");
  const assets = path.join(dist, "assets");
  const catalogues = fs
    .readdirSync(assets)
    .filter((f) => /^tablet-(en-GB|cy)-[\w-]+\.js$/.test(f))
    .map((f) => {
      const data = fs.readFileSync(path.join(assets, f));
      // A catalogue must stand alone: if it ever imports something, that is on the first load too.
      if (/(?:^|[;\s}])import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']/.test(data.toString("utf8"))) {
        throw new BenchBroken(`${f} imports other modules; count them too`);
      }
      return { file: `assets/${f}`, bytes: data.length, gzip: zlib.gzipSync(data, { level: 9 }).length };
    });
  if (catalogues.length !== 2)
    throw new BenchBroken(`expected the en-GB and cy catalogues in ${assets}, found ${catalogues.length}`);
  const largest = catalogues.reduce((a, b) => (b.gzip > a.gzip ? b : a));
  const files = [...measured.files, { ...largest, file: `${largest.file} (language, the larger of 2)` }];
  return { files, gzip: measured.gzip + largest.gzip };
}

// Cold start -----------------------------------------------------------------------------------

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".json": "application/json",
};

const SETTINGS = {
  preferredName: "Margaret",
  language: "en-GB",
  replyOptions: ["Thank you ♥", "Lovely photo!", "Please ring me"],
  quietHours: null,
  textSize: "large",
  paused: false,
};

/** client/dist as the relay serves it, and the relay's answers for a tablet that has nothing new. */
function serve(dist: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/api/tablet/sync") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({ entries: [], cursor: MESSAGES, hasMore: false, settings: SETTINGS, logId: "bench", head: MESSAGES }),
      );
      return;
    }
    if (url.pathname.startsWith("/api/")) {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end('{"error":{"code":"not_found","message":"-"}}');
      return;
    }
    const file = url.pathname === "/tablet" || url.pathname === "/tablet/" ? "tablet/index.html" : url.pathname.slice(1);
    const full = path.join(dist, file);
    if (!full.startsWith(dist) || !fs.existsSync(full) || fs.statSync(full).isDirectory()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(full)] ?? "application/octet-stream" });
    res.end(fs.readFileSync(full));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Fills the tablet's database the way years of use would: the schema is the app's own (it creates
 * it on the first load), the records are written straight into IndexedDB. The last five messages
 * are unread, so the app opens on the oldest of them, deep in the log.
 */
async function fill(page: import("@playwright/test").Page) {
  await page.evaluate(
    async ({ messages, photos, photoBytes, settings }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("letterbox-tablet");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const done = (tx: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
      const photoEvery = Math.floor(messages / photos);
      const bytes = new Uint8Array(photoBytes);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
      const words = "Hello Mum, the garden is lovely today and the children send their love to you".split(" ");

      let tx = db.transaction(["state", "settings"], "readwrite");
      tx.objectStore("state").put({
        key: "tablet",
        deviceToken: "bench-device-token",
        residentId: "bench",
        preferredName: "Margaret",
        cursor: messages,
        lastSyncedAt: new Date().toISOString(),
      });
      tx.objectStore("settings").put({ key: "resident", ...settings });
      await done(tx);

      for (let start = 1; start <= messages; start += 1000) {
        tx = db.transaction(["messages", "photos"], "readwrite");
        for (let seq = start; seq < start + 1000 && seq <= messages; seq++) {
          const photoIds = seq % photoEvery === 0 ? [hex(seq, 64)] : [];
          const at = new Date(Date.UTC(2024, 0, 1) + seq * 3_600_000).toISOString();
          const unread = seq > messages - 5;
          tx.objectStore("messages").put({
            id: `${hex(seq, 8)}-0000-7000-8000-${hex(seq, 12)}`,
            senderId: "bench-link",
            senderName: "Sarah (daughter)",
            text: `${words.slice(0, 4 + (seq % 12)).join(" ")} (${seq})`,
            photos: photoIds.map((id) => ({ id, width: 1600, height: 1200, caption: "The garden" })),
            photoIds,
            sentAt: at,
            seq,
            ...(unread ? { unreadSeq: seq } : { seenAt: at }),
          });
          for (const id of photoIds) {
            tx.objectStore("photos").put({
              id,
              status: "stored",
              seq,
              blob: new Blob([bytes], { type: "image/jpeg" }),
              size: photoBytes,
              storedAt: Date.now(),
            });
          }
        }
        await done(tx);
      }
      db.close();
      localStorage.setItem("letterbox.tablet.language", "en-GB");
    },
    { messages: MESSAGES, photos: PHOTOS, photoBytes: PHOTO_BYTES, settings: SETTINGS },
  );
}

async function coldStart(dist: string): Promise<{ runs: number[]; median: number }> {
  const server = await serve(dist);
  const url = `http://localhost:${(server.address() as AddressInfo).port}/tablet`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
  });
  try {
    // No service worker: each load must read the app and the database as a cold start would.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
    // tsx keeps function names with a helper that the page does not have.
    await context.addInitScript({ content: "window.__name = (f) => f;" });
    const setup = await context.newPage();
    await setup.goto(url);
    await setup.getByRole("heading", { name: "Set up this tablet" }).waitFor();
    await fill(setup);
    await setup.close();

    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
      await page.goto(url);
      const painted = await page.evaluate(
        () =>
          new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no message was painted within 30 s")), 30_000);
            new PerformanceObserver((list) => {
              const entry = list
                .getEntries()
                .find((e) => (e as PerformanceEntry & { identifier?: string }).identifier === "message");
              if (!entry) return;
              clearTimeout(timer);
              const timing = entry as PerformanceEntry & { renderTime: number; loadTime: number };
              resolve(timing.renderTime || timing.loadTime || timing.startTime);
            }).observe({ type: "element", buffered: true });
          }),
      );
      const shown = await page.locator("article").textContent();
      if (!shown?.includes(`(${MESSAGES - 4})`)) throw new BenchBroken(`the tablet opened on the wrong message: ${shown}`);
      runs.push(Math.round(painted));
      if (process.env.BENCH_DEBUG) {
        const phases = await page.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
          const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
          const marks = performance.getEntriesByType("mark").map((m) => `${m.name}=${Math.round(m.startTime)}`);
          return `response ${Math.round(nav.responseEnd)} dcl ${Math.round(nav.domContentLoadedEventEnd)} fcp ${Math.round(fcp)} ${marks.join(" ")}`;
        });
        console.error(`  ${phases} painted ${Math.round(painted)}`);
      }
      await page.close();
    }
    const sorted = [...runs].sort((a, b) => a - b);
    return { runs, median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN };
  } finally {
    await browser.close();
    server.close();
  }
}

// Main -----------------------------------------------------------------------------------------

async function main() {
  const at = process.argv.indexOf("--dist");
  const dist = path.resolve(at >= 0 ? (process.argv[at + 1] ?? "") : path.join(repo, "client/dist"));
  if (!fs.existsSync(path.join(dist, "tablet/index.html"))) {
    throw new BenchBroken(`${dist}/tablet/index.html is missing: run \`pnpm build\` first`);
  }

  const critical = tabletCriticalPath(dist);
  console.log("tablet critical path (gzip -9 per file):");
  for (const f of critical.files)
    console.log(`  ${f.file.padEnd(58)} ${String(kb(f.bytes)).padStart(7)} KB  ${String(kb(f.gzip)).padStart(6)} KB gzip`);
  const figures: Figure[] = [
    { name: "tablet.critical_path_gzip", value: kb(critical.gzip), unit: "KB", budget: BUDGET.criticalPathKb },
  ];

  if (!process.argv.includes("--skip-cold-start")) {
    console.error(
      `\ncold start: ${MESSAGES} messages and ${PHOTOS} photos in IndexedDB, CPU ${CPU_SLOWDOWN}× slower, ${RUNS} loads`,
    );
    const cold = await coldStart(dist);
    console.error(`  loads: ${cold.runs.join(", ")} ms`);
    figures.push({ name: "tablet.cold_start_10k_ms", value: cold.median, unit: "ms", budget: BUDGET.coldStartMs });
  }

  console.log("");
  printTable(figures);
  writeResults("tablet.", figures);
  console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
}

main().catch((err: unknown) => {
  console.error(`tablet bench broke: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
