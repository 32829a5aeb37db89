import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One figure in bench-results.json, comparable from one change to the next. */
export type Figure = { name: string; value: number; unit: string; budget: number | null };

export const resultsFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench-results.json");

/**
 * Writes one benchmark's figures to bench-results.json at the repo root: replaces the entries
 * whose names start with `prefix` and keeps the other benchmarks' (they all write the same file).
 */
export function writeResults(prefix: string, figures: Figure[]) {
  let others: Figure[] = [];
  try {
    const existing: unknown = JSON.parse(fs.readFileSync(resultsFile, "utf8"));
    if (Array.isArray(existing))
      others = existing.filter((f: Figure) => typeof f?.name === "string" && !f.name.startsWith(prefix));
  } catch {
    // No file yet, or one we cannot read: start afresh.
  }
  fs.writeFileSync(resultsFile, `${JSON.stringify([...others, ...figures], null, 2)}\n`);
}

export type Bound = "≤" | "≥";

/**
 * Prints the figures as a table on stdout (every benchmark of both packages), each with its budget
 * and whether it was met. `bound` says which side of its budget a figure must stay: "≤" for times
 * and sizes, "≥" for rates and scores; a function when a table mixes both.
 */
export function printTable(figures: Figure[], bound: Bound | ((figure: Figure) => Bound) = "≤") {
  const side = (f: Figure) => (typeof bound === "function" ? bound(f) : bound);
  const met = (f: Figure) =>
    f.budget === null ? "" : (side(f) === "≤" ? f.value <= f.budget : f.value >= f.budget) ? "met" : "missed";
  const rows = figures.map((f) => [f.name, String(f.value), f.unit, f.budget === null ? "–" : `${side(f)} ${f.budget}`, met(f)]);
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
