import { describe, expect, it } from "vitest";
import { pageLinks, shownRange } from "./pagination";

describe("page links", () => {
  it("show every page when there are few", () => {
    expect(pageLinks(1, 1)).toEqual([1]);
    expect(pageLinks(2, 3)).toEqual([1, 2, 3]);
    expect(pageLinks(1, 4)).toEqual([1, 2, 3, 4]);
  });

  it("show the first, the last and the current page's neighbours, with gaps between", () => {
    expect(pageLinks(1, 13)).toEqual([1, 2, null, 13]);
    expect(pageLinks(7, 13)).toEqual([1, null, 6, 7, 8, null, 13]);
    expect(pageLinks(13, 13)).toEqual([1, null, 12, 13]);
  });

  it("show a lone page rather than a gap standing for it", () => {
    expect(pageLinks(4, 13)).toEqual([1, 2, 3, 4, 5, null, 13]);
    expect(pageLinks(10, 13)).toEqual([1, null, 9, 10, 11, 12, 13]);
  });
});

describe("the range shown", () => {
  it("counts from 1 across pages", () => {
    expect(shownRange(1, 25, 25, 312)).toBe("Showing 1–25 of 312 residents");
    expect(shownRange(13, 25, 12, 312)).toBe("Showing 301–312 of 312 residents");
    expect(shownRange(2, 25, 1, 26)).toBe("Showing 26 of 26 residents");
    expect(shownRange(1, 25, 1, 1)).toBe("Showing 1 of 1 resident");
  });
});
