import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../kit/forms.css";
import "./family.css";
import { App } from "./App";
import type { FirstAnswers } from "./opening";
import { chooseText } from "./text";

/** Started by entry.ts, which has already taken the token from the address and asked the relay. */
export function start(fromAddress: string | null, early: FirstAnswers | undefined) {
  const t = chooseText(navigator.language);
  document.documentElement.lang = t.lang;

  const root = document.getElementById("root");
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <App t={t} fromAddress={fromAddress} early={early} />
    </StrictMode>,
  );
  // The worker lets the page open with no signal (an installed app), and carries opt-in push.
  if (import.meta.env.PROD) void import("./push").then(({ registerFamilyWorker }) => registerFamilyWorker());
}
