import { useLayoutEffect, useRef, useState } from "react";
import { paginate } from "./paging";
import { useWords } from "./words";

/** Font sizes tried, largest first, before the text is split into pages; set per text size in the CSS. */
function sizeRange(el: HTMLElement): { max: number; min: number } {
  const style = getComputedStyle(el);
  const max = Number.parseFloat(style.getPropertyValue("--message-max")) || 52;
  const min = Number.parseFloat(style.getPropertyValue("--message-min")) || 36;
  return { max, min: Math.max(28, min) };
}

type Layout = { size: number | null; pages: string[] };

/**
 * The message text, as large as the space allows. A long text first shrinks (never below the
 * floor for the resident's text size, and never below 28 px), then is split into pages with a big
 * "More" button: scrolling is a gesture someone may not know.
 */
export function MessageText({ text }: { text: string }) {
  const t = useWords();
  const box = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState<Layout>({ size: null, pages: [text] });
  const [page, setPage] = useState(0);

  useLayoutEffect(() => {
    const area = box.current;
    const measure = probe.current;
    if (!area || !measure) return;
    let lastKey = "";
    const fitText = () => {
      const height = area.clientHeight;
      const width = area.clientWidth;
      const { max, min } = sizeRange(area);
      const key = `${width}x${height}:${max}:${min}`;
      if (!height || !width || key === lastKey) return;
      lastKey = key;
      measure.style.width = `${width}px`;
      const fits = (candidate: string, size: number) => {
        measure.style.fontSize = `${size}px`;
        measure.textContent = candidate;
        return measure.scrollHeight <= height;
      };
      let next: Layout | null = null;
      for (let size = max; size >= min; size -= 4) {
        if (fits(text, size)) {
          // At the largest size the style sheet's own size applies: nothing to redraw.
          next = { size: size === max ? null : size, pages: [text] };
          break;
        }
      }
      next ??= { size: min, pages: paginate(text, (candidate) => fits(candidate, min)) };
      measure.textContent = "";
      setLayout((before) =>
        before.size === next.size && before.pages.join("\u0000") === next.pages.join("\u0000") ? before : next,
      );
    };
    fitText();
    const observer = new ResizeObserver(fitText);
    observer.observe(area);
    return () => observer.disconnect();
  }, [text]);

  const pages = layout.pages;
  const current = Math.min(page, pages.length - 1);
  return (
    <>
      <div className="message-text-area" ref={box}>
        <p
          className="message-text"
          style={layout.size ? { fontSize: `${layout.size}px` } : undefined}
          {...{ elementtiming: "message" }}
        >
          {pages[current]}
        </p>
        <div className="message-text message-text-probe" ref={probe} aria-hidden="true" />
      </div>
      {pages.length > 1 && (
        <div className="pager">
          <span className="pager-position">{t.pageOf(current + 1, pages.length)}</span>
          <button type="button" className="pager-more" onClick={() => setPage(current + 1 < pages.length ? current + 1 : 0)}>
            {current + 1 < pages.length ? (
              <>
                {t.more}
                <span aria-hidden="true"> ▼</span>
              </>
            ) : (
              t.fromTheStart
            )}
          </button>
        </div>
      )}
    </>
  );
}
