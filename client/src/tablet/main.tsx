import { StrictMode, startTransition } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { boot } from "./boot";
import { hardenKiosk } from "./kiosk";
import "./tablet.css";

hardenKiosk();
// The language catalogue and the first screen's data are read while React loads.
const starting = boot();

const root = document.getElementById("root");
if (root) {
  void starting.then((initial) =>
    // As a transition, the first render gives the browser a turn every few milliseconds: on a slow
    // tablet one long render would leave the drawn set-up screen unable to answer a tap meanwhile.
    startTransition(() =>
      createRoot(root).render(
        <StrictMode>
          <App initial={initial} />
        </StrictMode>,
      ),
    ),
  );
  // The service worker (and workbox-window) are not needed to draw the first screen.
  if (import.meta.env.PROD) void import("./update").then(({ registerWorker }) => registerWorker());
}
