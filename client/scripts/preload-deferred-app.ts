import type { Plugin } from "vite";

/**
 * Each page's entry (src/<app>/entry.ts) imports its app only after the first paint, so Vite would
 * fetch the app's modules and style sheets only then. This adds them to the page's HTML instead:
 * `modulepreload` for the chunks the entry imports dynamically and everything they import
 * statically, and `stylesheet` for their CSS (render-blocking as before, so the static first
 * screen is drawn with its styles and React's takeover moves nothing). Vite's loader then finds
 * the style sheets already in the page and does not add them twice. The modules are fetched at
 * low priority: on a slow line they would otherwise share it with the style sheets that the first
 * paint waits for, and they are not needed before that paint.
 *
 * A page that draws a whole first screen in its HTML (`.first-screen`: the tablet's set-up screen,
 * the console's sign-in page) gets only the style sheets: its first screen is complete without the
 * app, and the app's modules, fetched once it is painted, then do not compete with it at all.
 */
export function preloadDeferredApp(): Plugin {
  return {
    name: "letterbox:preload-deferred-app",
    apply: "build",
    transformIndexHtml: {
      order: "post",
      handler(html, ctx) {
        const entry = ctx.chunk;
        const bundle = ctx.bundle;
        // Only the pages whose entry defers its app (entry.ts); others already list what they load.
        if (!entry || !bundle || !entry.moduleIds.some((id) => id.endsWith("/entry.ts"))) return html;
        const scripts = new Set<string>();
        const styles = new Set<string>();
        const visit = (fileName: string) => {
          const chunk = bundle[fileName];
          if (chunk?.type !== "chunk" || scripts.has(fileName) || fileName === entry.fileName) return;
          scripts.add(fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) styles.add(css);
          for (const imported of chunk.imports) visit(imported);
        };
        for (const app of entry.dynamicImports) visit(app);
        const already = (file: string) => html.includes(`"/${file}"`);
        const drawsFirstScreen = html.includes('class="first-screen"');
        return {
          html,
          tags: [
            ...[...scripts]
              .filter((f) => !drawsFirstScreen && !already(f))
              .map((f) => ({
                tag: "link",
                attrs: { rel: "modulepreload", crossorigin: true, fetchpriority: "low", href: `/${f}` },
                injectTo: "head" as const,
              })),
            ...[...styles]
              .filter((f) => !already(f))
              .map((f) => ({
                tag: "link",
                attrs: { rel: "stylesheet", crossorigin: true, href: `/${f}` },
                injectTo: "head" as const,
              })),
          ],
        };
      },
    },
  };
}
