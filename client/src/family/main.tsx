import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "../kit/forms.css";
import "./family.css";
import { App } from "./App";
import { askFirst, type FirstAnswers, openConversation } from "./opening";
import { chooseText } from "./text";
import { storedToken } from "./token";

/** Started by entry.ts, which has already taken the token from the address and asked the relay. */
export async function start(fromAddress: string | null, early: FirstAnswers | undefined) {
  const t = chooseText(navigator.language);
  document.documentElement.lang = t.lang;
  const element = document.getElementById("root");
  if (!element) return;
  // The static first screen is in English; a phone in Welsh is told the same in Welsh meanwhile.
  const hint = element.querySelector(".hint");
  if (hint && hint.textContent !== t.opening) hint.textContent = t.opening;
  // Made while the answers are on their way: it leaves the page's HTML as it is until render().
  const root = createRoot(element);
  const first = await openConversation(fromAddress, early, { stored: storedToken, ask: askFirst });
  root.render(
    <StrictMode>
      <App t={t} fromAddress={fromAddress} first={first} />
    </StrictMode>,
  );
}
