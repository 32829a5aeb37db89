/**
 * The tablet's set-up screen, the staff console's sign-in page and the family page's frame (the
 * composer under "Opening your messages…") are drawn in the pages' own HTML, so that they are on
 * screen before the app's JavaScript has arrived (client/src/kit/first-screen.ts hands them over to
 * React). They are the right first screen only for a tablet that is not set up, for an officer who
 * is signed out, and for a family page opened from its link (the token in the fragment: without
 * one, the page may have no link at all); this script, inline in the page's head, says before the
 * first paint when they are not, and the style sheet then shows the page's other first screen
 * (nothing on the tablet, "Loading…" in the console, "Opening your messages…" on the family page).
 *
 * It also stops the browser from submitting a drawn form itself, which would put the set-up code,
 * the PIN or a password in the address: the form is marked instead, and the app submits it once it
 * has taken over.
 *
 * On the family page opened from its link, it also asks the relay for what the page opens with
 * (/api/family/me and /api/family/conversation, with the fragment's token) and leaves the two
 * answers' promises in `window[FIRST_SCREEN_ASKED]`: asked as the HTML is read, not once the page's
 * style sheets and entry script have arrived, they are back sooner. The family entry script takes
 * them for that token (client/src/family/opening.ts).
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

/** Where the script leaves the family page's first two answers: `{ token, me, conversation }`, each a Promise<Response>. */
export const FIRST_SCREEN_ASKED = "letterboxFirstAnswers";

/** The class on <html> that hides the drawn first screen. */
export const FIRST_SCREEN_SKIP = "first-screen-skip";

export const FIRST_SCREEN_SCRIPT =
  "(function(){var d=document,h=location.hash,s;" +
  "try{s=localStorage}catch(e){}" +
  "function has(k){try{return Boolean(s&&s.getItem(k))}catch(e){return true}}" +
  'var p=location.pathname,tablet=p.indexOf("/tablet")===0;' +
  'var skip=p.indexOf("/family")===0?h.length<2:tablet' +
  `?has("${FIRST_SCREEN_KEYS.tabletPaired}")||Boolean(navigator.serviceWorker&&navigator.serviceWorker.controller)||/[#&]setup=/.test(h)` +
  `:has("${FIRST_SCREEN_KEYS.staffSignedIn}")||/[#&](setup|invite)=/.test(h);` +
  `if(skip)d.documentElement.classList.add("${FIRST_SCREEN_SKIP}");` +
  'else if(p.indexOf("/family")===0){var t=h.slice(1),o={headers:{Authorization:"Bearer "+t}};' +
  "var ask=function(u){var r=fetch(u,o);r.catch(function(){});return r};" +
  `window.${FIRST_SCREEN_ASKED}={token:t,me:ask("/api/family/me"),conversation:ask("/api/family/conversation")}}` +
  'd.addEventListener("submit",function(e){var f=e.target;if(f.closest(".first-screen")){e.preventDefault();f.setAttribute("data-submitted","")}},true)' +
  "})()";
