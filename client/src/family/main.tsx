import { StrictMode, startTransition } from "react";
import { createRoot } from "react-dom/client";
import "../kit/forms.css";
import "./family.css";
import { App } from "./App";
import { askFirst, type FirstAnswers, openConversation } from "./opening";
import { chooseText, type FamilyText } from "./text";
import { storedToken } from "./token";

/** The drawn first screen (family/index.html) in the phone's language, its text only: nothing typed is touched. */
function inWords(t: FamilyText) {
  for (const hint of document.querySelectorAll(".first-screen .opening, .first-screen-instead .opening"))
    hint.textContent = t.opening;
  const form = document.querySelector<HTMLFormElement>(".first-screen form.composer");
  if (!form) return;
  form.setAttribute("aria-label", t.messageLabelAnyone);
  const label = form.querySelector("label");
  if (label) label.textContent = t.messageLabelAnyone;
  form.querySelector("textarea")?.setAttribute("placeholder", t.placeholderAnyone);
  const [photos, send] = form.querySelectorAll("button");
  const [hidden, , words] = photos?.childNodes ?? [];
  if (hidden) hidden.textContent = t.addPhotosHidden;
  if (words) words.textContent = t.photos;
  if (send) send.textContent = t.send;
}

/** Started by entry.ts, which has already taken the token from the address and asked the relay. */
export async function start(fromAddress: string | null, early: FirstAnswers | undefined) {
  const t = chooseText(navigator.language);
  // The drawn first screen is in the page's own language; a phone in Welsh is told the same in Welsh meanwhile.
  const drawnIn = document.documentElement.lang;
  document.documentElement.lang = t.lang;
  if (t.lang !== drawnIn) inWords(t);
  const element = document.getElementById("root");
  if (!element) return;
  // Made while the answers are on their way: it leaves the page's HTML as it is until render().
  const root = createRoot(element);
  const first = await openConversation(fromAddress, early, { stored: storedToken, ask: askFirst });
  // As a transition: React draws the page in short slices rather than one long task, so a tap or
  // a key pressed in the drawn composer meanwhile is answered at once.
  startTransition(() =>
    root.render(
      <StrictMode>
        <App t={t} fromAddress={fromAddress} first={first} />
      </StrictMode>,
    ),
  );
}
