/** The app's version, and the build: the hash in the name of the tablet's script, so staff can tell whether an update has landed. */
export const APP_VERSION = "0.1.0";

export function appVersion(): string {
  const script = typeof document === "undefined" ? null : document.querySelector<HTMLScriptElement>('script[type="module"][src]');
  const build = script?.src.match(/-([A-Za-z0-9_-]{6,})\.js$/)?.[1] ?? "dev";
  return `${APP_VERSION}+${build}`;
}
