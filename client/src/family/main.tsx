import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../kit/forms.css";
import "./family.css";
import { App } from "./App";
import { chooseText } from "./text";
import { tokenFromAddress } from "./token";

// Before anything renders: the token leaves the address bar even if the page then fails.
const fromAddress = tokenFromAddress();
const t = chooseText(navigator.language);
document.documentElement.lang = t.lang;

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App t={t} fromAddress={fromAddress} />
    </StrictMode>,
  );
  // The worker lets the page open with no signal (an installed app), and carries opt-in push.
  if (import.meta.env.PROD) void import("./push").then(({ registerFamilyWorker }) => registerFamilyWorker());
}
