import { describe, expect, it } from "vitest";
import { firstWordOf, pageHolding, paginate } from "./paging";

/** A page "fits" when it has at most `chars` characters: a stand-in for the browser's layout. */
const upTo = (chars: number) => (page: string) => page.length <= chars;

describe("paginate", () => {
  it("keeps a text that fits as one page", () => {
    expect(paginate("Hello Mum! Love you", upTo(40))).toEqual(["Hello Mum! Love you"]);
  });

  it("splits between words, each page as full as it can be, losing nothing", () => {
    const text = "We moved in yesterday. The garden is big enough for your roses. Love you";
    const pages = paginate(text, upTo(24));
    expect(pages).toEqual(["We moved in yesterday.", "The garden is big enough", "for your roses. Love you"]);
    expect(pages.join(" ")).toBe(text);
    expect(pages.every((p) => p.length <= 24)).toBe(true);
  });

  it("gives a word too long for any page a page of its own", () => {
    expect(paginate("a Llanfairpwllgwyngyll b", upTo(5))).toEqual(["a", "Llanfairpwllgwyngyll", "b"]);
  });

  it("keeps line breaks inside a page", () => {
    expect(paginate("Dear Mum,\nSee you soon", upTo(40))).toEqual(["Dear Mum,\nSee you soon"]);
  });
});

describe("keeping the resident's place when the text is paged again", () => {
  const text = "We moved in yesterday. The garden is big enough for your roses. Love you";

  it("counts where each page starts, in words of the whole text", () => {
    const pages = paginate(text, upTo(24));
    expect(pages.map((_, i) => firstWordOf(pages, i))).toEqual([0, 4, 9]);
    expect(pages.map((_, i) => pageHolding(pages, firstWordOf(pages, i)))).toEqual([0, 1, 2]);
  });

  it("finds the words being read on the new pages, not the same page number", () => {
    const before = paginate(text, upTo(24));
    const reading = firstWordOf(before, 1); // "The garden is big enough"
    const after = paginate(text, upTo(12)); // a smaller box: more, shorter pages
    const shown = after[pageHolding(after, reading)] ?? "";
    expect(shown.split(" ")).toContain("The");
    expect(after.slice(0, pageHolding(after, reading)).join(" ").split(" ")).toHaveLength(reading);
    // Every word still on exactly one page, in order.
    expect(after.join(" ")).toBe(text);
  });

  it("stays on the last page for a place past the end, and on the first for an empty text", () => {
    expect(pageHolding(["a b", "c"], 99)).toBe(1);
    expect(pageHolding([], 3)).toBe(0);
  });
});
