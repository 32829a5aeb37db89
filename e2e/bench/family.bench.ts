/**
 * Family page benchmark: the weight of its critical path, what a phone on one bar of signal must
 * download before "Messages to Margaret" appears.
 *
 *   family.critical_path_gzip  KB (1024 bytes), gzip level 9 file by file, of the HTML of /family
 *                              plus its stylesheets and module scripts and everything they import
 *                              statically (dynamic imports come later and are left out).
 *
 * Builds the client into a temporary folder first (client/dist is left alone), unless
 * `--dist <folder>` names a build to measure. Prints the files and a table, and merges the figure
 * into bench-results.json at the repo root, replacing earlier `family.*` entries and keeping the
 * others. The budget is reported, never asserted: the exit code is non-zero only when the
 * benchmark itself broke.
 *
 * Run: `pnpm bench` (all benchmarks), or `pnpm --filter @letterbox/e2e exec node --import tsx bench/family.bench.ts`
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Figure, printTable, writeResults } from "../../server/bench/results";
import { criticalPath } from "./critical-path";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const resultsFile = path.join(repo, "bench-results.json");
const BUDGET_KB = 135;

function build(): { dist: string; cleanup: () => void } {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), "letterbox-family-bench-"));
  const vite = path.join(repo, "client/node_modules/vite/bin/vite.js");
  execFileSync(process.execPath, [vite, "build", "--outDir", dist, "--emptyOutDir", "--logLevel", "error"], {
    cwd: path.join(repo, "client"),
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { dist, cleanup: () => fs.rmSync(dist, { recursive: true, force: true }) };
}

function main() {
  const at = process.argv.indexOf("--dist");
  const given = at >= 0 ? process.argv[at + 1] : undefined;
  const { dist, cleanup } = given ? { dist: path.resolve(given), cleanup: () => {} } : build();
  try {
    const measured = criticalPath(dist, "family/index.html");
    const kb = (n: number) => Math.round((n / 1024) * 10) / 10;
    console.log("family critical path (gzip -9 per file):");
    for (const f of measured.files)
      console.log(`  ${f.file.padEnd(40)} ${String(kb(f.bytes)).padStart(7)} KB  ${String(kb(f.gzip)).padStart(6)} KB gzip`);
    const value = kb(measured.gzip);
    const figures: Figure[] = [{ name: "family.critical_path_gzip", value, unit: "KB", budget: BUDGET_KB }];
    console.log("");
    printTable(figures);
    writeResults("family.", figures);
    console.error(`\nwrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  } finally {
    cleanup();
  }
}

try {
  main();
} catch (err) {
  console.error(`family bench broke: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
