import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const page = (name: string) => resolve(import.meta.dirname, name);

export default defineConfig({
  plugins: [
    react(),
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
    },
  },
  server: {
    proxy: { "/api": "http://localhost:8080", "/healthz": "http://localhost:8080" },
  },
});
