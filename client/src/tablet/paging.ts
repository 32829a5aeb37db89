/**
 * Splits a long text into pages, each as long as fits. `fits` measures a candidate page (in the
 * browser, against the real text box). Pages break between words; a single word too long for a
 * page gets a page of its own rather than being lost.
 */
export function paginate(text: string, fits: (page: string) => boolean): string[] {
  const words = text.trim().split(/(?<=\s)/);
  const pages: string[] = [];
  let start = 0;
  while (start < words.length) {
    // The longest run of words from `start` that fits, by binary search (each `fits` is a layout).
    let lo = start + 1;
    let hi = words.length;
    let best = start + 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (fits(words.slice(start, mid).join("").trim())) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    pages.push(words.slice(start, best).join("").trim());
    start = best;
  }
  return pages.filter((p) => p.length > 0);
}

const wordCount = (page: string) => page.split(/\s+/).filter(Boolean).length;

/** Where a page starts, counted in words of the whole text. */
export function firstWordOf(pages: string[], index: number): number {
  let words = 0;
  for (let i = 0; i < Math.min(index, pages.length); i++) words += wordCount(pages[i] ?? "");
  return words;
}

/**
 * The page that holds a given word. When the text box changes size while a page is read (the
 * tablet turned, the reply buttons came in, the text size changed), the text is paged again; the
 * resident stays at the words they were reading, rather than on a page number that now holds
 * other words.
 */
export function pageHolding(pages: string[], word: number): number {
  let words = 0;
  for (let i = 0; i < pages.length; i++) {
    words += wordCount(pages[i] ?? "");
    if (word < words) return i;
  }
  return Math.max(0, pages.length - 1);
}
