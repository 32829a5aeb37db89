import { type RefObject, useLayoutEffect, useState } from "react";

/**
 * The composer keeps to the foot of the screen only while it takes at most this share of it. Taller
 * (a short screen: a phone on its side, a laptop zoomed to 200–400 %; or photos waiting with their
 * captions) it would hide most of the conversation and whatever has focus (WCAG 2.4.11), so it
 * stays in the page's flow and scrolls with the rest.
 */
const MOST_OF_SCREEN = 0.4;

/** Room left for the focus ring (3 px outline and 6 px shadow in kit/forms.css) above the composer. */
const RING = 12;

/**
 * Whether the composer (`form`) sticks to the foot of the screen. While it does, its height is
 * published as --composer-cover, the page's bottom scroll padding (family.css), so whatever takes
 * focus or is scrolled to is brought clear of it, however tall it is.
 */
export function useStickToFoot(form: RefObject<HTMLElement | null>): boolean {
  const [sticks, setSticks] = useState(false);
  useLayoutEffect(() => {
    const el = form.current;
    if (!el) return;
    const root = document.documentElement.style;
    const decide = () => {
      const fits = el.offsetHeight <= window.innerHeight * MOST_OF_SCREEN;
      if (fits) root.setProperty("--composer-cover", `${el.offsetHeight + RING}px`);
      else root.removeProperty("--composer-cover");
      setSticks(fits);
    };
    // Now as well as on each change: the page follows its newest message before the first change is observed.
    decide();
    const observer = new ResizeObserver(decide);
    observer.observe(el);
    window.addEventListener("resize", decide);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", decide);
      root.removeProperty("--composer-cover");
    };
  }, [form]);
  return sticks;
}
