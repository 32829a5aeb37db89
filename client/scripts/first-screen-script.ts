import type { Plugin } from "vite";
// By path, not by package name: Vite loads its config with Node, which does not run the shared
// package's TypeScript from node_modules, but bundles the files the config imports by path.
import { FIRST_SCREEN_SCRIPT } from "../../shared/src/first-screen";

/**
 * Puts the first-screen script (shared/src/first-screen.ts) at the top of the head of each page
 * that draws a first screen in its HTML (an element with class `first-screen`), as an inline
 * classic script: it must run before the first paint, and a separate file would cost the page a
 * round trip first. The relay's Content Security Policy allows it by its hash, so its text is
 * written exactly as exported.
 */
export function firstScreenScript(): Plugin {
  return {
    name: "letterbox:first-screen-script",
    transformIndexHtml: {
      order: "pre",
      handler(html) {
        if (!html.includes('class="first-screen"')) return html;
        return [{ tag: "script", children: FIRST_SCREEN_SCRIPT, injectTo: "head-prepend" }];
      },
    },
  };
}
