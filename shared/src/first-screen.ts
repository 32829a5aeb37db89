/**
 * The tablet's set-up screen and the staff console's sign-in page are drawn in the pages' own HTML,
 * so that they are on screen before the app's JavaScript has arrived (client/src/kit/first-screen.ts
 * hands them over to React). They are the right first screen only for a tablet that is not set up
 * and for an officer who is signed out; this script, inline in the page's head, says before the
 * first paint when they are not, and the style sheet then shows the page's other first screen
 * (nothing on the tablet, "Loading…" in the console).
 *
 * It also stops the browser from submitting a drawn form itself, which would put the set-up code,
 * the PIN or a password in the address: the form is marked instead, and the app submits it once it
 * has taken over.
 *
 * The relay's Content Security Policy allows exactly this script, by its hash (server/src/app.ts),
 * so it is one plain string: the build puts it in the page byte for byte (client/vite.config.ts).
 */
export const FIRST_SCREEN_KEYS = {
  /** Set while the tablet holds a pairing (even a revoked one): it starts on its own screen. */
  tabletPaired: "letterbox.tablet.paired",
  /** Set while an officer is signed in on this browser: the console starts on "Loading…". */
  staffSignedIn: "letterbox.staff.signedIn",
} as const;

/** The class on <html> that hides the drawn first screen. */
export const FIRST_SCREEN_SKIP = "first-screen-skip";

export const FIRST_SCREEN_SCRIPT =
  "(function(){var d=document,h=location.hash,s;" +
  "try{s=localStorage}catch(e){}" +
  "function has(k){try{return Boolean(s&&s.getItem(k))}catch(e){return true}}" +
  'var tablet=location.pathname.indexOf("/tablet")===0;' +
  "var skip=tablet" +
  `?has("${FIRST_SCREEN_KEYS.tabletPaired}")||Boolean(navigator.serviceWorker&&navigator.serviceWorker.controller)||/[#&]setup=/.test(h)` +
  `:has("${FIRST_SCREEN_KEYS.staffSignedIn}")||/[#&](setup|invite)=/.test(h);` +
  `if(skip)d.documentElement.classList.add("${FIRST_SCREEN_SKIP}");` +
  'd.addEventListener("submit",function(e){var f=e.target;if(f.closest(".first-screen")){e.preventDefault();f.setAttribute("data-submitted","")}},true)' +
  "})()";
