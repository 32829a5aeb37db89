import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import { firstScreenScript } from "./scripts/first-screen-script";
import { inlineIcon } from "./scripts/inline-icon";
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
    inlineIcon(["/family/index.html"]),
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
        // Fewer, larger files where a page's first load would otherwise wait on many small ones: on
        // a slow line over HTTP/1.1 each takes one of the browser's six connections to the relay, and
        // React queued behind them. Shared modules only; each app keeps its own chunks.
        codeSplitting: {
          groups: [
            // React (the bundler keeps its own small runtime apart whatever it is told).
            { name: "react", test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
            // What an entry script needs before its app: the first paint, the typed client and the
            // live connection's reader (family/relay.ts), Vite's preloader. None of it imports React.
            {
              name: "first",
              test: /[\\/]src[\\/](kit[\\/](after-first-paint|server-events)|api[\\/])|[\\/]node_modules[\\/]hono[\\/]|vite[\\/](preload-helper|modulepreload-polyfill)/,
              priority: 2,
            },
            // The small helpers the apps share: scripts only, so that each page keeps the style
            // sheets it imports (kit/forms.css is the family page's and the console's, never the tablet's).
            { name: "kit", test: /[\\/]src[\\/]kit[\\/][^\\/]+\.tsx?$/, priority: 1 },
          ],
        },
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
