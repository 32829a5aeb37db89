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
