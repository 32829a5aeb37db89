// Bundles the relay and its command line into dist/ as plain JavaScript, so that production runs
// `node dist/main.js` with no TypeScript loader. Packages with native parts (better-sqlite3, sharp),
// pg (which looks for the optional pg-native) and the AWS SDK (loaded only with S3_BUCKET) stay
// external: they are the relay's runtime dependencies in package.json, installed by
// `pnpm install --prod`. Everything else, @letterbox/shared included, is in the bundle.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(fs.readFileSync(path.join(serverDir, "package.json"), "utf8"));
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith("@letterbox/"));
const outdir = path.join(serverDir, "dist");

fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: serverDir,
  entryPoints: { main: "src/main.ts", cli: "src/cli.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  external,
  sourcemap: true,
  // Bundled CommonJS packages (web-push, prom-client, …) call require() for Node's own modules,
  // which an ES module does not have.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  chunkNames: "chunks/[name]-[hash]",
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + (o.bytes ?? 0), 0);
const files = Object.keys(result.metafile.outputs).filter((f) => !f.endsWith(".map"));
process.stdout.write(
  `Built the relay into ${path.relative(process.cwd(), outdir) || "."}: ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB with source maps\n`,
);
