import { Workbox } from "workbox-window";
import { isNight, onNightChange } from "./night";

/**
 * Loaded after the first screen is up (it is not needed to draw it).
 * The service worker keeps the app shell so the tablet opens with no network. A new version waits
 * (no prompt: the resident could not answer one) and is applied when nobody is looking: in quiet
 * hours, in the small hours, or straight away if it was already waiting when the app started.
 */
let workbox: Workbox | null = null;
let waiting = false;

const smallHours = () => {
  const hour = new Date().getHours();
  return hour >= 2 && hour < 5;
};

function applyIfQuiet() {
  if (workbox && waiting && (isNight() || smallHours())) {
    waiting = false;
    workbox.messageSkipWaiting();
  }
}

export function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  // Its scope is the tablet app only: the family and staff pages are online tools.
  const wb = new Workbox("/sw.js", { scope: "/tablet" });
  workbox = wb;
  wb.addEventListener("waiting", (event) => {
    waiting = true;
    if (event.wasWaitingBeforeRegister) {
      waiting = false;
      wb.messageSkipWaiting();
    } else {
      applyIfQuiet();
    }
  });
  // The new worker controls the page: load the new app once, quietly.
  wb.addEventListener("controlling", (event) => {
    if (event.isUpdate) location.reload();
  });
  void wb.register().catch(() => undefined);
  onNightChange(applyIfQuiet);
  setInterval(() => void wb.update().catch(() => undefined), 6 * 60 * 60_000);
  setInterval(applyIfQuiet, 10 * 60_000);
}
