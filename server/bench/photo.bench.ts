/**
 * Photo benchmark: the relay's time to turn a 12-megapixel phone photo into the images it stores.
 *
 * Measures processPhoto (sniff, header check, decode, orient, resize, re-encode display and
 * thumbnail) on a generated 4000 × 3000 JPEG at quality 92 — smooth gradients and shapes with
 * sensor-like noise, so that it compresses like a photo rather than a flat test card:
 *   - photo.process_ms   median of RUNS calls, after WARMUP calls (budget 250 ms);
 *   - photo.display_kb   size of the display image the tablets download (budget 300 KB).
 *
 * Run: `node --import tsx bench/photo.bench.ts` in server/. Settings (environment): BENCH_PHOTO_RUNS
 * (default 20), BENCH_PHOTO_WARMUP (default 3).
 *
 * Prints a table and writes the figures to bench-results.json at the repo root, replacing earlier
 * `photo.*` entries and keeping other benchmarks' entries. Budgets are reported, never asserted.
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { processPhoto } from "../src/images/process-photo";
import { twelveMegapixelJpeg } from "../src/images/sample-photos";
import { type Figure, writeResults } from "./results";

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
const BUDGET = { processMs: 250, displayKb: 300 };

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function printTable(figures: Figure[]) {
  const rows = figures.map((f) => {
    const status = f.budget === null ? "" : f.value <= f.budget ? "met" : "missed";
    return [f.name, String(f.value), f.unit, f.budget === null ? "–" : `≤ ${f.budget}`, status];
  });
  const header = ["name", "value", "unit", "budget", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
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

  const figures: Figure[] = [
    { name: "photo.process_ms", value: round(median(times), 1), unit: "ms", budget: BUDGET.processMs },
    { name: "photo.display_kb", value: round(display.bytes.byteLength / 1024, 1), unit: "KB", budget: BUDGET.displayKb },
  ];
  console.error("");
  printTable(figures);
  writeResults("photo.", figures);
  console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
}

main().catch((err: unknown) => {
  console.error("photo bench broke:", err);
  process.exitCode = 1;
});
