/**
 * Photo benchmark: the relay's time to turn a 12-megapixel phone photo into the images it stores.
 *
 * Measures processPhoto (sniff, header check, decode, orient, resize, re-encode display and
 * thumbnail) on a generated 4000 × 3000 JPEG at quality 92 — smooth gradients and shapes with
 * sensor-like noise, so that it compresses like a photo rather than a flat test card:
 *   - photo.process_ms   median of RUNS calls, after WARMUP calls (budget 250 ms);
 *   - photo.display_kb   size of the display image the tablets download (budget 300 KB).
 *
 * Then the relay's memory under hostile uploads: the real relay in a child process
 * (photo-relay-server.ts) takes 8 uploads at once, each the worst case for memory — a
 * 7000 × 7000 (49-megapixel, just under the pixel limit) PNG padded to just under the 15 MB upload
 * limit and cut short in its image data, so it is read whole, admitted, decoded as far as it goes
 * and refused:
 *   - photo.worst_peak_rss_mb  the relay's peak resident memory over its whole life (budget: the
 *                              ceiling README states, 500 MB);
 *   - photo.idle_rss_mb        its resident memory before the uploads, for comparison;
 *   - photo.worst_ms           the time until all of them were answered.
 *
 * Run: `node --import tsx bench/photo.bench.ts` in server/. Settings (environment): BENCH_PHOTO_RUNS
 * (default 20), BENCH_PHOTO_WARMUP (default 3), BENCH_PHOTO_WORST_UPLOADS (default 8; more shows
 * that the ceiling holds however many arrive, the rest being refused with `busy` before they are read).
 *
 * Prints a table and writes the figures to bench-results.json at the repo root, replacing earlier
 * `photo.*` entries and keeping other benchmarks' entries. Budgets are reported, never asserted.
 */
import { type ChildProcess, fork } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { LIMITS } from "@letterbox/shared";
import sharp from "sharp";
import { processPhoto } from "../src/images/process-photo";
import { twelveMegapixelJpeg } from "../src/images/sample-photos";
import type { PhotoServerMessage, PhotoServerRequest } from "./photo-relay-server";
import { type Figure, printTable, writeResults } from "./results";

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.resolve(here, "../../bench-results.json");

function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`photo bench: ${name} must be a whole number, not "${raw}".`);
    process.exit(1);
  }
  return value;
}

const RUNS = Math.max(1, envCount("BENCH_PHOTO_RUNS", 20));
const WARMUP = envCount("BENCH_PHOTO_WARMUP", 3);
/** The memory ceiling README states for the relay with eight (or more) worst-case uploads at once. */
const BUDGET = { processMs: 250, displayKb: 300, worstPeakRssMb: 500 };
const WORST_UPLOADS = Math.max(1, envCount("BENCH_PHOTO_WORST_UPLOADS", 8));

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main() {
  console.error(
    `photo bench: ${RUNS} runs after ${WARMUP} warm-up, ${os.availableParallelism()} CPUs, ` +
      `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), Node ${process.versions.node}`,
  );
  const [load1 = 0] = os.loadavg();
  if (load1 > 0.5) console.error(`  note: load average is ${load1.toFixed(2)} before starting; other processes are busy`);

  const input = await twelveMegapixelJpeg();
  const meta = await sharp(input).metadata();
  console.error(`  input: ${meta.width} × ${meta.height} JPEG, ${round(input.byteLength / 1024, 1)} KB`);

  for (let i = 0; i < WARMUP; i++) await processPhoto(input);
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof processPhoto>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    last = await processPhoto(input);
    times.push(performance.now() - started);
  }
  if (!last) throw new Error("No run finished.");
  const { display, thumb } = last;
  console.error(
    `  times: min ${round(Math.min(...times), 1)} ms, median ${round(median(times), 1)} ms, max ${round(Math.max(...times), 1)} ms`,
  );
  console.error(
    `  display ${display.width} × ${display.height}, ${round(display.bytes.byteLength / 1024, 1)} KB; ` +
      `thumbnail ${thumb.width} × ${thumb.height}, ${round(thumb.bytes.byteLength / 1024, 1)} KB`,
  );

  const worst = await worstCaseUploads();
  const figures: Figure[] = [
    { name: "photo.process_ms", value: round(median(times), 1), unit: "ms", budget: BUDGET.processMs },
    { name: "photo.display_kb", value: round(display.bytes.byteLength / 1024, 1), unit: "KB", budget: BUDGET.displayKb },
    { name: "photo.worst_peak_rss_mb", value: worst.peakRssMb, unit: "MB", budget: BUDGET.worstPeakRssMb },
    { name: "photo.idle_rss_mb", value: worst.idleRssMb, unit: "MB", budget: null },
    { name: "photo.worst_ms", value: worst.ms, unit: "ms", budget: null },
  ];
  console.error("");
  printTable(figures);
  writeResults("photo.", figures);
  console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
}

