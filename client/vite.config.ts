import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { firstScreenScript } from "./scripts/first-screen-script";
import { preloadDeferredApp } from "./scripts/preload-deferred-app";

const page = (name: string) => resolve(import.meta.dirname, name);

/**
 * The app (tablet, family, staff) whose source a built file comes from, so that its name starts
 * with it: the worker's precache leaves out `assets/staff-*`, and a file is easy to place. A chunk
 * holding any module of an app belongs to that app (apps never import each other); one made only
 * of shared modules (React, Dexie, src/kit) keeps its own name.
 */
function appOf(sources: readonly string[]): string | undefined {
  for (const source of sources) {
    const app = source.replaceAll("\\", "/").match(/(?:^|\/)src\/(tablet|family|staff)\//)?.[1];
    if (app) return app;
  }
  return undefined;
}
const named = (app: string | undefined, name: string, rest: string) =>
  `assets/${app && !name.startsWith(app) ? `${app}-` : ""}[name]-[hash]${rest}`;

export default defineConfig({
  plugins: [
    react(),
    firstScreenScript(),
    preloadDeferredApp(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      // The tablet registers the worker itself (workbox-window) and links its own manifest.
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,woff2,webmanifest}"],
        // The staff console is an online tool; the tablet and family pages should not carry it.
        // The .br/.gz copies the build writes are for the relay to send; the worker fetches the originals.
        globIgnores: ["staff/**", "assets/staff-*", "**/*.br", "**/*.gz"],
      },
    }),
  ],
  build: {
    rollupOptions: {
      input: {
        home: page("index.html"),
        tablet: page("tablet/index.html"),
        family: page("family/index.html"),
        staff: page("staff/index.html"),
      },
      output: {
        chunkFileNames: (chunk) =>
          named(appOf([...(chunk.facadeModuleId ? [chunk.facadeModuleId] : []), ...chunk.moduleIds]), chunk.name, ".js"),
        assetFileNames: (asset) => named(appOf(asset.originalFileNames), asset.names[0] ?? "", "[extname]"),
      },
    },
  },
  server: {
    proxy: { "/api": "http://localhost:8080", "/healthz": "http://localhost:8080" },
  },
});
