import type { StaffMember } from "@letterbox/shared";
import { createContext, useContext, useSyncExternalStore } from "react";
import { href, parseRoute, type Route } from "./route";

/** Who is signed in, and what to do when the relay says the session has ended. */
export type Session = { staff: StaffMember; signedOut: () => void };
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in console");
  return session;
}

// Navigation ----------------------------------------------------------------------------------

let flash: { hash: string; text: string } | null = null;
/** Set when the officer moves to another page, so that page can move focus to its heading. */
let focusPending = false;

function subscribe(onChange: () => void) {
  const changed = () => {
    if (flash && flash.hash !== location.hash) flash = null;
    focusPending = true;
    onChange();
  };
  window.addEventListener("hashchange", changed);
  return () => window.removeEventListener("hashchange", changed);
}

let routeHash = "#/";
/** The last fragment that was a route: an in-page fragment (`#main`) does not change the page. */
function currentRouteHash() {
  const hash = location.hash;
  if (hash === "" || hash === "#" || hash.startsWith("#/")) routeHash = hash;
  return routeHash;
}

/** The page the address bar names, kept in step with back and forward. */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, currentRouteHash));
}

/** Goes to a page, with an optional sentence to confirm what was just done ("Link revoked"). */
export function navigate(route: Route, done?: string) {
  const target = href(route);
  flash = done ? { hash: target, text: done } : null;
  if (location.hash === target) {
    // Same address: no hashchange, so tell the listeners ourselves.
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

/** The confirmation the last navigation carried, while its page is shown. */
export const flashFor = (hash: string) => (flash && flash.hash === hash ? flash.text : null);

/** True once per navigation: the page that takes it moves focus to its heading. */
export function takeFocus(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}
