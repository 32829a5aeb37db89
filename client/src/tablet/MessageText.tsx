import { useLayoutEffect, useRef, useState } from "react";
import { firstWordOf, pageHolding, paginate } from "./paging";
import { useWords } from "./words";

/** Font sizes tried, largest first, before the text is split into pages; set per text size in the CSS. */
function sizeRange(el: HTMLElement): { max: number; min: number } {
  const style = getComputedStyle(el);
  const max = Number.parseFloat(style.getPropertyValue("--message-max")) || 52;
  const min = Number.parseFloat(style.getPropertyValue("--message-min")) || 36;
  return { max, min: Math.max(28, min) };
}

/** `fittedTo` is the box the pages were cut for ("width×height"), shown on the box for the e2e tests. */
type Layout = { size: number | null; pages: string[]; fittedTo: string };

/**
 * The message text, as large as the space allows. A long text first shrinks (never below the
 * floor for the resident's text size, and never below 28 px), then is split into pages with a big
 * "More" button: scrolling is a gesture someone may not know.
 *
 * The box measured holds both the text and the pager, and the pages are cut to the box less the
 * pager's room: showing the pager then does not change the box, so one box gives one set of pages
 * (measuring the text alone, the pager's arrival shrank it and paged the text a second time).
 */
export function MessageText({ text }: { text: string }) {
  const t = useWords();
  const box = useRef<HTMLDivElement>(null);
  const area = useRef<HTMLDivElement>(null);
  const pager = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<Layout>({ size: null, pages: [text], fittedTo: "" });
  // The page shown is the one holding this word, so a new paging keeps the resident's place.
  const [fromWord, setFromWord] = useState(0);

  useLayoutEffect(() => {
    const whole = box.current;
    const textArea = area.current;
    const pagerRow = pager.current;
    const measure = probe.current;
    if (!whole || !textArea || !pagerRow || !measure) return;
    let lastKey = "";
    const fitText = () => {
      const height = whole.clientHeight;
      const width = textArea.clientWidth;
      const pagerRoom = pagerRow.offsetHeight + (Number.parseFloat(getComputedStyle(whole).rowGap) || 0);
      const { max, min } = sizeRange(whole);
      const key = `${width}x${height}:${pagerRoom}:${max}:${min}`;
      if (!height || !width || key === lastKey) return;
      lastKey = key;
      measure.style.width = `${width}px`;
      const fits = (candidate: string, size: number, room: number) => {
        measure.style.fontSize = `${size}px`;
        measure.textContent = candidate;
        return measure.getBoundingClientRect().height <= room;
      };
      const fittedTo = `${width}x${height}`;
      let next: Layout | null = null;
      for (let size = max; size >= min; size -= 4) {
        if (fits(text, size, height)) {
          // At the largest size the style sheet's own size applies: nothing to redraw.
          next = { size: size === max ? null : size, pages: [text], fittedTo };
          break;
        }
      }
      next ??= { size: min, pages: paginate(text, (candidate) => fits(candidate, min, height - pagerRoom)), fittedTo };
      measure.textContent = "";
      setLayout((before) =>
        before.size === next.size &&
        before.fittedTo === next.fittedTo &&
        before.pages.join("\u0000") === next.pages.join("\u0000")
          ? before
          : next,
      );
    };
    fitText();
    const observer = new ResizeObserver(fitText);
    observer.observe(whole);
    return () => observer.disconnect();
  }, [text]);

  const pages = layout.pages;
  const current = pageHolding(pages, fromWord);
  const paged = pages.length > 1;
  return (
    <div className="message-text-box" ref={box} data-fitted-to={layout.fittedTo}>
      <div className="message-text-area" ref={area}>
        <p
          className="message-text"
          style={layout.size ? { fontSize: `${layout.size}px` } : undefined}
          {...{ elementtiming: "message" }}
        >
          {pages[current]}
        </p>
        <div className="message-text message-text-probe" ref={probe} aria-hidden="true" />
      </div>
      {/* Always there to be measured; seen only when the text has pages. */}
      <div className={paged ? "pager" : "pager pager-idle"} ref={pager} aria-hidden={paged ? undefined : true}>
        <span className="pager-position">{t.pageOf(current + 1, pages.length)}</span>
        <button
          type="button"
          className="pager-more"
          tabIndex={paged ? undefined : -1}
          onClick={() => setFromWord(current + 1 < pages.length ? firstWordOf(pages, current + 1) : 0)}
        >
          {current + 1 < pages.length || !paged ? (
            <>
              {t.more}
              <span aria-hidden="true"> ▼</span>
            </>
          ) : (
            t.fromTheStart
          )}
        </button>
      </div>
    </div>
  );
}
