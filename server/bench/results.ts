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
