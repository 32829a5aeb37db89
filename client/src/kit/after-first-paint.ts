/**
 * Resolves once the browser has painted the page's HTML. Each page's entry waits for it before it
 * imports the app, so the static first screen in the page's HTML is on screen without waiting for
 * React to be evaluated; the app's modules download meanwhile (the build lists them as
 * modulepreload links in the HTML, see scripts/preload-deferred-app.ts). A hidden page paints
 * nothing and gets no animation frames: it starts at once.
 */
export function afterFirstPaint(): Promise<void> {
  if (document.visibilityState === "hidden") return Promise.resolve();
  // A frame callback runs just before the paint; a task queued from it runs after that paint.
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
