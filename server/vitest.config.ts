import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each PostgreSQL test file first builds its template database, and CI shares two cores with
    // the rest of the suite: room for a slow start, not a timing budget (those are in `pnpm bench`).
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
