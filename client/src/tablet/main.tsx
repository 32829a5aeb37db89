import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Workbox } from "workbox-window";
import { App } from "./App";
import "./tablet.css";

// The service worker keeps the app shell so the tablet opens with no network. Its scope is the
// tablet app only: the family and staff pages are online tools.
if ("serviceWorker" in navigator && import.meta.env.PROD) {
  void new Workbox("/sw.js", { scope: "/tablet" }).register();
}

// A kiosk has no use for the browser's context menu; a long press must not open one by accident.
document.addEventListener("contextmenu", (e) => e.preventDefault());

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
