import { FIRST_SCREEN_SKIP } from "@letterbox/shared";
import { useLayoutEffect } from "react";

/**
 * The first screen drawn in a page's HTML (`.first-screen`, beside #root; see
 * shared/src/first-screen.ts), handed over to React once React's own first screen is in the page:
 * what the person typed goes into React's inputs of the same id, the caret goes back where it was,
 * a form they already submitted is submitted again, and then the drawn screen is removed. Both are
 * in the page only between React's commit and its layout effects, which run before the next paint,
 * so the person sees one screen throughout.
 */

/** Whether the page's drawn first screen is the one showing (the first-screen script did not skip it). */
export function drawnScreenShown(): boolean {
  return (
    typeof document !== "undefined" &&
    !document.documentElement.classList.contains(FIRST_SCREEN_SKIP) &&
    document.querySelector(".first-screen") !== null
  );
}

/** For the app's root component: takes over the drawn first screen after React's first commit. */
export function useTakeOverDrawnScreen() {
  useLayoutEffect(takeOverDrawnScreen, []);
}

function takeOverDrawnScreen() {
  const drawn = document.querySelector(".first-screen");
  const shown = drawn !== null && drawnScreenShown();
  if (drawn && shown) {
    const active = document.activeElement;
    const focused =
      active instanceof HTMLInputElement && drawn.contains(active)
        ? { id: active.id, start: active.selectionStart, end: active.selectionEnd }
        : null;
    const submitted = drawn.querySelector("form[data-submitted]");
    const inputs = [...drawn.querySelectorAll("input")];
    const submittedInput = submitted?.querySelector("input")?.id;
    drawn.remove();
    for (const input of inputs) if (input.value) typeInto(input.id, input.value);
    // After React has rendered what was typed (its work queued by those input events runs at the
    // end of this commit): a controlled input that renders puts its caret at the end.
    queueMicrotask(() => {
      const own = ownInput(focused?.id);
      if (!focused || !own) return;
      own.focus();
      // Not every input type has a caret (email has none to put back).
      try {
        own.setSelectionRange(focused.start, focused.end);
      } catch {}
    });
    const form = ownInput(submittedInput)?.form;
    // After React has rendered what was typed: its submit handler must see the values.
    if (form) setTimeout(() => form.requestSubmit(), 0);
  }
  for (const element of document.querySelectorAll(".first-screen, .first-screen-instead")) element.remove();
}

const ownInput = (id: string | undefined) => {
  const input = id ? document.getElementById(id) : null;
  return input instanceof HTMLInputElement ? input : null;
};

/**
 * Puts a value into React's input as typing would: through the element's own value setter (React
 * watches the property itself) and an input event, so a controlled input's state follows.
 */
function typeInto(id: string, value: string) {
  const input = ownInput(id);
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
  if (!input || !setValue) return;
  setValue.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * Keeps one of the flags the first-screen script reads (FIRST_SCREEN_KEYS) in step with the app.
 * Storage that refuses is left alone: the page then starts as the script decides without it.
 */
export function rememberForFirstScreen(key: string, on: boolean) {
  try {
    if (on) localStorage.setItem(key, "1");
    else localStorage.removeItem(key);
  } catch {}
}