// Worst-case uploads against the relay in its own process -----------------------------------

/**
 * A 49-megapixel PNG as large as an upload may be, cut short: a real 7000 × 7000 image, with an
 * ancillary chunk (which decoders skip) before its image data to bring it to just under the upload
 * limit, and only the first 60 % of that image data.
 */
async function worstCasePng(): Promise<Buffer> {
  const side = 7000;
  const gradient = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/><stop offset="1" stop-color="#f80"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/></svg>`;
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: "#3a7" } })
    .composite([{ input: Buffer.from(gradient) }])
    .png({ compressionLevel: 1 })
    .toBuffer();
  const firstImageData = png.indexOf("IDAT", 8, "latin1") - 4;
  const imageData = Math.floor((png.length - firstImageData) * 0.6);
  const padding = LIMITS.photoUploadMaxBytes - firstImageData - imageData - 12 - 1024;
  const type = Buffer.from("lbXs", "latin1");
  const data = Buffer.alloc(Math.max(0, padding), 0x20);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  type.copy(chunk, 4);
  data.copy(chunk, 8);
  chunk.writeUInt32BE(zlib.crc32(Buffer.concat([type, data])), 8 + data.length);
  return Buffer.concat([png.subarray(0, firstImageData), chunk, png.subarray(firstImageData, firstImageData + imageData)]);
}

function nextMessage<T extends PhotoServerMessage["type"]>(child: ChildProcess, type: T, timeoutMs: number) {
  return new Promise<Extract<PhotoServerMessage, { type: T }>>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`The photo relay sent no "${type}" within ${timeoutMs} ms.`)), timeoutMs);
    const onMessage = (message: PhotoServerMessage) => {
      if (message.type === "failed") done(new Error(`The photo relay failed: ${message.error}`));
      else if (message.type === type) done(undefined, message as Extract<PhotoServerMessage, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`The photo relay exited (${code}).`));
    const done = (err?: Error, message?: Extract<PhotoServerMessage, { type: T }>) => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (err) reject(err);
      else if (message) resolve(message);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

async function worstCaseUploads(): Promise<{ peakRssMb: number; idleRssMb: number; ms: number }> {
  const body = await worstCasePng();
  const header = await sharp(body).metadata();
  console.error(
    `  worst case: ${header.width} × ${header.height} ${header.format}, ${round(body.byteLength / 1024 / 1024, 1)} MB, cut short; ` +
      `${WORST_UPLOADS} at once`,
  );
  const child = fork(path.join(here, "photo-relay-server.ts"), [], {
    cwd: path.resolve(here, ".."),
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ask = (request: PhotoServerRequest) => child.send(request);
  try {
    const ready = await nextMessage(child, "ready", 60_000);
    const idle = nextMessage(child, "memory", 10_000);
    ask({ type: "memory" });
    const idleRssMb = (await idle).rssMb;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: WORST_UPLOADS }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${ready.port}/api/family/photos`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${ready.familyTokens[i % ready.familyTokens.length]}`,
            "Content-Type": "image/png",
          },
          body,
        });
        const answer = (await res.json()) as { error?: { code?: string } };
        return `${res.status} ${answer.error?.code ?? "ok"}`;
      }),
    );
    const ms = round(performance.now() - started, 0);
    const peak = nextMessage(child, "memory", 10_000);
    ask({ type: "memory" });
    const { peakRssMb } = await peak;
    const tally = new Map<string, number>();
    for (const a of answers) tally.set(a, (tally.get(a) ?? 0) + 1);
    console.error(`  answers: ${[...tally].map(([a, n]) => `${n} × ${a}`).join(", ")}; relay peak RSS ${peakRssMb} MB`);
    return { peakRssMb, idleRssMb, ms };
  } finally {
    ask({ type: "stop" });
    child.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error("photo bench broke:", err);
  process.exitCode = 1;
});
